/** A release's status: what the controller records after each pass, and how an operation ended. */
import { effectiveWeights, releaseVersions, type Stage } from '../../config/release/compile.js';
import type { Release, ReleaseHistoryEntry, ReleaseStatus } from '../../config/release/types.js';
import type { Deployment } from '../../api/objects.js';
import { pushHistory } from '../../config/release/operations.js';
import { changeStatus } from '../store.js';
import { workloadsOf } from '../workloads.js';
import type { ReleaseHost } from './host.js';

const EMPTY: ReleaseStatus = { phase: 'Pending', versions: [], history: [] };

/** The status `patch` asks for, with each version's weight and replicas as they stand. */
function statusOf(fresh: Release, prior: ReleaseStatus | undefined, patch: Partial<ReleaseStatus>, byVersion: Map<string, Deployment>): ReleaseStatus {
  const spec = fresh.spec!;
  const base = prior ?? EMPTY;
  const stage = (patch.stage as Stage | undefined) ?? (base.stage as Stage | undefined) ?? 'pin';
  const weights = effectiveWeights(fresh, stage);
  const versions = releaseVersions(fresh).map((v) => {
    const d = byVersion.get(v);
    return {
      version: v,
      workload: d?.metadata.name ?? `${spec.service}-${v}`,
      weight: weights[v] ?? 0,
      replicas: d?.spec?.replicas ?? 0,
      readyReplicas: d?.status?.readyReplicas ?? 0,
    };
  });
  const status: ReleaseStatus = { ...base, ...patch, versions };
  if (spec.governor) status.governor = spec.governor;
  else delete status.governor;
  if (status.message === undefined) delete status.message;
  return status;
}

/** Records `patch` in the release's status (nothing is written when nothing changed). */
export async function recordStatus(host: ReleaseHost, r: Release, patch: Partial<ReleaseStatus>): Promise<Release | undefined> {
  const ns = r.metadata.namespace as string;
  const byVersion = await workloadsOf(host.store, ns, r.spec!.service);
  return changeStatus<Release>(host.store, host.log, 'Release', ns, r.metadata.name, (prior, fresh) => statusOf(fresh, prior, patch, byVersion));
}

/** Records an operation begun: its history entry, and for offline and delete the pending record. */
export async function recordOperation(host: ReleaseHost, r: Release, patch: Partial<ReleaseStatus>, e: ReleaseHistoryEntry): Promise<void> {
  await changeStatus<Release>(host.store, host.log, 'Release', r.metadata.namespace as string, r.metadata.name, (prior) => {
    const base = prior ?? EMPTY;
    return { ...base, ...patch, history: pushHistory(base.history, e) };
  });
}

/** Writes the result of history entry `e` (found by time, operation and user). */
export async function writeResult(host: ReleaseHost, r: Release, e: ReleaseHistoryEntry, result: string): Promise<Release> {
  const same = (h: ReleaseHistoryEntry): boolean => h.time === e.time && h.operation === e.operation && h.user === e.user;
  const out = await changeStatus<Release>(host.store, host.log, 'Release', r.metadata.namespace as string, r.metadata.name, (prior) => {
    const base = prior ?? EMPTY;
    return { ...base, history: base.history.map((h) => (same(h) ? { ...h, result } : h)) };
  });
  return out ?? r;
}

/** How an operation ended, for its history entry. */
export function resultOf(r: Release): string {
  const st = r.status as ReleaseStatus;
  const at = st.configVersion !== undefined ? ` at config version ${st.configVersion}` : '';
  if (st.phase === 'Running') return `enforced${at}`;
  if (st.phase === 'Paused') return `held${at}: the principal serves all traffic`;
  return `${st.phase.toLowerCase()}${st.message ? `: ${st.message}` : ''}`;
}
