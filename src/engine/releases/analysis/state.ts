/** The working state of one pass of an automatic release, and the helpers every part of a pass uses. */
import type { AnalysisStatus, Release, ReleaseSpec, WebhookType } from '../../../config/release/types.js';
import type { ReleaseHost } from '../host.js';
import { systemClock, type Clock } from './clock.js';
import { planOf, settingsOf, type PlanStep, type Settings } from './plan.js';
import { saveAnalysis, type AnalysisPatch } from './record.js';
import { callHooks } from './webhooks.js';

export const TERMINAL = new Set(['Succeeded', 'Failed']);
export const AUTOMATIC_PHASES = new Set(['Progressing', 'Paused', 'WaitingForPromotion', 'Promoting', 'Succeeded', 'Failed']);

export interface Pass {
  host: ReleaseHost;
  clock: Clock;
  r: Release;
  a: AnalysisStatus;
  s: Settings;
  plan: PlanStep[];
  now: number;
}

export const isAutomatic = (r: Release | undefined): boolean => r?.spec?.analysis !== undefined;

export function newAnalysis(steps: number, time: string): AnalysisStatus {
  return { step: 0, steps, stepStarted: time, windowStart: time, failedChecks: 0, inconclusive: 0, checks: [], webhooks: [] };
}

export function passOf(host: ReleaseHost, r: Release): Pass {
  const clock = host.clock ?? systemClock;
  const now = clock.now();
  const plan = planOf(r.spec as ReleaseSpec);
  const a = structuredClone(r.status?.analysis ?? newAnalysis(plan.length, new Date(now).toISOString()));
  return { host, clock, r, a, s: settingsOf(r.spec!.analysis!), plan, now };
}

export const iso = (p: Pass): string => new Date(p.now).toISOString();

/** The new version's share of traffic as the spec stands. */
export function newWeight(spec: ReleaseSpec): number {
  if (spec.type === 'bluegreen') return spec.routes.serve === spec.newVersion.version ? 100 : 0;
  return spec.routes.weights?.[spec.newVersion.version] ?? 0;
}

/** Calls the webhooks of a type, keeping each call in the analysis. */
export async function hooks(p: Pass, type: WebhookType): Promise<{ passed: boolean; calls: AnalysisStatus['webhooks'] }> {
  const res = await callHooks(p.r.spec!.analysis!.webhooks, type, p.r, p.r.status?.phase ?? 'Progressing', iso(p));
  p.a.webhooks.push(...res.calls);
  return res;
}

/** Tells the event webhooks (they gate nothing). */
export async function event(p: Pass, message: string): Promise<void> {
  const hooksOf = (p.r.spec!.analysis!.webhooks ?? []).filter((h) => h.type === 'event');
  if (hooksOf.length === 0) return;
  const withMessage: Release = { ...p.r, spec: { ...p.r.spec!, analysis: { ...p.r.spec!.analysis, webhooks: hooksOf.map((h) => ({ ...h, metadata: { ...h.metadata, message } })) } } };
  const res = await callHooks(withMessage.spec!.analysis!.webhooks, 'event', withMessage, p.r.status?.phase ?? 'Progressing', iso(p));
  p.a.webhooks.push(...res.calls);
}

export async function save(p: Pass, patch: Omit<AnalysisPatch, 'analysis'>): Promise<void> {
  p.r = await saveAnalysis(p.host, p.r, { ...patch, analysis: p.a }, iso(p));
}

/** "step 2 of 6" as a person counts. */
export const stepText = (p: Pass): string => `step ${Math.min(p.a.step + 1, p.plan.length)} of ${p.plan.length}`;
