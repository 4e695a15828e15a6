/**
 * `rewrite` and `redirect` of an HTTPRoute, computed per request from parts compiled once.
 * Semantics are Envoy's, which Istio configures: prefix_rewrite / regex_rewrite for `rewrite`
 * (https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRewrite) and
 * RedirectAction for `redirect` (#HTTPRedirect, pilot's ApplyRedirect).
 */
import type { RouteRequest } from '../router.js';
import { stripPort } from '../service-registry.js';
import type { CompiledMatch, RequestView } from './match.js';
import { searchRegex } from './string-match.js';
import type { HTTPRedirect, HTTPRewrite } from './types.js';

/** A compiled path rewrite: the new path (with the original query) for a request. */
export type PathRewrite = (v: RequestView, match: CompiledMatch) => string;

/**
 * `rewrite.uri` replaces what the match matched (the prefix of a prefix match, else the whole
 * path; without a uri match Istio's route matches prefix "/", so that "/" is replaced);
 * `uriRegexRewrite` replaces every match of its RE2 pattern in the path, `\1` naming groups.
 * The query string is kept either way.
 */
export function compilePathRewrite(rw: HTTPRewrite | undefined, where: string): PathRewrite | undefined {
  if (!rw) return undefined;
  const rr = rw.uriRegexRewrite;
  if (rr?.match !== undefined) {
    const re = searchRegex(rr.match, `${where}.uriRegexRewrite.match`);
    const substitution = toJsSubstitution(rr.rewrite ?? '');
    return (v) => re.replace(v.path, substitution) + v.query;
  }
  if (rw.uri === undefined || rw.uri === '') return undefined;
  const uri = rw.uri;
  return (v, match) => uri + v.path.slice(match.rewriteLength(v.path)) + v.query;
}

/** RE2 substitution (`\1`, `\\`) to JavaScript's (`$1`, with `$` escaped). */
function toJsSubstitution(rewrite: string): string {
  let out = '';
  for (let i = 0; i < rewrite.length; i++) {
    const c = rewrite[i] as string;
    const n = rewrite[i + 1];
    if (c === '\\' && n !== undefined && /\d/.test(n)) {
      out += `$${n}`;
      i++;
    } else if (c === '\\' && n === '\\') {
      out += '\\';
      i++;
    } else {
      out += c === '$' ? '$$' : c;
    }
  }
  return out;
}

/** Builds a redirect's Location for a request. */
export type LocationBuilder = (req: RouteRequest, v: RequestView) => string;

/**
 * Envoy's RedirectAction as pilot sets it: `scheme` (else the request's); `authority` replaces
 * the whole host (port included); `port` (or derivePort FROM_REQUEST_PORT) replaces the port,
 * left out when it is the scheme's default; without either, a request port that is the default
 * of the old scheme is dropped when the scheme changes. `uri` replaces the whole path; the query
 * is kept unless `uri` has its own. One departure: pilot drops `port: 443` with https before
 * Envoy sees it, so Envoy keeps the request's port (`https://host:9080`); here the port asked
 * for replaces it (`https://host`), as the field says.
 */
export function compileRedirect(r: HTTPRedirect): LocationBuilder {
  return (req, v) => {
    const scheme = r.scheme ?? req.scheme;
    const port = r.port ?? (r.derivePort === 'FROM_REQUEST_PORT' ? req.port : undefined);
    const isDefault = (port === 80 && scheme === 'http') || (port === 443 && scheme === 'https');
    const portPart = port === undefined || isDefault ? '' : `:${port}`;
    let host: string;
    if (r.authority !== undefined && r.authority !== '') host = r.authority;
    else {
      host = req.authority;
      const hostOnly = stripPort(host);
      const requestPort = host.slice(hostOnly.length);
      const schemeChanged = scheme !== req.scheme;
      const defaultOfOld = (req.scheme === 'http' && requestPort === ':80') || (req.scheme === 'https' && requestPort === ':443');
      if (requestPort !== '' && (port !== undefined || (schemeChanged && defaultOfOld))) host = hostOnly;
    }
    const path = r.uri !== undefined && r.uri !== '' ? (r.uri.includes('?') ? r.uri : r.uri + v.query) : v.req.path;
    return `${scheme}://${host}${portPart}${path}`;
  };
}
