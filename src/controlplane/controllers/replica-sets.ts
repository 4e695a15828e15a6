/**
 * The local engine's revision history, as Kubernetes' deployment controller keeps it:
 * one `apps/v1 ReplicaSet` per pod template a Deployment has had, named
 * `<deployment>-<pod-template-hash>`, owned by the Deployment, annotated with its
 * `deployment.kubernetes.io/revision`, its spec.replicas the pods it should run and
 * its status the pods it runs. A template that matches an older ReplicaSet (an undo)
 * takes that ReplicaSet back as the newest revision; at most revisionHistoryLimit
 * (default 10) old ones with no pods are kept. Everything is written only when it
 * changed, so an unchanged Deployment causes no writes.
 */
import type { Deployment, Pod, ReplicaSet, ReplicaSetStatus } from '../../api/objects.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  TEMPLATE_HASH_LABEL,
  canonicalJson,
  ownedBy,
  revisionOf,
  templateOf,
} from '../../engine/deployments.js';
import { rolloutBudget } from '../../engine/deployment-status.js';
import type { Store } from '../store.js';

const DEFAULT_HISTORY_LIMIT = 10;

/** The ReplicaSets a Deployment owns, newest revision first. */
export function ownedReplicaSets(store: Store, d: Deployment): ReplicaSet[] {
  return store
    .list<ReplicaSet>('ReplicaSet', { namespace: d.metadata.namespace ?? 'default' })
    .filter((rs) => ownedBy(rs, d))
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/**
 * The hash of the Deployment's template: that of a ReplicaSet it owns holding the same
 * template (in any key order, as an undo writes it back), else `computed`.
 */
export function resolveHash(d: Deployment, owned: ReplicaSet[], computed: string): string {
  if (owned.some((rs) => rs.metadata.labels?.[TEMPLATE_HASH_LABEL] === computed)) return computed;
  const want = canonicalJson(d.spec?.template ?? null);
  const same = owned.find((rs) => canonicalJson(templateOf(rs)) === want);
  return same?.metadata.labels?.[TEMPLATE_HASH_LABEL] ?? computed;
}

function newReplicaSet(d: Deployment, hash: string, revision: number): ReplicaSet {
  const tpl = structuredClone(d.spec?.template ?? { spec: { containers: [] } });
  const labels = { ...tpl.metadata?.labels, [TEMPLATE_HASH_LABEL]: hash };
  tpl.metadata = { ...tpl.metadata, labels };
  const replicas = d.spec?.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace ?? 'default',
      labels,
      annotations: {
        [REVISION_ANNOTATION]: String(revision),
        [DESIRED_REPLICAS_ANNOTATION]: String(replicas),
        [MAX_REPLICAS_ANNOTATION]: String(replicas + rolloutBudget(d).maxSurge),
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: 0, selector: { matchLabels: { ...d.spec?.selector?.matchLabels, [TEMPLATE_HASH_LABEL]: hash } }, template: tpl },
  };
}

/**
 * The ReplicaSet of the Deployment's current template, created as the next revision, or an
 * older one taken back as the next; the Deployment's revision annotation follows it.
 */
export function ensureCurrentReplicaSet(store: Store, d: Deployment, hash: string): ReplicaSet {
  return store.transaction(() => {
    const owned = ownedReplicaSets(store, d);
    const newest = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    let rs: ReplicaSet | undefined = owned.find((x) => x.metadata.labels?.[TEMPLATE_HASH_LABEL] === hash);
    if (rs === undefined) {
      const stale = store.get<ReplicaSet>('ReplicaSet', d.metadata.namespace, `${d.metadata.name}-${hash}`);
      if (stale) store.delete('ReplicaSet', d.metadata.namespace, stale.metadata.name); // left by an earlier Deployment of this name
      rs = store.create(newReplicaSet(d, hash, newest + 1));
    } else if (revisionOf(rs) < newest) {
      const old = revisionOf(rs);
      const history = [...(rs.metadata.annotations?.[REVISION_HISTORY_ANNOTATION] ?? '').split(',').filter(Boolean), String(old)];
      const next = structuredClone(rs);
      delete next.metadata.resourceVersion;
      next.metadata.annotations = { ...next.metadata.annotations, [REVISION_ANNOTATION]: String(newest + 1), [REVISION_HISTORY_ANNOTATION]: history.join(',') };
      rs = store.update(next);
    }
    const revision = rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '1';
    const fresh = store.get<Deployment>('Deployment', d.metadata.namespace, d.metadata.name);
    if (fresh && fresh.metadata.annotations?.[REVISION_ANNOTATION] !== revision) {
      delete fresh.metadata.resourceVersion;
      fresh.metadata.annotations = { ...fresh.metadata.annotations, [REVISION_ANNOTATION]: revision };
      store.update(fresh);
    }
    return rs;
  });
}

const isReady = (p: Pod): boolean => p.status?.containerStatuses?.[0]?.ready === true;

/**
 * Each owned ReplicaSet's spec.replicas (the current one: the desired count; an old one: the
 * pods it still runs) and status (the pods it runs), and the history cut to its limit.
 */
export function syncReplicaSets(store: Store, d: Deployment, hash: string, pods: Pod[]): void {
  store.transaction(() => {
    const owned = ownedReplicaSets(store, d);
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    const replicas = d.spec?.replicas ?? 1;
    for (const rs of owned) {
      const h = rs.metadata.labels?.[TEMPLATE_HASH_LABEL];
      const mine = live.filter((p) => p.metadata.labels?.[TEMPLATE_HASH_LABEL] === h);
      const want = h === hash ? replicas : mine.length;
      let current = rs;
      const annotations: Record<string, string> = h === hash ? { [DESIRED_REPLICAS_ANNOTATION]: String(replicas), [MAX_REPLICAS_ANNOTATION]: String(replicas + rolloutBudget(d).maxSurge) } : {};
      const changedAnnotations = Object.entries(annotations).some(([k, v]) => rs.metadata.annotations?.[k] !== v);
      if (rs.spec?.replicas !== want || changedAnnotations) {
        const next = structuredClone(rs);
        delete next.metadata.resourceVersion;
        next.spec = { ...(next.spec as NonNullable<ReplicaSet['spec']>), replicas: want };
        next.metadata.annotations = { ...next.metadata.annotations, ...annotations };
        current = store.update(next);
      }
      const ready = mine.filter(isReady).length;
      const status: ReplicaSetStatus = {
        replicas: mine.length,
        fullyLabeledReplicas: mine.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: current.metadata.generation ?? 1,
      };
      store.updateStatus('ReplicaSet', current.metadata.namespace, current.metadata.name, status);
    }
    const limit = typeof d.spec?.revisionHistoryLimit === 'number' ? d.spec.revisionHistoryLimit : DEFAULT_HISTORY_LIMIT;
    const idle = owned.filter((rs) => rs.metadata.labels?.[TEMPLATE_HASH_LABEL] !== hash && !live.some((p) => p.metadata.labels?.[TEMPLATE_HASH_LABEL] === rs.metadata.labels?.[TEMPLATE_HASH_LABEL]));
    for (const rs of idle.slice(limit)) store.delete('ReplicaSet', rs.metadata.namespace, rs.metadata.name);
  });
}

/** Every ReplicaSet of a deleted Deployment (its pods are gone). */
export function deleteReplicaSets(store: Store, namespace: string, deployment: string): void {
  store.transaction(() => {
    for (const rs of store.list<ReplicaSet>('ReplicaSet', { namespace })) {
      if ((rs.metadata.ownerReferences ?? []).some((o) => o.kind === 'Deployment' && o.name === deployment)) store.delete('ReplicaSet', namespace, rs.metadata.name);
    }
  });
}
