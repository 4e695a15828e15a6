/**
 * Rules shared by Istio's networking kinds, after pilot's validation (pkg/config/validation):
 * destinations, string matches, regexes, exportTo, gateway names, ports and protocols.
 */
import { at, item, type Report } from '../issues.js';
import { re2Error } from '../re2.js';
import { isDns1123Label, isIpAddress, list, num, rec, str, wildcardDomainError, fqdnError } from '../values.js';

export function portError(n: number): string | undefined {
  return n >= 1 && n <= 65535 ? undefined : `port ${n} is out of range; use 1 to 65535`;
}

/** Checks a port number field at `path` when it is a whole number (the schema reported the rest). */
export function checkPort(v: unknown, path: string, r: Report): void {
  const n = num(v);
  if (n === undefined || !Number.isInteger(n)) return;
  const err = portError(n);
  if (err !== undefined) r.error(path, err);
}

/** Istio's validateDestination: a host (never "*"), a DNS-1123 label subset, a port in range. */
export function checkDestination(d: unknown, path: string, r: Report): void {
  const dest = rec(d);
  if (dest === undefined) return;
  const host = str(dest.host);
  if (host === '*') r.error(at(path, 'host'), 'a destination cannot be "*"; name one service, e.g. reviews');
  else if (host !== undefined) {
    const err = wildcardDomainError(host);
    if (err !== undefined) r.error(at(path, 'host'), err);
  }
  const subset = str(dest.subset);
  if (subset === '') r.error(at(path, 'subset'), 'empty; name a subset of the DestinationRule for this host, or remove the field');
  else if (subset !== undefined && !isDns1123Label(subset)) {
    r.error(at(path, 'subset'), `"${subset}" is not a valid subset name: use lowercase letters, digits and '-', e.g. v1`);
  }
  checkPort(rec(dest.port)?.number, at(at(path, 'port'), 'number'), r);
}

/** Envoy's regex program size limit, approximated by length as Istio does. */
const MAX_REGEX_LENGTH = 1024;

/** A regex must be valid RE2 (Envoy's safe_regex); `path` is where it is written. */
export function checkRegex(re: string, path: string, r: Report): void {
  if (re.length > MAX_REGEX_LENGTH) {
    r.error(path, `regex is ${re.length} characters long; Envoy allows at most ${MAX_REGEX_LENGTH}`);
    return;
  }
  const err = re2Error(re);
  if (err !== undefined) r.error(path, `invalid RE2 regex: ${err}`);
}

/**
 * Istio's StringMatch: one of exact, prefix, regex. `emptyPrefixOk` for uri, where Envoy takes
 * an empty prefix; scheme, method, authority, headers and query parameters do not.
 */
export function checkStringMatch(v: unknown, path: string, r: Report, emptyPrefixOk = false): void {
  const sm = rec(v);
  if (sm === undefined) return;
  const set = ['exact', 'prefix', 'regex'].filter((k) => sm[k] !== undefined && sm[k] !== null);
  if (set.length > 1) {
    r.error(path, `sets ${set.join(' and ')}; a match takes exactly one of exact, prefix or regex`);
    return;
  }
  if (sm.prefix === '' && !emptyPrefixOk) r.error(at(path, 'prefix'), 'empty; give a prefix, or remove the match');
  const re = str(sm.regex);
  if (re === '') r.error(at(path, 'regex'), 'empty; give a regex, or remove the match');
  else if (re !== undefined) checkRegex(re, at(path, 'regex'), r);
}

/** Istio's validateExportTo: ".", "*", namespaces, or "~" (ServiceEntry only); no duplicates. */
export function checkExportTo(v: unknown, path: string, r: Report, serviceEntry = false): void {
  const entries = list(v).filter((e): e is string => typeof e === 'string');
  const seen = new Set<string>();
  list(v).forEach((e, i) => {
    if (typeof e !== 'string') return;
    const p = item(path, i);
    if (seen.has(e)) r.error(p, `duplicate entry "${e}"; list each namespace once`);
    seen.add(e);
    if (e === '~' && !serviceEntry) r.error(p, '"~" is only allowed for a ServiceEntry; use "." for this namespace only');
    else if (e !== '.' && e !== '*' && e !== '~' && !isDns1123Label(e)) {
      r.error(p, `"${e}" is not a namespace: use ".", "*" or a namespace name`);
    }
  });
  if (seen.has('*') && entries.length > 1) r.error(path, 'mixes "*" with other entries; "*" alone already exports to every namespace');
  if (seen.has('~') && entries.length > 1) r.error(path, 'mixes "~" with other entries; "~" exports to no namespace');
}

/** Istio's validateGatewayNames: "mesh", "name", "namespace/name", or a legacy FQDN. */
export function checkGatewayNames(v: unknown, path: string, r: Report): void {
  list(v).forEach((g, i) => {
    if (typeof g !== 'string') return;
    const p = item(path, i);
    const parts = g.split('/');
    if (parts.length === 1) {
      const err = fqdnError(g);
      if (err !== undefined) r.error(p, `${err}; name a Gateway as "name" or "namespace/name"`);
      else if (g.includes('.')) {
        const [name, ns] = g.split('.');
        r.warn(p, `legacy gateway name format "${g}"; write it as "${ns}/${name}"`);
      }
      return;
    }
    const [ns = '', name = ''] = parts;
    if (parts.length > 2 || ns === '' || name === '') r.error(p, `"${g}" is not a gateway reference; write "namespace/name"`);
    else if (!isDns1123Label(ns)) r.error(p, `invalid namespace "${ns}"; use lowercase letters, digits and '-'`);
    else if (!isDns1123Label(name)) r.error(p, `invalid gateway name "${name}"; use lowercase letters, digits and '-'`);
  });
}

/** Protocols Istio understands (pkg/config/protocol), by their upper-case names. */
const PROTOCOLS = ['HTTP', 'HTTPS', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-WEB', 'TCP', 'TLS', 'UDP', 'MONGO', 'REDIS', 'MYSQL'];

/** Istio parses protocol names case-insensitively; undefined when `p` is not one. */
export function parseProtocol(p: string): string | undefined {
  const up = p.toUpperCase();
  return PROTOCOLS.includes(up) ? up : undefined;
}

export function checkProtocol(v: unknown, path: string, r: Report): void {
  const p = str(v);
  if (p === undefined || p === '' || parseProtocol(p) !== undefined) return;
  r.error(path, `unsupported protocol "${p}"; use one of ${PROTOCOLS.join(', ')}`);
}

export const isHttpProtocol = (p: string): boolean => ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTP_PROXY'].includes(p);
export const isTlsProtocol = (p: string): boolean => p === 'HTTPS' || p === 'TLS';

/** Istio's port names: DNS-1123 labels. */
export function checkPortName(v: unknown, path: string, r: Report): void {
  const name = str(v);
  if (name !== undefined && !isDns1123Label(name)) {
    r.error(path, `"${name}" is not a valid port name: use lowercase letters, digits and '-', e.g. http`);
  }
}

/** A host in a VirtualService or ServiceEntry: a wildcard domain, or an IP address. */
export function hostError(host: string): string | undefined {
  if (isIpAddress(host)) return undefined;
  return wildcardDomainError(host);
}

/** Istio's validatePercentage: 0, or between 0.0001 and 100. */
export function percentageError(v: number): string | undefined {
  if (v < 0 || v > 100 || (v > 0 && v < 0.0001)) return `${v} is out of range; use a percentage from 0 to 100`;
  return undefined;
}

export function checkPercent(v: unknown, path: string, r: Report): void {
  const value = num(rec(v)?.value);
  if (value === undefined) return;
  const err = percentageError(value);
  if (err !== undefined) r.error(at(path, 'value'), err);
}
