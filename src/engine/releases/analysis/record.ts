/**
 * What an automatic release writes: its status (phase, message, analysis, conditions;
 * checks and webhook calls bounded), and each step graymesh takes by itself, kept in
 * the release's history as done by `graymesh` on behalf of the release's creator and
 * told to the engine's audit log.
 */
import { historyEntry, pushHistory, releaseSummary } from '../../../config/release/operations.js';
import type { AnalysisStatus, Release, ReleaseCondition, ReleaseSpec, ReleaseStatus } from '../../../config/release/types.js';
import { changeStatus, retryOnConflict } from '../../store.js';
import type { ReleaseHost } from '../host.js';

export const AUTOMATIC_USER = 'graymesh';
const KEEP_CHECKS = 200;
const KEEP_CALLS = 100;

/** Who created the release (its first history entry), for whom graymesh acts. */
export function creatorOf(r: Release): string {
  return (r.status as ReleaseStatus | undefined)?.history?.find((h) => h.operation === 'create')?.user ?? 'admin';
}

export interface AnalysisPatch {
  phase?: string;
  message?: string;
  analysis: AnalysisStatus;
  condition?: Omit<ReleaseCondition, 'lastTransitionTime'>;
}

function withCondition(list: ReleaseCondition[] | undefined, c: Omit<ReleaseCondition, 'lastTransitionTime'>, time: string): ReleaseCondition[] {
  const prior = (list ?? []).find((x) => x.type === c.type);
  const same = prior && prior.status === c.status && prior.reason === c.reason && prior.message === c.message;
  if (same) return list as ReleaseCondition[];
  return [...(list ?? []).filter((x) => x.type !== c.type), { ...c, lastTransitionTime: prior && prior.status === c.status ? prior.lastTransitionTime : time }];
}

/** Writes the analysis' state; returns the release after it. */
export async function saveAnalysis(host: ReleaseHost, r: Release, p: AnalysisPatch, time: string): Promise<Release> {
  const a = { ...p.analysis, checks: p.analysis.checks.slice(-KEEP_CHECKS), webhooks: p.analysis.webhooks.slice(-KEEP_CALLS) };
  const out = await changeStatus<Release>(host.store, host.log, 'Release', r.metadata.namespace as string, r.metadata.name, (prior) => {
    const base = prior ?? { phase: 'Pending', versions: [], history: [] };
    const next: ReleaseStatus = { ...base, analysis: a };
    if (p.phase !== undefined) next.phase = p.phase;
    if (p.message !== undefined) next.message = p.message;
    if (p.condition) next.conditions = withCondition(base.conditions, p.condition, time);
    return next;
  });
  return out ?? r;
}

/**
 * Changes the spec as a step graymesh takes by itself (history: user graymesh, on behalf of
 * the creator; the audit log told), in one write with the analysis' state.
 */
export async function automaticStep(
  host: ReleaseHost,
  r: Release,
  operation: string,
  message: string,
  mutate: (spec: ReleaseSpec) => void,
  analysis: Partial<ReleaseStatus>,
  by?: string,
): Promise<Release> {
  const ns = r.metadata.namespace as string;
  const onBehalfOf = creatorOf(r);
  const who = by !== undefined ? { user: by } : { user: AUTOMATIC_USER, onBehalfOf };
  const out = await retryOnConflict(`release ${ns}/${r.metadata.name}`, host.log, async () => {
    const fresh = (await host.store.get<Release>('Release', ns, r.metadata.name)) ?? r;
    const spec = structuredClone(fresh.spec) as ReleaseSpec;
    mutate(spec);
    const e = { ...historyEntry(AUTOMATIC_USER, operation, releaseSummary(fresh.spec as ReleaseSpec), releaseSummary(spec)), ...who, result: message };
    const next: Release = { ...fresh, spec: spec as Release['spec'] };
    const status = (fresh.status as ReleaseStatus | undefined) ?? { phase: 'Pending', versions: [], history: [] };
    const { resourceVersion: _rv, ...unversioned } = next.metadata;
    await host.store.transaction([
      { op: 'update', object: next },
      { op: 'updateStatus', object: { ...next, metadata: unversioned, status: { ...status, ...analysis, history: pushHistory(status.history, e) } } },
    ]);
    return (await host.store.get<Release>('Release', ns, r.metadata.name)) ?? next;
  });
  if (by !== undefined) return out;
  host.log(`release ${ns}/${r.metadata.name}: ${operation} by ${AUTOMATIC_USER} for ${onBehalfOf}: ${message}`);
  host.audit?.({ namespace: ns, release: r.metadata.name, operation, onBehalfOf, message });
  return out;
}

/** Records a step with no spec change (a rollback's outcome, a promotion confirmed) in history and audit. */
export async function automaticNote(host: ReleaseHost, r: Release, operation: string, message: string): Promise<void> {
  const ns = r.metadata.namespace as string;
  const onBehalfOf = creatorOf(r);
  await changeStatus<Release>(host.store, host.log, 'Release', ns, r.metadata.name, (prior) => {
    const base = prior ?? { phase: 'Pending', versions: [], history: [] };
    return { ...base, history: pushHistory(base.history, { ...historyEntry(AUTOMATIC_USER, operation, undefined, undefined), onBehalfOf, result: message }) };
  });
  host.log(`release ${ns}/${r.metadata.name}: ${operation} by ${AUTOMATIC_USER} for ${onBehalfOf}: ${message}`);
  host.audit?.({ namespace: ns, release: r.metadata.name, operation, onBehalfOf, message });
}
