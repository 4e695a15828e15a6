/**
 * Offline: the version no longer serving goes. Recorded in `status.pending` before
 * its first step, so a controller restarted mid-way finishes it: everything routed to
 * the survivor (enforced), the other subset dropped (enforced), the survivor freed
 * from the release, the other workload removed, then the release. A plain route to
 * the survivor remains.
 */
import { invalid } from '../../api/errors.js';
import { compileSurvivor, releaseVersions } from '../../config/release/compile.js';
import { historyEntry, releaseSummary } from '../../config/release/operations.js';
import type { PendingOperation, Release } from '../../config/release/types.js';
import { workloadOf } from '../workloads.js';
import type { ReleaseHost } from './host.js';
import { recordOperation } from './status.js';
import { freeSurvivor, refuseIfPending, removeWorkload, settle, step } from './steps.js';

/** Checks an offline can run (a version serving all traffic, and ready), and records it as pending. */
export async function beginOffline(host: ReleaseHost, r: Release, user: string): Promise<PendingOperation> {
  const ns = r.metadata.namespace as string;
  const name = r.metadata.name;
  const spec = r.spec!;
  refuseIfPending(r, 'offline');
  let survivor: string;
  if (spec.governor) survivor = spec.governor;
  else if (spec.type === 'mirror') survivor = spec.principal;
  else {
    throw invalid(
      `Release ${name}: offline needs one version serving all traffic; take over first (graymesh release takeover ${name} ${spec.newVersion.version} -p ${ns}) or roll back (graymesh release rollback ${name} -p ${ns})`,
    );
  }
  const removed = releaseVersions(r).find((v) => v !== survivor) as string;
  const w = await workloadOf(host.store, ns, spec.service, survivor);
  if (!host.workloads.ready(w)) {
    throw invalid(
      `Release ${name}: offline would leave ${survivor} serving alone, but its workload ${w?.metadata.name ?? `${spec.service}-${survivor}`} has ${w?.status?.readyReplicas ?? 0}/${w?.spec?.replicas ?? 1} ready replicas; wait until it is ready`,
    );
  }
  const pending: PendingOperation = { operation: 'offline', user, survivor, removed };
  await recordOperation(host, r, { pending }, historyEntry(user, 'offline', releaseSummary(spec), { survivor, removed }));
  return pending;
}

export async function finishOffline(host: ReleaseHost, r: Release, p: PendingOperation): Promise<void> {
  const ns = r.metadata.namespace as string;
  const spec = r.spec!;
  const at = `release ${ns}/${r.metadata.name}: offline`;
  host.log(`${at} by ${p.user}: ${p.survivor} takes all traffic, ${p.removed} goes`);
  // Without the release's ownerReference: on a cluster, server-side apply drops the one
  // graymesh set, so the garbage collector leaves the plain route when the release goes.
  const plain = compileSurvivor(ns, spec.service, p.survivor);
  // The route first: every proxy sends everything to the survivor...
  await step(host, `${at}: route to ${p.survivor}`, plain.virtualService, true);
  // ...then the removed version's subset goes...
  await step(host, `${at}: subset ${p.survivor} only`, plain.destinationRule, true);
  // ...then its workload, whose pods leave every proxy's endpoints before they stop.
  await freeSurvivor(host, r, p.survivor);
  if (p.removed) await removeWorkload(host, ns, spec.service, p.removed);
  await host.store.delete('Release', ns, r.metadata.name);
  await settle(host, `${at}: done`);
}
