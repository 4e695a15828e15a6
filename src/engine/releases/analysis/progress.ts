/**
 * One pass of an automatic release (Argo Rollouts' steps, Flagger's analysis): the
 * confirm-rollout gate and pre-rollout webhooks before any traffic moves, then each step
 * in turn — a weight set and enforced by every proxy, a timed pause, a pause until
 * promoted, an analysis waiting for a passing check — with checks every interval while
 * the new version has traffic; after the last step the confirm-promotion gate, then the
 * new version takes all traffic. Returns how long until the next pass is due (ms), or
 * undefined when only an event (a promote, the workload ready) moves it on.
 */
import type { Release } from '../../../config/release/types.js';
import type { ReleaseHost } from '../host.js';
import { reconcile } from '../reconcile.js';
import { checkWindow, dueIn, failed } from './checks.js';
import { automaticNote, automaticStep } from './record.js';
import { event, hooks, iso, newWeight, passOf, save, stepText, TERMINAL, type Pass } from './state.js';
import { failedCall } from './webhooks.js';

type Outcome = number | undefined | 'go';

/** Gates are asked again once per interval. */
const gateDue = (p: Pass): number => (p.a.lastGate ? Date.parse(p.a.lastGate) + p.s.intervalMs - p.now : 0);

async function begin(p: Pass): Promise<Outcome> {
  const wait = gateDue(p);
  if (wait > 0) return wait;
  p.a.lastGate = iso(p);
  if (!p.a.promoted) {
    const confirm = await hooks(p, 'confirm-rollout');
    if (!confirm.passed) {
      await save(p, { phase: 'Progressing', message: `waiting for ${failedCall(confirm.calls)}; asked again every interval` });
      return p.s.intervalMs;
    }
  }
  const pre = await hooks(p, 'pre-rollout');
  if (!pre.passed) {
    const r = await failed(p, `${failedCall(pre.calls)} before any traffic moved`);
    return r === 'stopped' ? undefined : p.s.intervalMs;
  }
  Object.assign(p.a, { started: true, promoted: false, stepStarted: iso(p), windowStart: iso(p) });
  delete p.a.lastGate;
  await event(p, `rollout of ${p.r.spec!.newVersion.version} started`);
  return 'go';
}

async function setWeight(p: Pass, weight: number): Promise<void> {
  const spec = p.r.spec!;
  const v = spec.newVersion.version;
  const message = spec.type === 'bluegreen' ? `${v} serves all traffic, ${spec.principal} stands by` : `${v} gets ${weight}% of traffic`;
  p.r = await automaticStep(p.host, p.r, 'set-weight', message, (s) => {
    if (s.type === 'bluegreen') s.routes.serve = v;
    else s.routes.weights = { [s.principal]: 100 - weight, [v]: weight };
  }, { phase: 'Progressing', message: `${stepText(p)}: ${message}`, analysis: p.a });
  // Enforced by every proxy before the window of the checks at this weight begins.
  p.r = (await reconcile(p.host, p.r.metadata.namespace as string, p.r.metadata.name)) ?? p.r;
  await p.host.metrics?.refresh?.();
  p.now = p.clock.now();
  await event(p, message);
}

function nextStep(p: Pass): void {
  p.a.step++;
  Object.assign(p.a, { stepStarted: iso(p), passedThisStep: false });
}

/** Runs a check window when one is due (and the new version has traffic, unless `always`). */
async function maybeCheck(p: Pass, always: boolean): Promise<'stopped' | 'waited' | 'pass' | 'none'> {
  if (!always && newWeight(p.r.spec!) === 0) return 'none';
  if (dueIn(p) > 0) return 'waited';
  const v = await checkWindow(p);
  return v === 'stopped' ? 'stopped' : v === 'pass' ? 'pass' : 'waited';
}

async function runSteps(p: Pass): Promise<Outcome> {
  while (p.a.step < p.plan.length) {
    const step = p.plan[p.a.step]!;
    const at = `${stepText(p)}: ${newWeight(p.r.spec!)}% to ${p.r.spec!.newVersion.version}`;
    if (step.kind === 'weight') {
      await setWeight(p, step.weight);
      nextStep(p);
      Object.assign(p.a, { windowStart: iso(p) });
      continue;
    }
    const checked = await maybeCheck(p, step.kind === 'analysis');
    if (checked === 'stopped') return undefined;
    if (step.kind === 'analysis') {
      if (checked !== 'pass') {
        // A failed or inconclusive check has said why; otherwise say what the step waits for.
        const said = p.r.status?.phase === 'Progressing' && p.r.status.message?.startsWith(`${stepText(p)}:`);
        await save(p, said ? {} : { phase: 'Progressing', message: `${at}, analysis every ${Math.round(p.s.intervalMs / 1000)}s` });
        return dueIn(p);
      }
      nextStep(p);
      continue;
    }
    if (step.ms === undefined) {
      await save(p, { phase: 'Paused', message: `${at}, paused: graymesh release promote ${p.r.metadata.name} to go on` });
      return newWeight(p.r.spec!) > 0 ? dueIn(p) : undefined;
    }
    const left = Date.parse(p.a.stepStarted) + step.ms - p.now;
    if (left > 0) {
      await save(p, { phase: 'Progressing', message: `${at}, pause ${Math.ceil(step.ms / 1000)}s` });
      return newWeight(p.r.spec!) > 0 ? Math.min(left, dueIn(p)) : left;
    }
    nextStep(p);
  }
  return 'go';
}

async function promote(p: Pass): Promise<number | undefined> {
  const spec = p.r.spec!;
  const v = spec.newVersion.version;
  if (!p.a.promoted) {
    const checked = await maybeCheck(p, false);
    if (checked === 'stopped') return undefined;
    const wait = gateDue(p);
    if (wait > 0) return Math.min(wait, newWeight(spec) > 0 ? dueIn(p) : wait);
    p.a.lastGate = iso(p);
    const gate = await hooks(p, 'confirm-promotion');
    if (!gate.passed) {
      await save(p, { phase: 'WaitingForPromotion', message: `every step passed; waiting for ${failedCall(gate.calls)}; asked again every interval` });
      return p.s.intervalMs;
    }
  }
  await save(p, { phase: 'Promoting', message: `${v} takes all traffic` });
  if (spec.type === 'canary') {
    p.r = await automaticStep(p.host, p.r, 'promote', `${v} takes all traffic`, (s) => {
      s.routes.weights = { [s.principal]: 0, [v]: 100 };
    }, { phase: 'Promoting', analysis: p.a });
    p.r = (await reconcile(p.host, p.r.metadata.namespace as string, p.r.metadata.name)) ?? p.r;
  } else {
    await automaticNote(p.host, p.r, 'promote', `${v} keeps all traffic`);
  }
  const message = `${v} serves all traffic; ${spec.principal} stays for a rollback until taken offline (graymesh release offline ${p.r.metadata.name})`;
  await hooks(p, 'post-rollout');
  await event(p, message);
  p.host.load?.stop(`${p.r.metadata.namespace}/${p.r.metadata.name}`);
  p.a.step = p.plan.length;
  await save(p, { phase: 'Succeeded', message, condition: { type: 'Promoted', status: 'True', reason: 'Succeeded', message } });
  return undefined;
}

/** One pass of the automatic release ns/name; what it waits for next (ms), or undefined. */
export async function advance(host: ReleaseHost, ns: string, name: string): Promise<number | undefined> {
  const r = await host.store.get<Release>('Release', ns, name);
  if (!r?.spec?.analysis || !r.status) return undefined;
  if (TERMINAL.has(r.status.phase)) return undefined;
  // The new workload is not ready yet, or a person holds the release (a governor, a pause policy).
  if (r.status.stage !== 'rules' || r.status.phase === 'Pending') return undefined;
  const p = passOf(host, r);
  // Paused by inconclusive checks: held until promoted or aborted.
  if (r.status.phase === 'Paused' && p.a.inconclusive >= p.s.maxInconclusive) return undefined;
  if (r.spec.governor) {
    await save(p, { phase: 'Paused', message: `held: ${r.spec.governor} takes all traffic by hand; graymesh release restore ${name} to go on` });
    return undefined;
  }
  const load = r.spec.analysis.loadTest;
  if (load) host.load?.start(`${ns}/${name}`, { url: load.url, rps: load.rps ?? 10, headers: load.headers ?? {} });
  if (!p.a.started) {
    const o = await begin(p);
    if (o !== 'go') return o;
  }
  const steps = await runSteps(p);
  return steps === 'go' ? promote(p) : steps;
}
