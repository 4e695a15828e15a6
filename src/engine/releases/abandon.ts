/**
 * Delete (abandon): recorded in `status.pending` as offline is; the principal serves
 * everything again (enforced), the new version's workload goes when the release
 * created it, then the rules: deleted with the release when only the principal is
 * left, else replaced by a plain route to the principal so the other versions do not
 * take traffic again.
 */
import { compileSurvivor, compileVirtualService } from '../../config/release/compile.js';
import { historyEntry, releaseSummary } from '../../config/release/operations.js';
import { RELEASE_ANNOTATION, RELEASE_LABEL, type PendingOperation, type Release } from '../../config/release/types.js';
import type { StoreWrite } from '../store.js';
import { workloadOf, workloadsOf } from '../workloads.js';
import type { ReleaseHost } from './host.js';
import { recordOperation } from './status.js';
import { refuseIfPending, removeWorkload, settle, step } from './steps.js';

export async function beginDelete(host: ReleaseHost, r: Release, user: string): Promise<PendingOperation> {
  refuseIfPending(r, 'delete');
  const spec = r.spec!;
  const pending: PendingOperation = { operation: 'delete', user, survivor: spec.principal };
  await recordOperation(host, r, { pending }, historyEntry(user, 'delete', releaseSummary(spec), { survivor: spec.principal }));
  return pending;
}

export async function finishDelete(host: ReleaseHost, r: Release, p: PendingOperation): Promise<void> {
  const { store } = host;
  const ns = r.metadata.namespace as string;
  const name = r.metadata.name;
  const spec = r.spec!;
  const at = `release ${ns}/${name}: delete`;
  host.log(`${at} by ${p.user}: ${p.survivor} takes all traffic`);
  await step(host, `${at}: route to ${p.survivor}`, compileVirtualService(r, 'pin'), true);
  const created = await workloadOf(store, ns, spec.service, spec.newVersion.version);
  if (created?.metadata.labels?.[RELEASE_LABEL] === name) await removeWorkload(host, ns, spec.service, spec.newVersion.version);
  const running = await workloadsOf(store, ns, spec.service);
  if ([...running.keys()].some((v) => v !== p.survivor)) {
    // Other versions still run: without rules they would get traffic again, so a plain route keeps the principal alone.
    const plain = compileSurvivor(ns, spec.service, p.survivor);
    await step(host, `${at}: plain route to ${p.survivor}`, plain.virtualService, true);
    await store.transaction([{ op: 'apply', object: plain.destinationRule }, { op: 'delete', kind: 'Release', namespace: ns, name }]);
  } else {
    const writes: StoreWrite[] = [];
    for (const kind of ['VirtualService', 'DestinationRule']) {
      const o = await store.get(kind, ns, spec.service);
      if (o?.metadata.annotations?.[RELEASE_ANNOTATION] === name) writes.push({ op: 'delete', kind, namespace: ns, name: spec.service });
    }
    await store.transaction([...writes, { op: 'delete', kind: 'Release', namespace: ns, name }]);
  }
  await settle(host, `${at}: done`);
}
