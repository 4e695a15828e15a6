/**
 * Automatic rollback, make-before-break: the Failed phase and its reason are recorded
 * first (with the principal's weight back to 100 in the spec), so a controller restarted
 * mid-way finishes it; then every proxy enforces the route pinned to the principal, and
 * only then does the new version's workload go (its pods leave every proxy's endpoints
 * before they stop). The rollback, event and post-rollout webhooks are told last.
 */
import { compileDestinationRule, compileVirtualService } from '../../../config/release/compile.js';
import { RELEASE_LABEL, type Release, type ReleaseSpec } from '../../../config/release/types.js';
import { workloadOf } from '../../workloads.js';
import type { ReleaseHost } from '../host.js';
import { recordStatus } from '../status.js';
import { removeWorkload, step } from '../steps.js';
import { automaticStep } from './record.js';
import { event, hooks, iso, save, type Pass } from './state.js';

/** Whether reconcile finds a rolled-back automatic release: it stays pinned to the principal, without the new workload. */
export const rolledBack = (r: Release): boolean => r.spec?.analysis !== undefined && r.status?.phase === 'Failed';

function principalServes(spec: ReleaseSpec): void {
  if (spec.type === 'bluegreen') spec.routes.serve = spec.principal;
  else spec.routes.weights = { [spec.principal]: 100, [spec.newVersion.version]: 0 };
}

/** The routing and workload part of a rollback; reconcile runs it for a Failed automatic release. */
export async function finishRollback(host: ReleaseHost, r: Release): Promise<Release | undefined> {
  const ns = r.metadata.namespace as string;
  const spec = r.spec!;
  const at = `release ${ns}/${r.metadata.name}: rollback`;
  await step(host, `${at}: subsets`, compileDestinationRule(r));
  const pinned = await step(host, `${at}: route to ${spec.principal}`, compileVirtualService(r, 'pin'));
  const created = await workloadOf(host.store, ns, spec.service, spec.newVersion.version);
  if (created?.metadata.labels?.[RELEASE_LABEL] === r.metadata.name) await removeWorkload(host, ns, spec.service, spec.newVersion.version);
  return recordStatus(host, r, { stage: 'pin', observedGeneration: r.metadata.generation ?? 1, ...(pinned?.version !== undefined ? { configVersion: pinned.version } : {}) });
}

/** Rolls back for `reason`; `by` names the person who aborted (else graymesh did, for the creator). */
export async function rollBack(p: Pass, reason: string, by?: string): Promise<void> {
  const { host } = p;
  const v = p.r.spec!.newVersion.version;
  p.a.reason = reason;
  const message = `rolled back: ${reason}; ${p.r.spec!.principal} serves all traffic and ${v} was removed`;
  const condition = { type: 'Promoted', status: 'False' as const, reason: by !== undefined ? 'Aborted' : 'AnalysisFailed', message };
  p.r = await automaticStep(host, p.r, by !== undefined ? 'abort' : 'rollback', reason, principalServes, { phase: 'Failed', message, analysis: p.a }, by);
  await save(p, { phase: 'Failed', message, condition });
  p.r = (await finishRollback(host, p.r)) ?? p.r;
  await hooks(p, 'rollback');
  await event(p, message);
  await hooks(p, 'post-rollout');
  host.load?.stop(`${p.r.metadata.namespace}/${p.r.metadata.name}`);
  await save(p, { phase: 'Failed', message });
  host.log(`release ${p.r.metadata.namespace}/${p.r.metadata.name}: ${message} (at ${iso(p)})`);
}
