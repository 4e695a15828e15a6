/**
 * A Release's `spec.analysis`: automatic progressive delivery after Argo Rollouts'
 * steps and Flagger's analysis. The plan is `steps` (setWeight, pause, analysis) or
 * the shorthand `stepWeights` with `interval`; every `interval` the checks read each
 * version's traffic from the metrics source, and a failed analysis rolls back by itself.
 */

/** One step of the plan, as Argo Rollouts writes it: exactly one field. */
export interface AnalysisStep {
  /** The new version's share of traffic, %. */
  setWeight?: number;
  /** Wait `duration` (checks go on meanwhile), or with no duration until `graymesh release promote`. */
  pause?: { duration?: string };
  /** Run the checks now; the next step waits for a passing one. */
  analysis?: Record<string, never>;
}

/** A check: a built-in metric (`request-success-rate` %, `request-duration` p99 ms) or a PromQL `query`. */
export interface AnalysisMetric {
  name: string;
  /** The range a passing value lies in: success rate `min`, duration `max`, either for a query. */
  thresholdRange?: { min?: number; max?: number };
  /** PromQL giving one number, when the metrics source is Prometheus; `{{namespace}}`, `{{service}}`, `{{version}}`, `{{interval}}` are filled in. */
  query?: string;
}

export const WEBHOOK_TYPES = ['pre-rollout', 'rollout', 'confirm-rollout', 'confirm-promotion', 'post-rollout', 'rollback', 'event'] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** Flagger's webhook: POST JSON {name, namespace, phase, metadata}; a 2xx answer passes. */
export interface AnalysisWebhook {
  name: string;
  type: WebhookType;
  url: string;
  /** Default 10s. */
  timeout?: string;
  metadata?: Record<string, string>;
}

export interface ReleaseAnalysis {
  steps?: AnalysisStep[];
  /** Shorthand: each weight in turn, for one passing check each. */
  stepWeights?: number[];
  /** How often checks run and gates are asked again (default 1m). */
  interval?: string;
  metrics?: AnalysisMetric[];
  /** Fewer requests to the new version in a check's window make it inconclusive, never a pass (default 10). */
  minRequests?: number;
  /** Inconclusive checks in a row before `onInconclusive` (default 3). */
  maxInconclusive?: number;
  /** fail: roll back (default); pause: hold until promoted or aborted. */
  onInconclusive?: 'fail' | 'pause';
  /** Failed checks before the release rolls back (default 2). */
  threshold?: number;
  /** The new version's 5xx rate must not be worse than the principal's in the same window, by a one-sided exact test. */
  compareToBaseline?: { confidence?: number };
  webhooks?: AnalysisWebhook[];
  /** Traffic top-up while the checks run, from graymesh's load generator. */
  loadTest?: { url: string; rps?: number; headers?: Record<string, string> };
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** One check of one metric of one version, as kept in the status. */
export interface AnalysisCheck {
  time: string;
  metric: string;
  version: string;
  /** The value measured (null without requests). */
  value: number | null;
  /** The threshold, as written: `>= 99`, `<= 500`, `p >= 0.05`. */
  threshold: string;
  requests: number;
  verdict: Verdict;
  /** Why, when the numbers alone do not say (too few requests, a baseline's errors). */
  reason?: string;
}

export interface WebhookCall {
  time: string;
  name: string;
  type: WebhookType;
  phase: string;
  /** HTTP status, or 0 without an answer. */
  status: number;
  passed: boolean;
  error?: string;
  ms: number;
}

export type AutomaticPhase = 'Progressing' | 'Paused' | 'WaitingForPromotion' | 'Promoting' | 'Succeeded' | 'Failed';

export interface AnalysisStatus {
  /** The step under way (index into the plan); the plan's length once promoting. */
  step: number;
  /** How many steps the plan has. */
  steps: number;
  /** When the step under way began (RFC 3339). */
  stepStarted: string;
  /** The start of the next check's window (RFC 3339). */
  windowStart: string;
  /** When the last check ran or gate was asked. */
  lastCheck?: string;
  /** pre-rollout and confirm-rollout passed. */
  started?: boolean;
  /** When a gate (confirm-rollout, confirm-promotion) was last asked. */
  lastGate?: string;
  /** A person promoted past the gate under way (`graymesh release promote`). */
  promoted?: boolean;
  failedChecks: number;
  /** Inconclusive checks in a row. */
  inconclusive: number;
  /** A passing check since the step began (an analysis step waits for one). */
  passedThisStep?: boolean;
  /** Why the release rolled back or paused. */
  reason?: string;
  checks: AnalysisCheck[];
  webhooks: WebhookCall[];
}

export interface ReleaseCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}
