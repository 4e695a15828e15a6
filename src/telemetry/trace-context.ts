/**
 * Trace context propagation in both formats a mesh meets: W3C Trace Context
 * (`traceparent`, `tracestate`; https://www.w3.org/TR/trace-context/) and B3
 * (`x-b3-*` and the single `b3` header; https://github.com/openzipkin/b3-propagation).
 *
 * A hop reads whichever the caller sent and writes all of them, kept in step:
 * one trace id (128-bit; a 64-bit B3 id is left-padded with zeros, as the W3C
 * spec's interop note says), and the span id the upstream sees is the one of
 * the span that forwarded the request. When several formats arrive, W3C wins,
 * then the single `b3` header (which B3 says beats the multi headers).
 * Malformed values are ignored as if absent, as both specs require.
 *
 * Both functions write into an object the caller owns (the proxy's request
 * record), so reading and writing a context allocates only the header strings.
 */

/** The trace fields of one request as a hop sees them. */
export interface TraceFields {
  /** 32 lowercase hex digits. */
  traceId?: string | undefined;
  /** The caller's span id (the parent of this hop's first span); absent at a trace's root. */
  parentSpanId?: string | undefined;
  /** Sampling decision: true or false when one was made, undefined when deferred to this hop. */
  sampled?: boolean | undefined;
  /** B3 debug (`x-b3-flags: 1`, `b3: ...-d`): forces sampling and is passed on. */
  debug?: boolean | undefined;
  /** W3C `tracestate`, passed on verbatim. */
  tracestate?: string | undefined;
}

/** What a hop sends upstream: the trace, the span that forwards, and that span's parent. */
export interface OutgoingTrace {
  traceId: string;
  /** The span id the upstream sees as its parent. */
  spanId: string;
  /** The parent of `spanId` (B3's x-b3-parentspanid); absent for a root. */
  parentSpanId?: string | undefined;
  sampled: boolean;
  debug?: boolean | undefined;
  tracestate?: string | undefined;
}

type Headers = Record<string, string | string[] | undefined>;

const ZEROS_16 = '0000000000000000';

/** True when s[start, end) is all lowercase hex (the only case both specs allow). */
function isHex(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function isZero(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 48) return false;
  return true;
}

function single(v: string | string[] | undefined): string | undefined {
  // A repeated trace header is ambiguous: ignore it.
  return typeof v === 'string' ? v : undefined;
}

/** A 64- or 128-bit hex trace id as 32 hex digits, or undefined when malformed or zero. */
function traceId(s: string): string | undefined {
  if ((s.length !== 16 && s.length !== 32) || !isHex(s, 0, s.length) || isZero(s)) return undefined;
  return s.length === 16 ? ZEROS_16 + s : s;
}

function spanId(s: string): string | undefined {
  return s.length === 16 && isHex(s, 0, 16) && !isZero(s) ? s : undefined;
}

/** W3C traceparent `version-traceid-parentid-flags` (§3.2). */
function readTraceparent(v: string, into: TraceFields): boolean {
  if (v.length < 55 || v.charCodeAt(2) !== 45 || v.charCodeAt(35) !== 45 || v.charCodeAt(52) !== 45) return false;
  if (!isHex(v, 0, 2) || v.startsWith('ff')) return false;
  // Version 00 is exactly 55 characters; a later version may append fields after a dash (§3.2.4).
  if (v.startsWith('00') ? v.length !== 55 : v.length > 55 && v.charCodeAt(55) !== 45) return false;
  if (!isHex(v, 3, 35) || !isHex(v, 36, 52) || !isHex(v, 53, 55)) return false;
  const t = v.slice(3, 35);
  const p = v.slice(36, 52);
  if (isZero(t) || isZero(p)) return false;
  into.traceId = t;
  into.parentSpanId = p;
  into.sampled = (parseInt(v.slice(53, 55), 16) & 1) === 1;
  into.debug = false;
  return true;
}

function b3Sampled(s: string): boolean | undefined {
  if (s === '1' || s === 'true') return true;
  if (s === '0' || s === 'false') return false;
  return undefined;
}

/** Single header `{traceid}-{spanid}[-{sampling}[-{parentspanid}]]`, or a bare sampling state `0`, `1`, `d`. */
function readB3Single(v: string, into: TraceFields): boolean {
  if (v === '0' || v === '1' || v === 'd') {
    into.sampled = v !== '0';
    into.debug = v === 'd';
    return false;
  }
  const parts = v.split('-');
  if (parts.length < 2 || parts.length > 4) return false;
  const t = traceId(parts[0] as string);
  const s = spanId(parts[1] as string);
  if (!t || !s) return false;
  const state = parts[2];
  if (state !== undefined && state !== '0' && state !== '1' && state !== 'd') return false;
  if (parts[3] !== undefined && !spanId(parts[3])) return false;
  into.traceId = t;
  into.parentSpanId = s;
  into.sampled = state === undefined ? undefined : state !== '0';
  into.debug = state === 'd';
  return true;
}

/** Multi headers; a sampling decision without ids is kept (x-b3-sampled: 0 alone denies tracing). */
function readB3Multi(h: Headers, into: TraceFields): boolean {
  const flags = single(h['x-b3-flags']);
  const sampledRaw = single(h['x-b3-sampled']);
  const debug = flags === '1';
  const sampled = debug ? true : sampledRaw !== undefined ? b3Sampled(sampledRaw) : undefined;
  const tRaw = single(h['x-b3-traceid']);
  const sRaw = single(h['x-b3-spanid']);
  const t = tRaw !== undefined ? traceId(tRaw) : undefined;
  const s = sRaw !== undefined ? spanId(sRaw) : undefined;
  if (t && s) {
    into.traceId = t;
    into.parentSpanId = s;
    into.sampled = sampled;
    into.debug = debug;
    return true;
  }
  if (tRaw === undefined && sRaw === undefined && sampled !== undefined) {
    into.sampled = sampled;
    into.debug = debug;
  }
  return false;
}

/**
 * Reads the caller's trace context into `into` (resetting its fields first).
 * Returns true when a trace id and parent span id were found; `into.sampled`
 * may be set even when not (a bare sampling decision).
 */
export function readTraceContext(h: Headers, into: TraceFields): boolean {
  into.traceId = undefined;
  into.parentSpanId = undefined;
  into.sampled = undefined;
  into.debug = undefined;
  into.tracestate = undefined;
  const tp = single(h.traceparent);
  if (tp !== undefined && readTraceparent(tp, into)) {
    const ts = h.tracestate;
    // tracestate may arrive split over several fields; they combine with commas (§3.3.1.1).
    const state = Array.isArray(ts) ? ts.join(',') : ts;
    if (state) into.tracestate = state;
    return true;
  }
  const b3 = single(h.b3);
  if (b3 !== undefined && readB3Single(b3, into)) return true;
  // A bare sampling state in `b3` stands unless the multi headers carry a whole context.
  return readB3Multi(h, into);
}

/** Writes the context an upstream receives, in every format, replacing whatever the request carried. */
export function writeTraceContext(h: Headers, t: OutgoingTrace): void {
  const state = t.debug ? 'd' : t.sampled ? '1' : '0';
  h.traceparent = `00-${t.traceId}-${t.spanId}-${t.sampled || t.debug ? '01' : '00'}`;
  if (t.tracestate) h.tracestate = t.tracestate;
  else delete h.tracestate;
  h['x-b3-traceid'] = t.traceId;
  h['x-b3-spanid'] = t.spanId;
  if (t.parentSpanId) h['x-b3-parentspanid'] = t.parentSpanId;
  else delete h['x-b3-parentspanid'];
  // Debug implies an accept decision, so B3 sends X-B3-Flags instead of X-B3-Sampled.
  if (t.debug) {
    h['x-b3-flags'] = '1';
    delete h['x-b3-sampled'];
  } else {
    h['x-b3-sampled'] = state;
    delete h['x-b3-flags'];
  }
  h.b3 = t.parentSpanId ? `${t.traceId}-${t.spanId}-${state}-${t.parentSpanId}` : `${t.traceId}-${t.spanId}-${state}`;
}
