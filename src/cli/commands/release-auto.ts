/**
 * The CLI's automatic releases: `release create ... --steps 10,25,50 --interval 30s
 * --min-success-rate 99 --max-p99 500ms --min-requests 20 --webhook pre-rollout=URL`
 * builds `spec.analysis`; `release watch` follows one to its end.
 */
import { invalid } from '../../api/errors.js';
import { WEBHOOK_TYPES, type AnalysisWebhook, type ReleaseAnalysis, type WebhookType } from '../../config/release/analysis.js';
import { parseIstioDuration } from '../../config/validate/duration.js';

export interface AutoFlags {
  steps?: string;
  interval?: string;
  minSuccessRate?: string;
  maxP99?: string;
  minRequests?: string;
  threshold?: string;
  maxInconclusive?: string;
  onInconclusive?: string;
  compareToBaseline?: string | boolean;
  webhook?: string[];
  loadUrl?: string;
  loadRps?: string;
}

const num = (flag: string, v: string, min: number, max: number, int = false): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n))) throw invalid(`${flag} ${v}: use ${int ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  return n;
};

/** `pre-rollout=http://...` (repeatable) → webhooks named after their type. */
export function parseWebhooks(list: string[]): AnalysisWebhook[] {
  const seen = new Map<string, number>();
  return list.map((w) => {
    const eq = w.indexOf('=');
    const type = w.slice(0, Math.max(0, eq)) as WebhookType;
    if (eq <= 0 || !WEBHOOK_TYPES.includes(type)) throw invalid(`--webhook ${w}: write TYPE=URL with TYPE one of ${WEBHOOK_TYPES.join(', ')}`);
    const n = (seen.get(type) ?? 0) + 1;
    seen.set(type, n);
    return { name: n > 1 ? `${type}-${n}` : type, type, url: w.slice(eq + 1) };
  });
}

/** The analysis the flags ask for, or undefined when none of them is given. */
export function analysisFromFlags(f: AutoFlags): ReleaseAnalysis | undefined {
  const any = f.steps ?? f.interval ?? f.minSuccessRate ?? f.maxP99 ?? f.minRequests ?? f.threshold ?? f.compareToBaseline ?? f.loadUrl ?? (f.webhook?.length ? 'x' : undefined);
  if (any === undefined) return undefined;
  const a: ReleaseAnalysis = {};
  if (f.steps) a.stepWeights = f.steps.split(',').map((s) => num('--steps', s.trim(), 1, 99, true));
  if (f.interval) {
    if (parseIstioDuration(f.interval) === undefined) throw invalid(`--interval ${f.interval}: not a duration; e.g. 30s or 1m`);
    a.interval = f.interval;
  }
  const metrics: NonNullable<ReleaseAnalysis['metrics']> = [];
  if (f.minSuccessRate !== undefined) metrics.push({ name: 'request-success-rate', thresholdRange: { min: num('--min-success-rate', f.minSuccessRate, 0, 100) } });
  if (f.maxP99 !== undefined) {
    const ms = parseIstioDuration(f.maxP99) ?? (/^\d+(\.\d+)?$/.test(f.maxP99) ? Number(f.maxP99) : undefined);
    if (ms === undefined || ms <= 0) throw invalid(`--max-p99 ${f.maxP99}: a latency such as 500ms or 1s`);
    metrics.push({ name: 'request-duration', thresholdRange: { max: ms } });
  }
  if (metrics.length > 0) a.metrics = metrics;
  if (f.minRequests !== undefined) a.minRequests = num('--min-requests', f.minRequests, 0, 1e9, true);
  if (f.threshold !== undefined) a.threshold = num('--threshold', f.threshold, 1, 1000, true);
  if (f.maxInconclusive !== undefined) a.maxInconclusive = num('--max-inconclusive', f.maxInconclusive, 1, 1000, true);
  if (f.onInconclusive !== undefined) {
    if (f.onInconclusive !== 'fail' && f.onInconclusive !== 'pause') throw invalid(`--on-inconclusive ${f.onInconclusive}: use fail or pause`);
    a.onInconclusive = f.onInconclusive;
  }
  if (f.compareToBaseline !== undefined) a.compareToBaseline = f.compareToBaseline === true ? {} : { confidence: num('--compare-to-baseline', String(f.compareToBaseline), 0.5, 0.9999) };
  if (f.webhook?.length) a.webhooks = parseWebhooks(f.webhook);
  if (f.loadUrl) a.loadTest = { url: f.loadUrl, ...(f.loadRps ? { rps: num('--load-rps', f.loadRps, 0.1, 1000) } : {}) };
  return a;
}
