/**
 * The make-before-break steps both release paths are built of: a managed object
 * written and enforced by every proxy, a workload removed once its pods are gone,
 * the survivor freed from a finished release.
 */
import type { KubeObject } from '../../api/objects.js';
import { conflict } from '../../api/errors.js';
import { RELEASE_LABEL, type Release, type ReleaseStatus } from '../../config/release/types.js';
import type { Settled } from '../mesh.js';
import { workloadOf } from '../workloads.js';
import { pollMs, sleep, type ReleaseHost } from './host.js';

/** Waits until every proxy enforces what the store holds. */
export async function settle(host: ReleaseHost, what: string): Promise<Settled> {
  const s = await host.mesh.settle();
  const version = s.version !== undefined ? `config version ${s.version}, ` : '';
  host.log(`${what}: enforced (${version}${s.method}${s.proxies !== undefined ? `, ${s.proxies} proxies` : ''}, ${s.waitedMs} ms)`);
  return s;
}

/**
 * Writes a managed object and waits until every proxy enforces it: when it changed,
 * or `always` (a step resumed after a restart may have been written and never enforced).
 */
export async function step(host: ReleaseHost, what: string, obj: KubeObject, always = false): Promise<Settled | undefined> {
  await host.checkRule?.(obj);
  const { changed } = await host.store.apply(obj);
  return changed || always ? settle(host, what) : undefined;
}

/**
 * Deletes a version's workload and waits until its pods are gone: each leaves every
 * proxy's endpoints before it is asked to stop, and finishes its requests first.
 */
export async function removeWorkload(host: ReleaseHost, ns: string, service: string, version: string): Promise<void> {
  const { store, workloads } = host;
  const d = await workloadOf(store, ns, service, version);
  if (d) await store.delete('Deployment', ns, d.metadata.name);
  const deadline = Date.now() + workloads.drainMs;
  while ((await store.list('Pod', { namespace: ns, labels: { app: service, version } })).length > 0) {
    if (Date.now() > deadline) {
      host.log(`release ${ns}: pods of ${service} ${version} still running after ${workloads.drainMs} ms; going on without them`);
      return;
    }
    await sleep(pollMs(host));
  }
}

/** The survivor's Deployment no longer names (nor is owned by) the finished release. */
export async function freeSurvivor(host: ReleaseHost, r: Release, version: string): Promise<void> {
  const ns = r.metadata.namespace as string;
  const d = await workloadOf(host.store, ns, r.spec!.service, version);
  if (!d) return;
  const owners = d.metadata.ownerReferences ?? [];
  const owned = r.metadata.uid !== undefined && owners.some((o) => o.uid === r.metadata.uid);
  if (d.metadata.labels?.[RELEASE_LABEL] !== r.metadata.name && !owned) return;
  const rest = owners.filter((o) => o.uid !== r.metadata.uid);
  await host.store.patch('Deployment', ns, d.metadata.name, { metadata: { labels: { [RELEASE_LABEL]: null }, ownerReferences: rest.length > 0 ? rest : null } });
}

/** Refuses an operation while an offline or delete is under way. */
export function refuseIfPending(r: Release, operation: string): void {
  const p = (r.status as ReleaseStatus | undefined)?.pending;
  if (p) throw conflict(`Release ${r.metadata.name}: ${operation} refused: ${p.operation} is under way (asked by ${p.user}); wait for it to finish`);
}
