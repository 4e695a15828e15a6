/**
 * Automatic releases in the console, pure: the wizard's "Automatic" settings turned into
 * `spec.analysis` (as `graymesh release create --steps ...` builds it), and a release's
 * plan as the timeline shows it (the controller's order: stepWeights become a weight and
 * an analysis each; a blue-green plan begins with the switch; the last step promotes).
 */
import type { AnalysisCheck, ReleaseAnalysis, ReleaseSpec } from '../api/types';

export interface AutoForm {
  /** The new version's weights in turn, e.g. "20,50". */
  steps: string;
  interval: string;
  minSuccessRate: number;
  /** p99 latency, ms. */
  maxP99: number;
  minRequests: number;
}

export const emptyAuto = (): AutoForm => ({ steps: '10,25,50', interval: '30s', minSuccessRate: 99, maxP99: 500, minRequests: 10 });

const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;

/** The weights of "10, 25,50", or what is wrong with them. */
export function parseSteps(s: string): number[] | string {
  const parts = s.split(',').map((x) => x.trim()).filter(Boolean);
  if (parts.length === 0) return 'Steps: give the new version\'s weights in turn, e.g. 10,25,50';
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 99) return `Steps: ${p} is not a whole percent from 1 to 99`;
    if (out.length > 0 && n <= out[out.length - 1]!) return `Steps: ${n} does not grow from ${out[out.length - 1]}; list weights in increasing order`;
    out.push(n);
  }
  return out;
}

export function autoErrors(f: AutoForm): string[] {
  const errs: string[] = [];
  const steps = parseSteps(f.steps);
  if (typeof steps === 'string') errs.push(steps);
  if (!DURATION.test(f.interval.trim())) errs.push('Interval: a duration such as 30s or 1m');
  if (!(f.minSuccessRate >= 0 && f.minSuccessRate <= 100)) errs.push('Minimum success rate: a percent from 0 to 100');
  if (!(f.maxP99 > 0)) errs.push('Maximum p99 latency: more than 0 ms');
  if (!Number.isInteger(f.minRequests) || f.minRequests < 0) errs.push('Minimum requests: a whole number, 0 or more');
  return errs;
}

export function analysisOf(f: AutoForm): ReleaseAnalysis {
  return {
    stepWeights: parseSteps(f.steps) as number[],
    interval: f.interval.trim(),
    metrics: [
      { name: 'request-success-rate', thresholdRange: { min: f.minSuccessRate } },
      { name: 'request-duration', thresholdRange: { max: f.maxP99 } },
    ],
    minRequests: f.minRequests,
  };
}

export interface PlanItem {
  label: string;
  state: 'done' | 'current' | 'next';
}

/** The steps of a release's plan, then the promotion, each done, current or next. */
export function planItems(spec: ReleaseSpec, step: number | undefined, phase: string | undefined): PlanItem[] {
  const a = spec.analysis!;
  const labels: string[] = [];
  if (spec.type === 'bluegreen') labels.push(`Switch to ${spec.newVersion.version}`);
  for (const w of a.stepWeights ?? []) labels.push(`${w}% to ${spec.newVersion.version}`, 'Analysis');
  for (const s of a.steps ?? []) {
    if (s.setWeight !== undefined) labels.push(`${s.setWeight}% to ${spec.newVersion.version}`);
    else if (s.pause) labels.push(s.pause.duration ? `Pause ${s.pause.duration}` : 'Pause until promoted');
    else labels.push('Analysis');
  }
  if (spec.type === 'bluegreen' && labels.length === 1) labels.push('Analysis');
  labels.push(`Promote: ${spec.newVersion.version} takes all`);
  const at = phase === 'Succeeded' ? labels.length : (step ?? -1);
  return labels.map((label, i) => ({ label, state: i < at ? 'done' : i === at && phase !== 'Failed' ? 'current' : 'next' }));
}

/** A check's value as it reads: "99.5 %", "48 ms", "p 0.31". */
export function checkValue(c: AnalysisCheck): string {
  if (c.value === null) return '–';
  if (c.metric === 'request-success-rate') return `${c.value} %`;
  if (c.metric === 'request-duration') return `${c.value} ms`;
  if (c.metric === 'compare-to-baseline') return `p ${c.value}`;
  return String(c.value);
}

/** The thresholds to draw on the version charts: success rate min %, p99 max ms. */
export function chartThresholds(spec: ReleaseSpec | undefined): { successRate?: number; p99?: number } {
  const out: { successRate?: number; p99?: number } = {};
  for (const m of spec?.analysis?.metrics ?? (spec?.analysis ? [{ name: 'request-success-rate', thresholdRange: { min: 99 } }] : [])) {
    if (m.name === 'request-success-rate' && m.thresholdRange?.min !== undefined) out.successRate = m.thresholdRange.min;
    if (m.name === 'request-duration' && m.thresholdRange?.max !== undefined) out.p99 = m.thresholdRange.max;
  }
  return out;
}
