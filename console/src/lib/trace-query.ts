/**
 * The trace search form and its two encodings, pure: the console's URL
 * (bookmarkable) and the API's query (`GET /api/v1/projects/:p/traces`).
 */
import { parseDuration } from './format';

/** The search form. */
export interface TraceSearch {
  service: string;
  operation: string;
  /** Space-separated `key=value` pairs, e.g. `error=true http.status_code=503`. */
  tags: string;
  /** A duration such as `100ms` or `1.5s`. */
  minDuration: string;
  maxDuration: string;
  /** How far back to look: `15m`, `1h`, … */
  lookback: string;
  limit: number;
}

export const LOOKBACKS = [
  { value: '5m', label: 'Last 5 minutes' },
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
];

export const DEFAULT_SEARCH: TraceSearch = { service: '', operation: '', tags: '', minDuration: '', maxDuration: '', lookback: '1h', limit: 20 };

/** The form from the page's URL query. */
export function searchFromQuery(q: URLSearchParams): TraceSearch {
  const limit = Number(q.get('limit') ?? DEFAULT_SEARCH.limit);
  return {
    service: q.get('service') ?? '',
    operation: q.get('operation') ?? '',
    tags: q.get('tags') ?? '',
    minDuration: q.get('minDuration') ?? '',
    maxDuration: q.get('maxDuration') ?? '',
    lookback: q.get('lookback') ?? DEFAULT_SEARCH.lookback,
    limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, 500) : DEFAULT_SEARCH.limit,
  };
}

/** The page's URL query for a form (only what differs from the defaults). */
export function searchToQuery(s: TraceSearch): Record<string, string | undefined> {
  return {
    service: s.service || undefined,
    operation: s.operation || undefined,
    tags: s.tags.trim() || undefined,
    minDuration: s.minDuration || undefined,
    maxDuration: s.maxDuration || undefined,
    lookback: s.lookback !== DEFAULT_SEARCH.lookback ? s.lookback : undefined,
    limit: s.limit !== DEFAULT_SEARCH.limit ? String(s.limit) : undefined,
  };
}

/** `error=true http.status_code=503` → [['error','true'], ['http.status_code','503']]; errors for pairs that are not key=value. */
export function parseTags(s: string): { tags: [string, string][]; errors: string[] } {
  const tags: [string, string][] = [];
  const errors: string[] = [];
  for (const part of s.split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) errors.push(`Tag "${part}" is not key=value, e.g. error=true`);
    else tags.push([part.slice(0, eq), part.slice(eq + 1)]);
  }
  return { tags, errors };
}

/** What is wrong with a form, in plain words. */
export function searchErrors(s: TraceSearch): string[] {
  const errs = parseTags(s.tags).errors;
  const min = s.minDuration ? parseDuration(s.minDuration) : undefined;
  const max = s.maxDuration ? parseDuration(s.maxDuration) : undefined;
  if (s.minDuration && min === undefined) errs.push(`Min duration "${s.minDuration}" is not a duration, e.g. 100ms or 1.5s`);
  if (s.maxDuration && max === undefined) errs.push(`Max duration "${s.maxDuration}" is not a duration, e.g. 100ms or 1.5s`);
  if (min !== undefined && max !== undefined && min > max) errs.push('Min duration is longer than max duration');
  return errs;
}

/** The API's query: service, operation, tag=k=v (repeated), minDuration/maxDuration in ms, start/end in epoch ms, limit. */
export function apiQuery(s: TraceSearch, now: number): URLSearchParams {
  const q = new URLSearchParams();
  if (s.service) q.set('service', s.service);
  if (s.operation) q.set('operation', s.operation);
  for (const [k, v] of parseTags(s.tags).tags) q.append('tag', `${k}=${v}`);
  const min = s.minDuration ? parseDuration(s.minDuration) : undefined;
  const max = s.maxDuration ? parseDuration(s.maxDuration) : undefined;
  if (min !== undefined) q.set('minDuration', `${min}ms`);
  if (max !== undefined) q.set('maxDuration', `${max}ms`);
  const back = parseDuration(s.lookback) ?? 3_600_000;
  q.set('start', String(Math.floor(now - back)));
  q.set('end', String(Math.ceil(now)));
  q.set('limit', String(s.limit));
  return q;
}
