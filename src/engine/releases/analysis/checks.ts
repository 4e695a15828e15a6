/**
 * One check window of an automatic release: the rollout webhooks, then every metric on
 * the new version, and what the verdict does to the counters: a failure counts toward
 * `threshold` (then the release rolls back), an inconclusive window toward
 * `maxInconclusive` (then it fails or pauses, as configured). Never a pass without
 * `minRequests` requests.
 */
import type { Verdict } from '../../../config/release/types.js';
import { runChecks, verdictOf } from './metrics.js';
import { rollBack } from './rollback.js';
import { hooks, iso, save, stepText, type Pass } from './state.js';
import { failedCall } from './webhooks.js';

/** What a window ended in; `stopped`: the release rolled back or paused. */
export type WindowResult = Verdict | 'stopped';

export const dueIn = (p: Pass): number => Date.parse(p.a.windowStart) + p.s.intervalMs - p.now;

/** A failed check (or gate): rolls back at `threshold`, else says so and waits. */
export async function failed(p: Pass, reason: string): Promise<WindowResult> {
  p.a.failedChecks++;
  p.a.reason = reason;
  if (p.a.failedChecks >= p.s.threshold) {
    await rollBack(p, `${p.a.failedChecks} failed checks (threshold ${p.s.threshold}); last: ${reason}`);
    return 'stopped';
  }
  await save(p, { phase: 'Progressing', message: `${stepText(p)}: check failed (${p.a.failedChecks} of ${p.s.threshold}): ${reason}` });
  return 'fail';
}

function summary(checks: Pass['a']['checks']): string {
  const bad = checks.filter((c) => c.verdict !== 'pass');
  return bad.map((c) => `${c.metric} of ${c.version} ${c.value ?? '-'} (wants ${c.threshold}${c.reason ? `; ${c.reason}` : ''})`).join('; ');
}

export async function checkWindow(p: Pass): Promise<WindowResult> {
  const { host, r, s, a } = p;
  const rollout = await hooks(p, 'rollout');
  if (!rollout.passed) {
    a.windowStart = iso(p);
    return failed(p, failedCall(rollout.calls));
  }
  // The window ends at the counters just read (and after the webhooks' time).
  await host.metrics?.refresh?.();
  p.now = p.clock.now();
  const time = iso(p);
  const checks = await runChecks(host.metrics, r, s, { fromMs: Date.parse(a.windowStart), toMs: p.now }, time);
  a.checks.push(...checks);
  a.lastCheck = time;
  a.windowStart = time;
  const verdict = verdictOf(checks);
  if (verdict === 'fail') return failed(p, summary(checks));
  if (verdict === 'pass') {
    a.inconclusive = 0;
    a.passedThisStep = true;
    return 'pass';
  }
  a.inconclusive++;
  a.reason = summary(checks);
  if (a.inconclusive < s.maxInconclusive) {
    await save(p, { phase: 'Progressing', message: `${stepText(p)}: inconclusive (${a.inconclusive} of ${s.maxInconclusive}): ${a.reason}` });
    return 'inconclusive';
  }
  const why = `${a.inconclusive} inconclusive checks in a row (maxInconclusive ${s.maxInconclusive}); last: ${a.reason}`;
  if (s.onInconclusive === 'fail') {
    await rollBack(p, why);
    return 'stopped';
  }
  await save(p, {
    phase: 'Paused',
    message: `${stepText(p)}: paused: ${why}; graymesh release promote ${r.metadata.name} to go on, or abort`,
    condition: { type: 'Progressing', status: 'False', reason: 'Inconclusive', message: why },
  });
  return 'stopped';
}
