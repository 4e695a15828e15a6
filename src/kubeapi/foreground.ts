/**
 * `propagationPolicy=Foreground` on a Deployment (`kubectl delete --cascade=foreground`): the
 * answer waits until the pods of its ReplicaSets are gone from the store, as a cluster keeps
 * the owner until its dependents are deleted; bounded, so a pod that will not stop cannot hold
 * the request (the pods still go after it).
 */
import type { Deployment, KubeObject, ReplicaSet } from '../api/objects.js';
import { replicaSetsOf } from '../engine/deployments.js';
import type { ObjectStore } from '../engine/store.js';

const FOREGROUND_MAX_MS = 60_000;

/** The uids of the ReplicaSets the Deployment owns (read before it is deleted). */
export async function dependentsOf(store: ObjectStore, d: Deployment): Promise<Set<string>> {
  return new Set((await replicaSetsOf(store, d)).map((rs: ReplicaSet) => rs.metadata.uid ?? '').filter(Boolean));
}

/** Resolves once no pod in ns is owned by one of `owners`, or after the bound, or on abort. */
export async function podsGone(store: ObjectStore, ns: string, owners: Set<string>, signal: AbortSignal): Promise<void> {
  if (owners.size === 0) return;
  const owned = (p: KubeObject): boolean => (p.metadata.ownerReferences ?? []).some((o) => owners.has(o.uid ?? ''));
  let wake: () => void = () => undefined;
  const unwatch = await store.watch('Pod', { namespace: ns }, () => wake());
  const timer = setTimeout(() => wake(), FOREGROUND_MAX_MS);
  const deadline = Date.now() + FOREGROUND_MAX_MS;
  signal.addEventListener('abort', () => wake(), { once: true });
  try {
    while (!signal.aborted && Date.now() < deadline) {
      const changed = new Promise<void>((resolve) => (wake = resolve));
      if (!(await store.list('Pod', { namespace: ns })).some(owned)) return;
      await changed;
    }
  } finally {
    clearTimeout(timer);
    await unwatch();
  }
}
