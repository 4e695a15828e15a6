/**
 * What an HTTP route rule does besides routing: faults, mirroring, redirects, direct responses,
 * retries, rewrites and CORS, after pilot's validateHTTPRoute and its helpers
 * (pkg/config/validation/validation.go) and https://istio.io/latest/docs/reference/config/networking/virtual-service/.
 */
import { GRPC_STATUS_NAMES } from '../../grpc-codes.js';
import { parseIstioDuration } from '../duration.js';
import { at, item, type Report } from '../issues.js';
import { closest } from '../suggest.js';
import { isSet, list, num, rec, str } from '../values.js';
import { checkDestination, checkPercent, checkPort, checkRegex, checkStringMatch } from './common.js';

/** Envoy's retry conditions that Istio accepts in retryOn (supportedRetryOnPolicies). */
const RETRY_ON = [
  '5xx', 'gateway-error', 'reset', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'cancelled', 'deadline-exceeded', 'internal',
  'resource-exhausted', 'unavailable',
];

/** Status codes Go's http.StatusText knows: the numbers Istio takes in retryOn. */
const HTTP_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
  424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

const GRPC_STATUS: readonly string[] = GRPC_STATUS_NAMES;

const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE'];

export function checkCors(cors: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (cors === undefined) return;
  list(cors.allowOrigins).forEach((o, i) => {
    const sm = rec(o);
    const p = item(at(path, 'allowOrigins'), i);
    if (sm !== undefined && !['exact', 'prefix', 'regex'].some((k) => typeof sm[k] === 'string' && sm[k] !== '')) {
      r.error(p, 'empty; give exact, prefix or regex, e.g. exact: https://example.com');
    }
    checkStringMatch(o, p, r);
  });
  if (isSet(cors.allowOrigin)) r.warn(at(path, 'allowOrigin'), 'deprecated; use allowOrigins with "- exact: <origin>"');
  list(cors.allowMethods).forEach((m, i) => {
    if (typeof m === 'string' && !CORS_METHODS.includes(m)) {
      r.error(item(at(path, 'allowMethods'), i), `"${m}" is not an HTTP method; use one of ${CORS_METHODS.join(', ')}`);
    }
  });
  for (const field of ['allowHeaders', 'exposeHeaders']) {
    list(cors[field]).forEach((h, i) => {
      if (h === '') r.error(item(at(path, field), i), 'empty header name; remove it');
    });
  }
  const maxAge = typeof cors.maxAge === 'string' ? parseIstioDuration(cors.maxAge) : undefined;
  if (maxAge !== undefined && maxAge >= 1 && maxAge % 1000 !== 0) {
    r.error(at(path, 'maxAge'), `browsers cache preflights in whole seconds; use "${Math.ceil(maxAge / 1000)}s"`);
  }
}

export function checkFault(fault: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (fault === undefined) return;
  const abort = rec(fault.abort);
  const delay = rec(fault.delay);
  if (abort === undefined && delay === undefined) r.error(path, 'empty; add abort, delay or both');
  if (abort !== undefined) {
    const p = at(path, 'abort');
    checkPercent(abort.percentage, at(p, 'percentage'), r);
    const kinds = ['httpStatus', 'grpcStatus', 'http2Error'].filter((k) => isSet(abort[k]));
    if (kinds.length > 1) r.error(p, `sets ${kinds.join(' and ')}; an abort returns one error, so keep one`);
    if (kinds.length === 0) r.warn(p, 'sets no error, so nothing is aborted; add httpStatus, e.g. 503');
    const status = num(abort.httpStatus);
    if (status !== undefined && (status < 200 || status > 599)) {
      r.error(at(p, 'httpStatus'), `${status} is not an HTTP status to abort with; use 200 to 599, e.g. 503`);
    }
    const grpc = str(abort.grpcStatus);
    if (grpc !== undefined && !GRPC_STATUS.includes(grpc)) {
      const guess = closest(grpc, GRPC_STATUS);
      r.error(at(p, 'grpcStatus'), `"${grpc}" is not a gRPC status; ${guess !== undefined ? `did you mean "${guess}"?` : 'use a name such as UNAVAILABLE'}`);
    }
    if (isSet(abort.http2Error)) r.error(at(p, 'http2Error'), 'not supported by Istio yet; use httpStatus');
  }
  if (delay !== undefined) {
    const p = at(path, 'delay');
    checkPercent(delay.percentage, at(p, 'percentage'), r);
    const percent = num(delay.percent);
    if (percent !== undefined) {
      if (percent < 0 || percent > 100) r.error(at(p, 'percent'), `${percent} is out of range; use 0 to 100`);
      else r.warn(at(p, 'percent'), `deprecated; write percentage: {value: ${percent}}`);
    }
    if (isSet(delay.exponentialDelay)) r.error(at(p, 'exponentialDelay'), 'not supported by Istio yet; use fixedDelay');
    else if (!isSet(delay.fixedDelay)) r.error(at(p, 'fixedDelay'), 'required; add how long to delay, e.g. 5s');
  }
}

export function checkMirror(http: Record<string, unknown>, path: string, r: Report): void {
  checkDestination(http.mirror, at(path, 'mirror'), r);
  for (const field of ['mirrorPercent', 'mirror_percent']) {
    const v = num(http[field]);
    if (v === undefined) continue;
    if (v > 100) r.error(at(path, field), `${v} is over 100; use a percentage from 0 to 100`);
    r.warn(at(path, field), `deprecated; write mirrorPercentage: {value: ${v}}`);
  }
  checkPercent(http.mirrorPercentage, at(path, 'mirrorPercentage'), r);
  list(http.mirrors).forEach((m, i) => {
    const p = item(at(path, 'mirrors'), i);
    checkDestination(rec(m)?.destination, at(p, 'destination'), r);
    checkPercent(rec(m)?.percentage, at(p, 'percentage'), r);
  });
}

export function checkRedirect(redirect: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (redirect === undefined) return;
  if (!['uri', 'authority', 'scheme', 'port', 'derivePort'].some((k) => isSet(redirect[k]) && redirect[k] !== '')) {
    r.error(path, 'says nowhere to go; set uri, authority, scheme or port');
  }
  if (isSet(redirect.port) && isSet(redirect.derivePort)) r.error(path, 'sets both port and derivePort; keep one');
  const code = num(redirect.redirectCode);
  if (code !== undefined && code !== 0 && (code < 300 || code > 399)) {
    r.error(at(path, 'redirectCode'), `${code} is not a redirect; use a 3xx code such as 301 or 302`);
  }
  const scheme = str(redirect.scheme);
  if (scheme !== undefined && scheme !== '' && scheme !== 'http' && scheme !== 'https') {
    r.error(at(path, 'scheme'), `"${scheme}" is not supported; use http or https`);
  }
  checkPort(redirect.port, at(path, 'port'), r);
}

const KB = 1024;

export function checkDirectResponse(dr: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (dr === undefined) return;
  const status = num(dr.status);
  if (status !== undefined && (status < 200 || status > 599)) {
    r.error(at(path, 'status'), `${status} is not an HTTP status to answer with; use 200 to 599`);
  }
  const body = rec(dr.body);
  if (body === undefined) return;
  if (isSet(body.string) && isSet(body.bytes)) r.error(at(path, 'body'), 'sets both string and bytes; keep one');
  const bytes = str(body.bytes);
  if (bytes !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(bytes.replace(/\s/g, ''))) {
    r.error(at(at(path, 'body'), 'bytes'), 'is not base64; encode the body, or use string for text');
  }
  const size = (str(body.string) ?? '').length + Math.floor(((bytes ?? '').length * 3) / 4);
  if (size > KB * KB) r.error(at(path, 'body'), 'larger than 1MB; serve large bodies from a service');
  else if (size > 100 * KB) r.warn(at(path, 'body'), 'larger than 100KB; large direct responses slow config distribution');
}

export function checkRetries(retries: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (retries === undefined) return;
  const attempts = num(retries.attempts) ?? 0;
  if (attempts < 0) r.error(at(path, 'attempts'), `${attempts} is negative; use 0 to disable retries, or the number of retries, e.g. 3`);
  const configured = ['perTryTimeout', 'retryOn', 'retryRemoteLocalities'].filter((k) => isSet(retries[k]));
  if (attempts === 0 && configured.length > 0) {
    r.error(at(path, 'attempts'), `0 (or unset) disables retries, yet ${configured.join(' and ')} is set; set attempts, e.g. 3`);
  }
  const retryOn = str(retries.retryOn);
  if (retryOn === undefined) return;
  for (const policy of retryOn.split(',')) {
    if (RETRY_ON.includes(policy)) continue;
    if (/^\d+$/.test(policy) && HTTP_STATUS.has(Number(policy))) continue;
    if (policy.trim() !== policy && (RETRY_ON.includes(policy.trim()) || /^\d+$/.test(policy.trim()))) {
      r.error(at(path, 'retryOn'), `"${policy}" has spaces; write the conditions separated by commas only, e.g. 5xx,reset`);
      continue;
    }
    const guess = closest(policy, RETRY_ON);
    r.error(at(path, 'retryOn'), `"${policy}" is not a retry condition; ${guess !== undefined ? `did you mean "${guess}"?` : `use ${RETRY_ON.join(', ')} or an HTTP status code`}`);
  }
}

export function checkRewrite(rw: Record<string, unknown> | undefined, path: string, r: Report): void {
  if (rw === undefined) return;
  const regex = rec(rw.uriRegexRewrite);
  const uri = str(rw.uri) ?? '';
  if (uri !== '' && regex !== undefined) r.error(path, 'sets both uri and uriRegexRewrite; keep one');
  if (uri === '' && regex === undefined && (str(rw.authority) ?? '') === '') {
    r.error(path, 'rewrites nothing; set uri, uriRegexRewrite or authority');
  }
  if (regex !== undefined) {
    const p = at(path, 'uriRegexRewrite');
    const match = str(regex.match) ?? '';
    if (match === '' || (str(regex.rewrite) ?? '') === '') r.error(p, 'needs both match and rewrite, e.g. match: ^/service/([^/]+)(/.*)$ and rewrite: \\2/instance/\\1');
    if (match !== '') checkRegex(match, at(p, 'match'), r);
  }
}
