/**
 * Releases on a cluster, in the local release controller's make-before-break order, with the
 * same pure compiler (src/config/release/compile.ts):
 *   DestinationRule with both subsets (converged) → VirtualService pinned to the principal
 *   (converged) → new Deployment (owned by the Release) → ready by its status → release rules
 *   (converged); offline: route to the survivor (converged) → survivor's subset only
 *   (converged) → old Deployment deleted, its pods gone → Release deleted.
 * Istio objects and the new Deployment are server-side applied by field manager `graymesh`
 * with an ownerReference to the Release, so deleting the Release lets the garbage collector
 * clean up. Spec and status changes of the Release are read-modify-write with its
 * resourceVersion; a 409 means someone else wrote first: read again and redo the change.
 */
import type { Deployment, KubeObject } from '../api/objects.js';
import { conflict, invalid, notFound } from '../api/errors.js';
import {
  compileDestinationRule,
  compileSurvivor,
  compileVirtualService,
  effectiveWeights,
  releaseVersions,
  type Stage,
} from '../config/release/compile.js';
import { MANAGED_ANNOTATION, RELEASE_ANNOTATION, type Release, type ReleaseSpec, type ReleaseStatus } from '../config/release/types.js';
import type { KubeClient } from './client.js';
import type { Convergence } from './convergence.js';
import { KubeApiError } from './kube-errors.js';
import { newVersionDeployment, RELEASE_LABEL } from './workloads.js';
import { historyEntry, pushHistory, releaseSummary, restoreOp, rollbackOp, setPolicyOp, setWeightsOp, takeoverOp } from '../config/release/operations.js';

/** Annotation on a release's VirtualService telling which stage it enforces (as the local engine's). */
export const STAGE_ANNOTATION = 'graymesh.dev/stage';
const CONFLICT_RETRIES = 5;

export interface ClusterReleaseOptions {
  user: string;
  /** How long a call waits for the new workload before returning with phase Pending. */
  readyTimeoutMs?: number;
  /** Poll interval while waiting for a Deployment (ms). */
  pollMs?: number;
}

export interface ClusterReleaseHost {
  client: KubeClient;
  convergence: Convergence;
  log(msg: string): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Ready as Kubernetes reports it: the controller saw this generation and enough replicas are ready. */
export function deploymentReady(d: Deployment | undefined): boolean {
  if (!d) return false;
  const want = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  return want > 0 && (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) && (st.readyReplicas ?? 0) >= want && (st.updatedReplicas ?? want) >= want;
}

export class ClusterReleases {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly host: ClusterReleaseHost) {}

  private get client(): KubeClient {
    return this.host.client;
  }

  /** Runs fn after every earlier operation on the same release. */
  locked<T>(ns: string, name: string, fn: () => Promise<T>): Promise<T> {
    const k = `${ns}/${name}`;
    const next = (this.locks.get(k) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.locks.set(k, next);
    void next.catch(() => undefined).then(() => {
      if (this.locks.get(k) === next) this.locks.delete(k);
    });
    return next;
  }

  async get(ns: string, name: string): Promise<Release> {
    const r = await this.client.get<Release>('Release', ns, name);
    if (!r) throw notFound(`release ${name} not found in project ${ns}`);
    return r;
  }

  private async workloadOf(ns: string, service: string, version: string): Promise<Deployment | undefined> {
    return (await this.client.list<Deployment>('Deployment', ns, { labelSelector: `app=${service},version=${version}` })).items[0];
  }

  /** Refuses what cannot run, as the local controller's admission does. */
  async admit(r: Release): Promise<void> {
    const ns = r.metadata.namespace as string;
    const spec = r.spec as ReleaseSpec;
    const what = `Release ${r.metadata.name}`;
    if (!(await this.client.get('Service', ns, spec.service))) throw invalid(`${what}: spec.service: service ${spec.service} not found in namespace ${ns}`);
    if (!(await this.workloadOf(ns, spec.service, spec.principal))) {
      throw invalid(`${what}: spec.principal: service ${spec.service} has no Deployment labelled app=${spec.service},version=${spec.principal}`);
    }
    for (const other of (await this.client.list<Release>('Release', ns)).items) {
      if (other.spec?.service === spec.service && other.metadata.name !== r.metadata.name) {
        throw conflict(`${what}: service ${spec.service} already has release ${other.metadata.name}; one release per service at a time`);
      }
    }
    for (const kind of ['VirtualService', 'DestinationRule']) {
      const o = await this.client.get(kind, ns, spec.service);
      if (o && o.metadata.annotations?.[MANAGED_ANNOTATION] !== 'graymesh' && o.metadata.annotations?.[RELEASE_ANNOTATION] !== r.metadata.name) {
        throw conflict(`${what}: ${kind} ${spec.service} exists and is not managed by graymesh; delete it (kubectl delete ${kind.toLowerCase()} ${spec.service} -n ${ns}) so the release can own the routing`);
      }
    }
  }

  /** Creates the Release object and runs it until its rules apply (or the wait ends Pending). */
  async create(r: Release, opts: ClusterReleaseOptions): Promise<Release> {
    const ns = r.metadata.namespace as string;
    return this.locked(ns, r.metadata.name, async () => {
      await this.admit(r);
      const { status: _ignored, ...body } = r;
      const created = await this.client.create<Release>({ ...body, apiVersion: 'graymesh.dev/v1alpha1', kind: 'Release' });
      await this.writeStatus(ns, created.metadata.name, (st) => ({ ...st, phase: 'Pending', history: pushHistory(st.history, historyEntry(opts.user, 'create', undefined, releaseSummary(r.spec as ReleaseSpec))) }));
      return this.untilReady(ns, r.metadata.name, opts);
    });
  }

  /** One pass of the reconcile loop, under the release's lock (the controller calls this on events). */
  reconcileLocked(ns: string, name: string): Promise<Release | undefined> {
    return this.locked(ns, name, () => this.reconcile(ns, name));
  }

  private async untilReady(ns: string, name: string, opts: ClusterReleaseOptions): Promise<Release> {
    let r = await this.reconcile(ns, name);
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
    while (r?.status?.phase === 'Pending' && Date.now() < deadline) {
      await sleep(opts.pollMs ?? 500);
      r = await this.reconcile(ns, name);
    }
    return r ?? this.get(ns, name);
  }

  /** Applies a managed object; true when the cluster's copy changed (then the mesh must converge). */
  private async put(obj: KubeObject): Promise<boolean> {
    const before = await this.client.get(obj.kind, obj.metadata.namespace, obj.metadata.name);
    const after = await this.client.apply(obj);
    return before?.metadata.resourceVersion !== after.metadata.resourceVersion;
  }

  private async converge(step: string): Promise<void> {
    const r = await this.host.convergence.settle();
    this.host.log(`${step}: converged (${r.method}${r.proxies !== undefined ? `, ${r.proxies} proxies` : ''}, ${r.waitedMs} ms)`);
  }

  /** One reconcile pass; returns the release after it. */
  async reconcile(ns: string, name: string): Promise<Release | undefined> {
    const r = await this.client.get<Release>('Release', ns, name);
    if (!r || (r.metadata as { deletionTimestamp?: string }).deletionTimestamp) return r;
    const spec = r.spec as ReleaseSpec;
    const policy = spec.policy ?? 'WaitForWorkloadReady';
    // Subsets first: every route that names one finds it defined.
    if (await this.put(compileDestinationRule(r))) await this.converge(`release ${ns}/${name}: subsets`);
    let workload = await this.workloadOf(ns, spec.service, spec.newVersion.version);
    const current = await this.client.get('VirtualService', ns, spec.service);
    const rulesApplied = current?.metadata.annotations?.[RELEASE_ANNOTATION] === name && current.metadata.annotations?.[STAGE_ANNOTATION] === 'rules';
    let stage: Stage = policy === 'Paused' || (policy === 'WaitForWorkloadReady' && !deploymentReady(workload) && !rulesApplied) ? 'pin' : 'rules';
    if (!workload && policy === 'WaitForWorkloadReady') stage = 'pin';
    const vs = compileVirtualService(r, stage);
    vs.metadata.annotations = { ...vs.metadata.annotations, [STAGE_ANNOTATION]: stage };
    if (await this.put(vs)) await this.converge(`release ${ns}/${name}: route (${stage})`);
    if (!workload) {
      const principal = await this.workloadOf(ns, spec.service, spec.principal);
      if (!principal) {
        return this.writeStatus(ns, name, (st) => ({ ...st, phase: 'Failed', message: `principal Deployment of ${spec.service} ${spec.principal} is gone` }));
      }
      workload = await this.client.apply(newVersionDeployment(principal, r));
      this.host.log(`release ${ns}/${name}: created Deployment ${workload.metadata.name}`);
    }
    let phase = 'Running';
    let message: string | undefined;
    if (policy === 'Paused') {
      phase = 'Paused';
      message = 'rules held: the principal serves all traffic; set the policy to apply them';
    } else if (stage === 'pin') {
      phase = 'Pending';
      message = `waiting for Deployment ${workload.metadata.name} to be ready`;
    }
    const versions = await this.versionStatus(r, stage);
    return this.writeStatus(ns, name, (st) => {
      const next: ReleaseStatus = { ...st, phase, versions, observedGeneration: r.metadata.generation ?? 1, stage };
      if (message) next.message = message;
      else delete next.message;
      if (spec.governor) next.governor = spec.governor;
      else delete next.governor;
      return next;
    });
  }

  private async versionStatus(r: Release, stage: Stage): Promise<ReleaseStatus['versions']> {
    const spec = r.spec as ReleaseSpec;
    const weights = effectiveWeights(r, stage);
    const out: ReleaseStatus['versions'] = [];
    for (const v of releaseVersions(r)) {
      const d = await this.workloadOf(r.metadata.namespace as string, spec.service, v);
      out.push({ version: v, workload: d?.metadata.name ?? `${spec.service}-${v}`, weight: weights[v] ?? 0, replicas: d?.spec?.replicas ?? 0, readyReplicas: d?.status?.readyReplicas ?? 0 });
    }
    return out;
  }

  /**
   * Read-modify-write of a Release (its spec, or with `status` its status subresource), redone on
   * a 409: the change is re-applied to the fresh object, never the stale one.
   */
  async update(ns: string, name: string, mutate: (r: Release) => Release, subresource?: 'status'): Promise<Release> {
    for (let attempt = 1; ; attempt++) {
      const fresh = await this.get(ns, name);
      const next = mutate(structuredClone(fresh));
      // An unchanged object is not written: no event, no loop of the controller on its own writes.
      if (JSON.stringify(next) === JSON.stringify(fresh)) return fresh;
      try {
        return await this.client.replace(next, subresource);
      } catch (err) {
        if (err instanceof KubeApiError && err.isConflict && attempt < CONFLICT_RETRIES) {
          this.host.log(`release ${ns}/${name}: ${err.message}; reading it again (attempt ${attempt + 1})`);
          continue;
        }
        throw err;
      }
    }
  }

  private writeStatus(ns: string, name: string, fn: (st: ReleaseStatus) => ReleaseStatus): Promise<Release> {
    return this.update(ns, name, (r) => ({ ...r, status: fn((r.status as ReleaseStatus | undefined) ?? { phase: 'Pending', versions: [], history: [] }) }), 'status');
  }

  /** Changes the spec, records the operation, and returns once the new rules are enforced. */
  async operate(ns: string, name: string, operation: string, opts: ClusterReleaseOptions, mutate: (spec: ReleaseSpec, r: Release) => void): Promise<Release> {
    return this.locked(ns, name, async () => {
      let before: unknown;
      let after: unknown;
      await this.update(ns, name, (r) => {
        const spec = r.spec as ReleaseSpec;
        before = releaseSummary(spec);
        mutate(spec, r);
        after = releaseSummary(spec);
        return r;
      });
      await this.writeStatus(ns, name, (st) => ({ ...st, history: pushHistory(st.history, historyEntry(opts.user, operation, before, after)) }));
      return this.untilReady(ns, name, opts);
    });
  }

  setWeights(ns: string, name: string, weights: Record<string, number>, opts: ClusterReleaseOptions): Promise<Release> {
    return this.operate(ns, name, 'set-weights', opts, setWeightsOp(weights));
  }

  takeover(ns: string, name: string, version: string, opts: ClusterReleaseOptions): Promise<Release> {
    return this.operate(ns, name, 'takeover', opts, takeoverOp(version));
  }

  restore(ns: string, name: string, opts: ClusterReleaseOptions): Promise<Release> {
    return this.operate(ns, name, 'restore', opts, restoreOp);
  }

  rollback(ns: string, name: string, opts: ClusterReleaseOptions): Promise<Release> {
    return this.operate(ns, name, 'rollback', opts, rollbackOp);
  }

  setPolicy(ns: string, name: string, policy: ReleaseSpec['policy'], opts: ClusterReleaseOptions): Promise<Release> {
    return this.operate(ns, name, 'set-policy', opts, setPolicyOp(policy));
  }

  /** Waits until no pod of the service's version is left (they leave the endpoints first). */
  private async podsGone(ns: string, service: string, version: string, pollMs: number): Promise<void> {
    const deadline = Date.now() + 120_000;
    while ((await this.client.list('Pod', ns, { labelSelector: `app=${service},version=${version}` })).items.length > 0) {
      if (Date.now() > deadline) throw invalid(`pods of ${service} ${version} are still running after 120 s; see kubectl get pods -n ${ns} -l app=${service},version=${version}`);
      await sleep(pollMs);
    }
  }

  /**
   * Takes the version no longer serving offline: everything to the survivor (converged), only
   * its subset (converged), the survivor freed from the Release, the other Deployment deleted
   * and its pods gone, then the Release. What remains is a plain route to the survivor.
   */
  async offline(ns: string, name: string, opts: ClusterReleaseOptions): Promise<{ survivor: string; removed: string }> {
    return this.locked(ns, name, async () => {
      const r = await this.get(ns, name);
      const spec = r.spec as ReleaseSpec;
      let survivor: string;
      if (spec.governor) survivor = spec.governor;
      else if (spec.type === 'mirror') survivor = spec.principal;
      else throw invalid(`Release ${name}: offline needs one version serving all traffic; take over first (graymesh release takeover ${name} ${spec.newVersion.version} -p ${ns}) or roll back`);
      const removed = releaseVersions(r).find((v) => v !== survivor) as string;
      await this.writeStatus(ns, name, (st) => ({ ...st, history: pushHistory(st.history, historyEntry(opts.user, 'offline', releaseSummary(spec), { survivor, removed })) }));
      const plain = compileSurvivor(ns, spec.service, survivor);
      // Applied without the ownerReference: server-side apply drops the one graymesh set, so the
      // garbage collector leaves the plain route when the Release goes.
      if (await this.put(plain.virtualService)) await this.converge(`release ${ns}/${name}: offline: route to ${survivor}`);
      if (await this.put(plain.destinationRule)) await this.converge(`release ${ns}/${name}: offline: subset ${survivor} only`);
      const kept = await this.workloadOf(ns, spec.service, survivor);
      if (kept?.metadata.ownerReferences?.some((o) => o.uid === r.metadata.uid)) {
        const owners = kept.metadata.ownerReferences.filter((o) => o.uid !== r.metadata.uid);
        await this.client.mergePatch('Deployment', ns, kept.metadata.name, { metadata: { ownerReferences: owners.length > 0 ? owners : null, labels: { [RELEASE_LABEL]: null } } });
      }
      const old = await this.workloadOf(ns, spec.service, removed);
      if (old) {
        await this.client.delete('Deployment', ns, old.metadata.name);
        await this.podsGone(ns, spec.service, removed, opts.pollMs ?? 500);
      }
      await this.client.delete('Release', ns, name);
      return { survivor, removed };
    });
  }

  /**
   * Abandons a release: the principal serves everything (converged), the Deployment the release
   * created is deleted and its pods gone, then the Release, whose VirtualService and
   * DestinationRule the garbage collector removes with it.
   */
  async delete(ns: string, name: string, opts: ClusterReleaseOptions): Promise<void> {
    await this.locked(ns, name, async () => {
      const r = await this.get(ns, name);
      const spec = r.spec as ReleaseSpec;
      this.host.log(`release ${ns}/${name} deleted by ${opts.user}`);
      const vs = compileVirtualService(r, 'pin');
      vs.metadata.annotations = { ...vs.metadata.annotations, [STAGE_ANNOTATION]: 'pin' };
      if (await this.put(vs)) await this.converge(`release ${ns}/${name}: delete: route to ${spec.principal}`);
      const created = await this.workloadOf(ns, spec.service, spec.newVersion.version);
      if (created?.metadata.labels?.[RELEASE_LABEL] === name) {
        await this.client.delete('Deployment', ns, created.metadata.name);
        await this.podsGone(ns, spec.service, spec.newVersion.version, opts.pollMs ?? 500);
      }
      await this.client.delete('Release', ns, name, { propagationPolicy: 'Foreground' });
    });
  }
}




