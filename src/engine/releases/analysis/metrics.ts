/**
 * The metrics port of the analysis and the checks over it. Each engine fills the port
 * from its metrics source (the embedded store or a Prometheus: src/telemetry/query/
 * release-metrics.ts): each version's requests, 5xx answers and p99 latency in a
 * window, as the callers of the service saw them (reporter=source).
 */
import type { AnalysisCheck, AnalysisMetric, Release, Verdict } from '../../../config/release/types.js';
import { worseThanBaseline } from './fisher.js';
import type { Settings } from './plan.js';

export interface VersionTraffic {
  requests: number;
  /** Answered 5xx, or not answered. */
  errors: number;
  /** ms; null without requests. */
  p99: number | null;
}

export interface AnalysisMetrics {
  readonly kind: 'embedded' | 'prometheus';
  /** Reads every proxy's counters now, where the source can (the embedded store); a window then ends at the present. */
  refresh?(): Promise<void>;
  /** Each version's traffic to a service between fromMs and toMs. */
  versions(q: { namespace: string; service: string; fromMs: number; toMs: number }): Promise<Record<string, VersionTraffic>>;
  /** One number from a PromQL expression at atMs (Prometheus only); null when it has no value. */
  query?(promql: string, atMs: number): Promise<number | null>;
}

export interface Window {
  fromMs: number;
  toMs: number;
}

const NONE: VersionTraffic = { requests: 0, errors: 0, p99: null };

function builtin(m: AnalysisMetric, v: VersionTraffic): { value: number | null; threshold: string; pass: boolean } {
  if (m.name === 'request-duration') {
    const max = m.thresholdRange?.max ?? Infinity;
    const value = v.p99 === null ? null : Number(v.p99.toFixed(3));
    return { value, threshold: `p99 <= ${max} ms`, pass: value !== null && value <= max };
  }
  const min = m.thresholdRange?.min ?? 99;
  const value = v.requests > 0 ? Number((100 * (1 - v.errors / v.requests)).toFixed(3)) : null;
  return { value, threshold: `>= ${min} %`, pass: value !== null && value >= min };
}

function fill(q: string, r: Release, version: string, s: Settings): string {
  const vars: Record<string, string> = { namespace: r.metadata.namespace as string, service: r.spec!.service, version, interval: `${Math.round(s.intervalMs / 1000)}s` };
  return q.replace(/\{\{\s*(\w+)\s*\}\}/g, (all, k: string) => vars[k] ?? all);
}

function inRange(value: number, range: AnalysisMetric['thresholdRange']): boolean {
  return (range?.min === undefined || value >= range.min) && (range?.max === undefined || value <= range.max);
}

const rangeText = (range: AnalysisMetric['thresholdRange']): string =>
  [range?.min !== undefined ? `>= ${range.min}` : '', range?.max !== undefined ? `<= ${range.max}` : ''].filter(Boolean).join(' and ');

/** Runs every check of one window on the new version; the baseline comparison last. */
export async function runChecks(metrics: AnalysisMetrics | undefined, r: Release, s: Settings, w: Window, time: string): Promise<AnalysisCheck[]> {
  const spec = r.spec!;
  const version = spec.newVersion.version;
  const base = { time, version };
  if (!metrics) {
    return [{ ...base, metric: 'metrics', value: null, threshold: '-', requests: 0, verdict: 'inconclusive', reason: 'this engine has no metrics source for the analysis' }];
  }
  const byVersion = await metrics.versions({ namespace: r.metadata.namespace as string, service: spec.service, fromMs: w.fromMs, toMs: w.toMs });
  const v = byVersion[version] ?? NONE;
  const few = v.requests < Math.max(1, s.minRequests);
  const tooFew = `${v.requests} requests to ${version}, fewer than minRequests ${s.minRequests}`;
  const out: AnalysisCheck[] = [];
  for (const m of s.metrics) {
    if (m.query !== undefined) {
      const value = metrics.query ? await metrics.query(fill(m.query, r, version, s), w.toMs) : null;
      const verdict: Verdict = few || value === null ? 'inconclusive' : inRange(value, m.thresholdRange) ? 'pass' : 'fail';
      out.push({ ...base, metric: m.name, value, threshold: rangeText(m.thresholdRange), requests: v.requests, verdict, ...(few ? { reason: tooFew } : value === null ? { reason: 'the query returned no value' } : {}) });
      continue;
    }
    const b = builtin(m, v);
    const verdict: Verdict = few || b.value === null ? 'inconclusive' : b.pass ? 'pass' : 'fail';
    out.push({ ...base, metric: m.name, value: b.value, threshold: b.threshold, requests: v.requests, verdict, ...(few ? { reason: tooFew } : {}) });
  }
  if (s.confidence !== undefined) out.push(baselineCheck(byVersion[spec.principal] ?? NONE, v, spec.principal, s, { ...base, few, tooFew }));
  return out;
}

function baselineCheck(p: VersionTraffic, v: VersionTraffic, principal: string, s: Settings, c: { time: string; version: string; few: boolean; tooFew: string }): AnalysisCheck {
  const alpha = Number((1 - (s.confidence as number)).toFixed(6));
  const check = { time: c.time, version: c.version, metric: 'compare-to-baseline', threshold: `p >= ${alpha}`, requests: v.requests };
  const counts = `${c.version} ${v.errors}/${v.requests} errors, ${principal} ${p.errors}/${p.requests}`;
  if (c.few) return { ...check, value: null, verdict: 'inconclusive', reason: c.tooFew };
  if (p.requests < Math.max(1, s.minRequests)) {
    return { ...check, value: null, verdict: 'inconclusive', reason: `${p.requests} requests to the baseline ${principal}, fewer than minRequests ${s.minRequests}` };
  }
  const pValue = worseThanBaseline(v, p);
  const value = Number(pValue.toPrecision(4));
  return { ...check, value, verdict: pValue < alpha ? 'fail' : 'pass', reason: counts };
}

/** The window's verdict: any failed check fails it, else any inconclusive one makes it inconclusive. */
export function verdictOf(checks: AnalysisCheck[]): Verdict {
  if (checks.some((c) => c.verdict === 'fail')) return 'fail';
  if (checks.some((c) => c.verdict === 'inconclusive')) return 'inconclusive';
  return 'pass';
}
