/**
 * The Deployments port: what `kubectl scale`, `rollout restart`, `rollout undo`,
 * `rollout history` and `logs [-f]` need of an engine, engine-neutral. Scale,
 * restart and undo are writes of the Deployment through the object store, as
 * kubectl makes them; an engine's deployment controller (the local workload
 * controller, or Kubernetes' own) turns them into processes. Revisions are
 * `apps/v1 ReplicaSet` objects in the store, one per pod template the
 * Deployment has had, each annotated with its `deployment.kubernetes.io/revision`
 * and owned by the Deployment; the Deployment carries its current revision in
 * the same annotation. Pod logs are the one engine-specific part (`PodLogs`).
 */
import type { Deployment, DeploymentSpec, ReplicaSet } from '../api/objects.js';
import { invalid, notFound } from '../api/errors.js';
import { retryOnConflict, type ObjectStore } from './store.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
export const TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** What a pod's log is read with (the query of GET .../pods/NAME/log). */
export interface PodLogOptions {
  /** The last N lines only; 0: none of what is there (with follow: only what comes next); all when absent or negative, up to the engine's cap. */
  tailLines?: number;
  /** Only what was written in the last N seconds, or since this RFC 3339 time. */
  sinceSeconds?: number;
  sinceTime?: string;
  /** Stop after this many bytes. */
  limitBytes?: number;
  /** Keep the stream open and yield lines as they are written, until the pod's process ends or `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
}

export interface PodLogs {
  /**
   * The pod's log as chunks of whole lines (the last chunk may end without a newline).
   * Rejects with the catalogue's notFound before anything is yielded when there is no such pod.
   */
  podLog(namespace: string, pod: string, opts?: PodLogOptions): Promise<AsyncIterable<string>>;
}

/** The revision a ReplicaSet (or Deployment) is annotated with; 0 when none. */
export function revisionOf(o: { metadata: { annotations?: Record<string, string> } }): number {
  const n = Number(o.metadata.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** True when `rs` belongs to Deployment `d` (its controlling owner). */
export function ownedBy(rs: ReplicaSet, d: Deployment): boolean {
  return (rs.metadata.ownerReferences ?? []).some((o) => o.kind === 'Deployment' && o.name === d.metadata.name && (!d.metadata.uid || !o.uid || o.uid === d.metadata.uid));
}

/** A Deployment's ReplicaSets, newest revision first. */
export async function replicaSetsOf(store: ObjectStore, d: Deployment): Promise<ReplicaSet[]> {
  const all = await store.list<ReplicaSet>('ReplicaSet', { namespace: d.metadata.namespace ?? 'default' });
  return all.filter((rs) => ownedBy(rs, d)).sort((a, b) => revisionOf(b) - revisionOf(a));
}

/** A ReplicaSet's pod template as the Deployment's: without the pod-template-hash label. */
export function templateOf(rs: ReplicaSet): DeploymentSpec['template'] {
  const t = structuredClone(rs.spec?.template ?? { spec: { containers: [] } });
  if (t.metadata?.labels) {
    delete t.metadata.labels[TEMPLATE_HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

/** JSON with object keys sorted: two templates equal in content compare equal whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

const where = (ns: string, name: string): string => `Deployment ${name} in project ${ns}`;

async function mustDeployment(store: ObjectStore, ns: string, name: string): Promise<Deployment> {
  const d = await store.get<Deployment>('Deployment', ns, name);
  if (!d) throw notFound(`${where(ns, name)} not found`);
  return d;
}

/** `kubectl scale`: spec.replicas. */
export async function scaleDeployment(store: ObjectStore, ns: string, name: string, replicas: number): Promise<Deployment> {
  if (!Number.isInteger(replicas) || replicas < 0) throw invalid(`${where(ns, name)}: spec.replicas: ${replicas} is not a whole number ≥ 0; give the number of pods to run`);
  await mustDeployment(store, ns, name);
  return store.patch<Deployment>('Deployment', ns, name, { spec: { replicas } });
}

/** `kubectl rollout restart`: a new restartedAt annotation on the pod template, so every pod is replaced. */
export async function restartDeployment(store: ObjectStore, ns: string, name: string, at = new Date().toISOString()): Promise<Deployment> {
  await mustDeployment(store, ns, name);
  return store.patch<Deployment>('Deployment', ns, name, { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at } } } } });
}

/**
 * `kubectl rollout undo [--to-revision N]`: the template of revision N (0: the one before the
 * current) written back to the Deployment; its ReplicaSet becomes the newest revision.
 */
export async function rollbackDeployment(store: ObjectStore, ns: string, name: string, toRevision = 0): Promise<Deployment> {
  return retryOnConflict(where(ns, name), () => undefined, async () => rollbackOnce(store, ns, name, toRevision));
}

async function rollbackOnce(store: ObjectStore, ns: string, name: string, toRevision: number): Promise<Deployment> {
  const d = await mustDeployment(store, ns, name);
  const sets = await replicaSetsOf(store, d);
  const current = revisionOf(d);
  const target = toRevision > 0 ? sets.find((rs) => revisionOf(rs) === toRevision) : sets.find((rs) => revisionOf(rs) > 0 && revisionOf(rs) !== current);
  if (!target) {
    throw notFound(
      toRevision > 0
        ? `${where(ns, name)}: revision ${toRevision} not found; see the revisions with kubectl rollout history deployment/${name}`
        : `${where(ns, name)}: no previous revision to roll back to`,
    );
  }
  const fresh = structuredClone(d);
  fresh.spec = { ...(fresh.spec as NonNullable<Deployment['spec']>), template: templateOf(target) };
  return store.update(fresh);
}
