/**
 * An HTTPRoute's policies translated as pilot translates them for Envoy
 * (pilot/pkg/networking/core/route/route.go and route/retry/retry.go):
 * retries, fault, CORS, header operations, mirror percentages.
 */
import { grpcStatusCode } from '../../config/grpc-codes.js';
import { parseIstioDuration } from '../../config/validate/duration.js';
import { ISTIO_DEFAULT_RETRY, type CorsPolicy, type FaultPolicy, type HeaderOps, type RetryPolicy } from '../policy.js';
import { compileStringMatch } from './string-match.js';
import type { CorsPolicy as IstioCors, HeaderOperations, Headers, HTTPFaultInjection, HTTPRetry, Percent } from './types.js';

/**
 * retry.ConvertPolicy: absent → Istio's default (2 retries on connect-failure, refused-stream,
 * unavailable, cancelled and status 503); `attempts` 0 (or unset) disables retries; else the
 * default with `attempts`, and `retryOn` when given, where numbers are retriable status codes
 * (adding the retriable-status-codes condition if they are not listed with it).
 */
export function toRetry(r: HTTPRetry | undefined): RetryPolicy | undefined {
  if (r === undefined) return ISTIO_DEFAULT_RETRY;
  const attempts = r.attempts ?? 0;
  if (attempts <= 0) return undefined;
  const out: RetryPolicy = {
    attempts,
    retryOn: new Set(ISTIO_DEFAULT_RETRY.retryOn),
    retriableStatusCodes: new Set(ISTIO_DEFAULT_RETRY.retriableStatusCodes),
  };
  if (r.retryOn !== undefined && r.retryOn.trim() !== '') {
    out.retryOn = new Set();
    out.retriableStatusCodes = new Set();
    for (const part of r.retryOn.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
      const code = Number(part);
      if (/^\d+$/.test(part) && code >= 100 && code <= 599) out.retriableStatusCodes.add(code);
      else out.retryOn.add(part);
    }
    if (out.retriableStatusCodes.size > 0) out.retryOn.add('retriable-status-codes');
  }
  const perTry = r.perTryTimeout === undefined ? undefined : parseIstioDuration(r.perTryTimeout);
  if (perTry !== undefined && perTry > 0) out.perTryTimeoutMs = perTry;
  if (r.retryRemoteLocalities !== undefined) out.retryRemoteLocalities = r.retryRemoteLocalities;
  return out;
}

/** `timeout`: absent or 0 means none (Istio sets Envoy's route timeout to 0, disabled). */
export function toTimeout(t: string | undefined): number | undefined {
  const ms = t === undefined ? undefined : parseIstioDuration(t);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/**
 * `fault`. The reference: without `percentage` every request is delayed or aborted; the
 * deprecated integer `percent` of a delay still counts when `percentage` is absent. A gRPC abort
 * (`grpcStatus`, a name such as UNAVAILABLE) answers with that status; Istio takes no http2Error.
 */
export function toFault(f: HTTPFaultInjection | undefined): FaultPolicy | undefined {
  if (!f) return undefined;
  const out: FaultPolicy = {};
  const delay = f.delay?.fixedDelay === undefined ? undefined : parseIstioDuration(f.delay.fixedDelay);
  if (f.delay && delay !== undefined) {
    out.delayMs = delay;
    out.delayPercent = percent(f.delay.percentage) ?? f.delay.percent ?? 100;
  }
  const grpc = f.abort?.grpcStatus === undefined ? undefined : grpcStatusCode(f.abort.grpcStatus);
  if (f.abort?.httpStatus !== undefined) {
    out.abortStatus = f.abort.httpStatus;
    out.abortPercent = percent(f.abort.percentage) ?? 100;
  } else if (grpc !== undefined) {
    out.abortGrpcStatus = grpc;
    out.abortPercent = percent(f.abort!.percentage) ?? 100;
  }
  return out.delayMs === undefined && out.abortStatus === undefined && out.abortGrpcStatus === undefined ? undefined : out;
}

/** A Percent's value clamped to 0-100; undefined when absent. */
export function percent(p: Percent | undefined): number | undefined {
  if (p === undefined || p === null) return undefined;
  return Math.min(100, Math.max(0, p.value ?? 0));
}

/**
 * `corsPolicy`. An origin is allowed when a matcher accepts it, or accepts "*" itself, as
 * Envoy's CORS filter checks (so `exact: "*"` allows every origin).
 */
export function toCors(c: IstioCors | undefined, where: string): CorsPolicy | undefined {
  if (!c) return undefined;
  const matchers = c.allowOrigins
    ? c.allowOrigins.map((m, i) => compileStringMatch(m, `${where}.allowOrigins[${i}]`))
    : (c.allowOrigin ?? []).map((o) => (v: string | undefined) => v === o);
  const out: CorsPolicy = { allowOrigins: matchers.map((m) => (origin: string) => m('*') || m(origin)) };
  if (c.allowMethods) out.allowMethods = c.allowMethods;
  if (c.allowHeaders) out.allowHeaders = c.allowHeaders;
  if (c.exposeHeaders) out.exposeHeaders = c.exposeHeaders;
  const maxAge = c.maxAge === undefined ? undefined : parseIstioDuration(c.maxAge);
  if (maxAge !== undefined) out.maxAgeSeconds = Math.floor(maxAge / 1000);
  if (c.allowCredentials !== undefined) out.allowCredentials = c.allowCredentials;
  return out;
}

/** Header operations split from the authority they may set (TranslateHeadersOperations). */
export interface TranslatedHeaders {
  request?: HeaderOps;
  response?: HeaderOps;
  /** A `host` or `:authority` set (or added) on the request: Istio turns it into an authority rewrite. */
  authority?: string;
}

export function toHeaders(h: Headers | undefined): TranslatedHeaders {
  if (!h) return {};
  const out: TranslatedHeaders = {};
  const request = ops(h.request);
  const response = ops(h.response);
  if (request) out.request = request;
  if (response) out.response = response;
  const authority = authorityOf(h.request?.set) ?? authorityOf(h.request?.add);
  if (authority !== undefined) out.authority = authority;
  return out;
}

/** The rule's operations, then the destination's (Envoy applies route then weighted-cluster headers). */
export function mergeOps(a: HeaderOps | undefined, b: HeaderOps | undefined): HeaderOps | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: HeaderOps = {};
  const set = [...(a.set ?? []), ...(b.set ?? [])];
  const add = [...(a.add ?? []), ...(b.add ?? [])];
  const remove = [...(a.remove ?? []), ...(b.remove ?? [])];
  if (set.length > 0) out.set = set;
  if (add.length > 0) out.add = add;
  if (remove.length > 0) out.remove = remove;
  return out;
}

/** Pseudo-headers and `host` are not Envoy's to set or remove (isInternalHeader). */
const internal = (name: string): boolean => name.startsWith(':') || name === 'host';

function ops(o: HeaderOperations | undefined): HeaderOps | undefined {
  if (!o) return undefined;
  const out: HeaderOps = {};
  const pairs = (m: Record<string, string> | undefined): [string, string][] =>
    Object.entries(m ?? {})
      .map(([k, v]): [string, string] => [k.toLowerCase(), v])
      .filter(([k]) => !internal(k));
  const set = pairs(o.set);
  const add = pairs(o.add);
  const remove = (o.remove ?? []).map((k) => k.toLowerCase()).filter((k) => !internal(k));
  if (set.length > 0) out.set = set;
  if (add.length > 0) out.add = add;
  if (remove.length > 0) out.remove = remove;
  return Object.keys(out).length > 0 ? out : undefined;
}

function authorityOf(m: Record<string, string> | undefined): string | undefined {
  for (const [k, v] of Object.entries(m ?? {})) {
    const key = k.toLowerCase();
    if (key === 'host' || key === ':authority') return v;
  }
  return undefined;
}
