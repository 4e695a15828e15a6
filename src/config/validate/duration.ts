/**
 * Durations as Istio reads them (google.protobuf.Duration fields such as `timeout`,
 * `perTryTimeout`, `fixedDelay`): a decimal number with a unit, and sequences of them as Go
 * writes them — "1s", "0.5s", "100ms", "1m", "1h", "1.5s", "1m30s". Istio's CRDs check them
 * with CEL's duration(), which takes Go's format; protobuf's own "1.5s" is a case of it.
 */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** The duration in milliseconds (fractional below 1ms), or undefined when `s` is not a duration. */
export function parseIstioDuration(s: string): number | undefined {
  if (typeof s !== 'string') return undefined;
  let text = s.trim();
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text.startsWith('-') ? -1 : 1;
    text = text.slice(1);
  }
  if (text === '0') return 0;
  if (text === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  }
  // Round to whole nanoseconds, the precision of a protobuf Duration, so 1.1s is 1100ms exactly.
  return Number.isFinite(total) ? (sign * Math.round(total * 1e6)) / 1e6 : undefined;
}

/**
 * Why `s` is not a duration Istio accepts, or undefined. Istio's ValidateDuration wants at least
 * 1ms and whole milliseconds; `allowZero` is for fields where 0 means "off" (a session cookie's ttl).
 */
export function durationError(s: unknown, allowZero = false): string | undefined {
  if (typeof s !== 'string') return 'must be a duration string such as "5s" or "500ms"';
  const ms = parseIstioDuration(s);
  if (ms === undefined) return `"${s}" is not a duration; write a number with a unit, e.g. "5s", "500ms" or "1m"`;
  if (allowZero && ms === 0) return undefined;
  if (ms < 1) return `"${s}" is shorter than 1ms; use at least "1ms"`;
  if (!Number.isInteger(ms)) {
    return `"${s}" is finer than a millisecond; Istio supports whole milliseconds, e.g. "${Math.ceil(ms)}ms"`;
  }
  return undefined;
}
