/**
 * The query parameters of the trace, graph and chart routes, parsed alike by both engines'
 * control planes: repeated parameters, limits, `k=v` tags, time ranges and durations.
 */
import { badRequest } from '../../api/errors.js';
import { optDuration, parseDuration, parseInstantUs } from './duration.js';
import type { SpanQuery } from './span-query.js';

export type Query = Record<string, string | string[] | undefined>;

export function one(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v.at(-1) : v;
}

export function many(q: Query, key: string): string[] {
  const v = q[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function limitOf(q: Query, dflt: number): number {
  const raw = one(q, 'limit');
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1500) throw badRequest(`limit: ${raw} must be an integer from 1 to 1500`);
  return n;
}

/** `k=v` tag filters (graymesh) and `k:v` (Jaeger's tag=) into a map. */
export function tagsOf(values: string[], sep: '=' | ':'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of values) {
    const i = t.indexOf(sep);
    if (i <= 0) throw badRequest(`tag: "${t}" is not key${sep}value`);
    out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

/** Time range from start/end (or lookback before end). */
export function rangeOf(q: Query): Pick<SpanQuery, 'startUs' | 'endUs'> {
  const out: Pick<SpanQuery, 'startUs' | 'endUs'> = {};
  const start = one(q, 'start');
  const end = one(q, 'end');
  if (end) out.endUs = parseInstantUs(end, 'end');
  if (start) out.startUs = parseInstantUs(start, 'start');
  else {
    const lookback = one(q, 'lookback');
    if (lookback && lookback !== 'custom') out.startUs = (out.endUs ?? Date.now() * 1000) - parseDuration(lookback, 'lookback') * 1000;
  }
  return out;
}

export function durations(q: Query): Pick<SpanQuery, 'minDurationUs' | 'maxDurationUs'> {
  const min = optDuration(one(q, 'minDuration'), 'minDuration');
  const max = optDuration(one(q, 'maxDuration'), 'maxDuration');
  return { ...(min !== undefined ? { minDurationUs: min * 1000 } : {}), ...(max !== undefined ? { maxDurationUs: max * 1000 } : {}) };
}

/** A trace id as stored: lowercase, 64-bit ids widened to 128 (Zipkin, Jaeger clients). */
export function normalizeTraceId(id: string): string {
  const t = id.toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(t)) throw badRequest(`trace id "${id}" is not hex`);
  return t.padStart(32, '0');
}
