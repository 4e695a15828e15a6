/**
 * Durations and instants as users and Jaeger write them: Go-style durations
 * (`100ms`, `1.5s`, `2m`, `1h30m`, `500us`, `250µs`) and times as RFC 3339 or
 * epoch numbers.
 */
import { badRequest } from '../../api/errors.js';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses a duration into milliseconds; a bare number is milliseconds. Throws a 400 naming `what`. */
export function parseDuration(text: string, what: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== t.length) throw badRequest(`${what}: "${text}" is not a duration; write e.g. 100ms, 1.5s, 10m, 1h`);
  return total;
}

/** An optional duration query parameter, in ms. */
export function optDuration(text: string | undefined, what: string): number | undefined {
  return text === undefined || text === '' ? undefined : parseDuration(text, what);
}

/**
 * Parses an instant into epoch microseconds: RFC 3339, or a number read by
 * its size as seconds, milliseconds or microseconds (Jaeger sends µs).
 */
export function parseInstantUs(text: string, what: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    if (n < 1e11) return Math.round(n * 1e6);
    if (n < 1e14) return Math.round(n * 1e3);
    return Math.round(n);
  }
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw badRequest(`${what}: "${text}" is not a time; use RFC 3339 (2024-05-01T10:00:00Z) or epoch milliseconds`);
  return ms * 1000;
}

/** Prints milliseconds compactly: 0.42ms, 12ms, 1.3s. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}
