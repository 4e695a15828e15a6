/**
 * What a person does to an automatic release: where it starts (the principal serving
 * everything, so no traffic moves before the gates and pre-rollout webhooks pass),
 * `promote` (past the step or gate holding it) and `abort` (roll back now).
 */
import { conflict, invalid, notFound } from '../../../api/errors.js';
import { historyEntry, pushHistory } from '../../../config/release/operations.js';
import type { Release, ReleaseSpec, ReleaseStatus } from '../../../config/release/types.js';
import { changeStatus } from '../../store.js';
import type { ReleaseHost } from '../host.js';
import { rollBack } from './rollback.js';
import { passOf, stepText, TERMINAL } from './state.js';

/** The spec an automatic release is created with: the principal takes all traffic at first. */
export function automaticStart(spec: ReleaseSpec): ReleaseSpec {
  const out = structuredClone(spec);
  if (out.type === 'bluegreen') out.routes = { ...out.routes, serve: out.principal };
  else out.routes = { weights: { [out.principal]: 100, [out.newVersion.version]: 0 } };
  return out;
}

async function automatic(host: ReleaseHost, ns: string, name: string, operation: string): Promise<Release> {
  const r = await host.store.get<Release>('Release', ns, name);
  if (!r) throw notFound(`release ${name} not found in project ${ns}`);
  if (!r.spec?.analysis) throw invalid(`Release ${name}: ${operation} applies to automatic releases (with spec.analysis); this one moves by hand (graymesh release set-weights, takeover)`);
  const phase = r.status?.phase ?? 'Pending';
  if (TERMINAL.has(phase)) throw conflict(`Release ${name}: ${operation} refused: the release has ${phase === 'Failed' ? 'failed' : 'succeeded'} (${r.status?.message ?? ''}); create another to release again`);
  return r;
}

export async function promoteRelease(host: ReleaseHost, ns: string, name: string, user: string): Promise<Release> {
  const r = await automatic(host, ns, name, 'promote');
  const p = passOf(host, r);
  const was = `${r.status?.phase}, ${stepText(p)}`;
  // Past the gate or step under way: before the start, the confirm-rollout gate; at the end, confirm-promotion.
  if (!p.a.started || p.a.step >= p.plan.length) p.a.promoted = true;
  else Object.assign(p.a, { step: p.a.step + 1, stepStarted: new Date(p.now).toISOString(), passedThisStep: false, inconclusive: 0 });
  const e = { ...historyEntry(user, 'promote', { at: was }, { step: Math.min(p.a.step + 1, p.plan.length) }), result: 'moved on' };
  const out = await changeStatus<Release>(host.store, host.log, 'Release', ns, name, (prior) => {
    const base = (prior ?? r.status) as ReleaseStatus;
    return { ...base, phase: 'Progressing', message: `promoted by ${user} from ${was}`, analysis: p.a, history: pushHistory(base.history, e) };
  });
  return out ?? r;
}

export async function abortRelease(host: ReleaseHost, ns: string, name: string, user: string): Promise<Release> {
  const r = await automatic(host, ns, name, 'abort');
  const p = passOf(host, r);
  await rollBack(p, `aborted by ${user}`, user);
  return p.r;
}
