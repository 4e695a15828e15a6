/** A release's analysis as the runner reads it: the plan of steps and the settings with their defaults. */
import { parseIstioDuration } from '../../../config/validate/duration.js';
import type { AnalysisMetric, ReleaseAnalysis, ReleaseSpec } from '../../../config/release/types.js';

export type PlanStep = { kind: 'weight'; weight: number } | { kind: 'pause'; ms?: number } | { kind: 'analysis' };

/**
 * The steps in order. stepWeights [10, 25] becomes setWeight 10, analysis, setWeight 25,
 * analysis. A blue-green release begins by switching all traffic to the new version
 * (its principal stays up for a rollback); without steps it then runs one analysis.
 */
export function planOf(spec: ReleaseSpec): PlanStep[] {
  const a = spec.analysis as ReleaseAnalysis;
  const steps: PlanStep[] = [];
  if (spec.type === 'bluegreen') steps.push({ kind: 'weight', weight: 100 });
  if (a.stepWeights) for (const w of a.stepWeights) steps.push({ kind: 'weight', weight: w }, { kind: 'analysis' });
  for (const s of a.steps ?? []) {
    if (s.setWeight !== undefined) steps.push({ kind: 'weight', weight: s.setWeight });
    else if (s.pause) {
      const ms = s.pause.duration !== undefined ? parseIstioDuration(s.pause.duration) : undefined;
      steps.push(ms !== undefined ? { kind: 'pause', ms } : { kind: 'pause' });
    } else steps.push({ kind: 'analysis' });
  }
  if (spec.type === 'bluegreen' && steps.length === 1) steps.push({ kind: 'analysis' });
  return steps;
}

export interface Settings {
  intervalMs: number;
  minRequests: number;
  maxInconclusive: number;
  onInconclusive: 'fail' | 'pause';
  threshold: number;
  metrics: AnalysisMetric[];
  /** The baseline comparison's confidence, when asked for. */
  confidence?: number;
}

/** Without metrics, the success rate must be at least 99%: an analysis always checks something. */
export const DEFAULT_METRICS: AnalysisMetric[] = [{ name: 'request-success-rate', thresholdRange: { min: 99 } }];

export function settingsOf(a: ReleaseAnalysis): Settings {
  return {
    intervalMs: (a.interval !== undefined ? parseIstioDuration(a.interval) : undefined) ?? 60_000,
    minRequests: a.minRequests ?? 10,
    maxInconclusive: a.maxInconclusive ?? 3,
    onInconclusive: a.onInconclusive ?? 'fail',
    threshold: a.threshold ?? 2,
    metrics: a.metrics ?? DEFAULT_METRICS,
    ...(a.compareToBaseline ? { confidence: a.compareToBaseline.confidence ?? 0.95 } : {}),
  };
}
