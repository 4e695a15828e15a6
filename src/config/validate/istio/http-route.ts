/**
 * An HTTP route rule of a VirtualService (HTTPRoute), after pilot's validateHTTPRoute
 * (pkg/config/validation/virtualservice.go) and https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute.
 */
import { at, item, type Report } from '../issues.js';
import { checkLabelMap } from '../meta.js';
import { isDns1123Label, isSet, list, num, rec, str, stringMap } from '../values.js';
import { checkDestination, checkGatewayNames, checkPort, checkStringMatch } from './common.js';
import {
  checkCors, checkDirectResponse, checkFault, checkMirror, checkRedirect, checkRetries, checkRewrite,
} from './http-actions.js';

/** Where a route rule sits, which changes what it may hold. */
export interface RouteContext {
  /** The VirtualService has no hosts: it is a delegate, reached from another's `delegate`. */
  delegate: boolean;
  /** The VirtualService applies to gateways only (its gateways do not include "mesh"). */
  gatewayOnly: boolean;
}

/** Header keys of this form route on JWT claims, which only gateways can do. */
const JWT_CLAIM = '@request.auth.claims';

export function checkHttpRoute(http: Record<string, unknown>, path: string, ctx: RouteContext, r: Report): void {
  checkConflicts(http, path, ctx, r);
  list(http.match).forEach((m, i) => checkMatch(rec(m), item(at(path, 'match'), i), ctx, r));
  checkHeaderOperations(http.headers, at(path, 'headers'), r);
  checkCors(rec(http.corsPolicy), at(path, 'corsPolicy'), r);
  checkFault(rec(http.fault), at(path, 'fault'), r);
  checkMirror(http, path, r);
  checkRedirect(rec(http.redirect), at(path, 'redirect'), r);
  checkDirectResponse(rec(http.directResponse), at(path, 'directResponse'), r);
  checkRetries(rec(http.retries), at(path, 'retries'), r);
  checkRewrite(rec(http.rewrite), at(path, 'rewrite'), r);
  checkAuthority(http, path, r);
  checkWeightedRoutes(http.route, at(path, 'route'), r, true);
  const delegate = rec(http.delegate);
  if (delegate !== undefined) {
    if (str(delegate.name) === undefined) r.error(at(at(path, 'delegate'), 'name'), 'required; name the VirtualService that takes over, e.g. reviews-routes');
    const ns = str(delegate.namespace);
    if (ns !== undefined && !isDns1123Label(ns)) r.error(at(at(path, 'delegate'), 'namespace'), `"${ns}" is not a namespace name`);
  }
}

function checkConflicts(http: Record<string, unknown>, path: string, ctx: RouteContext, r: Report): void {
  const has = (k: string): boolean => isSet(http[k]);
  const hasRoute = list(http.route).length > 0;
  if (has('delegate')) {
    if (ctx.delegate) r.error(at(path, 'delegate'), 'a delegate VirtualService cannot delegate again; route the traffic here instead');
    if (has('redirect')) r.error(at(path, 'redirect'), 'not allowed with delegate; the delegate VirtualService decides what happens, so remove one');
    if (has('route')) r.error(at(path, 'route'), 'not allowed with delegate; the delegate VirtualService routes this traffic, so remove one');
    return;
  }
  if (has('redirect')) {
    if (hasRoute) r.error(path, 'has both route and redirect; a rule either forwards or redirects, so remove one');
    if (has('fault')) r.error(path, 'has both fault and redirect; faults apply to forwarded traffic, so remove one');
    if (has('rewrite')) r.error(path, 'has both rewrite and redirect; put the new path in redirect.uri and remove rewrite');
    if (has('directResponse')) r.error(path, 'has both redirect and directResponse; a rule answers one way, so remove one');
  } else if (has('directResponse')) {
    if (hasRoute) r.error(path, 'has both route and directResponse; a rule either forwards or answers itself, so remove one');
    if (has('fault')) r.error(path, 'has both fault and directResponse; faults apply to forwarded traffic, so remove one');
    if (has('rewrite')) r.error(path, 'has both rewrite and directResponse; nothing is forwarded to rewrite, so remove rewrite');
  } else if (!hasRoute) {
    r.error(path, 'needs a route, redirect, directResponse or delegate; add route with a destination, e.g. host: reviews');
  }
  if (has('mirror') && list(http.mirrors).length > 0) {
    r.error(path, 'has both mirror and mirrors; move the mirror into mirrors');
  }
}

function checkMatch(m: Record<string, unknown> | undefined, path: string, ctx: RouteContext, r: Report): void {
  if (m === undefined) return;
  for (const field of ['headers', 'withoutHeaders']) {
    const headers = rec(m[field]) ?? {};
    for (const [name, sm] of Object.entries(headers)) {
      const p = at(at(path, field), name);
      if (name.startsWith(JWT_CLAIM)) {
        if (!ctx.gatewayOnly) r.error(p, 'routing on JWT claims works only at gateways; bind the VirtualService to a gateway, or match a header');
      } else if (name === '') {
        r.error(p, 'empty header name; name the header to match, e.g. end-user');
      } else if (name !== name.toLowerCase()) {
        // Envoy sees header names lowercased (HTTP/2 requires it), so "End-User" would never match.
        r.error(p, `header names must be lowercase; write "${name.toLowerCase()}"`);
      }
      if (field === 'withoutHeaders' && rec(sm)?.regex === '*') continue; // "*" means "present" here.
      checkStringMatch(sm, p, r);
    }
  }
  checkStringMatch(m.uri, at(path, 'uri'), r, true);
  for (const field of ['scheme', 'method', 'authority']) checkStringMatch(m[field], at(path, field), r);
  for (const [name, sm] of Object.entries(rec(m.queryParams) ?? {})) checkStringMatch(sm, at(at(path, 'queryParams'), name), r);
  checkPort(m.port, at(path, 'port'), r);
  checkLabelMap(m.sourceLabels, at(path, 'sourceLabels'), r);
  checkGatewayNames(m.gateways, at(path, 'gateways'), r);
  const ns = str(m.sourceNamespace);
  if (ns !== undefined && !isDns1123Label(ns)) r.error(at(path, 'sourceNamespace'), `"${ns}" is not a namespace name`);
}

/** Istio's ValidateHTTPHeader*OperationName and ValidateHTTPHeaderValue. */
export function checkHeaderOperations(v: unknown, path: string, r: Report): void {
  const headers = rec(v);
  if (headers === undefined) return;
  for (const side of ['request', 'response']) {
    const ops = rec(headers[side]);
    if (ops === undefined) continue;
    const base = at(path, side);
    for (const op of ['add', 'set']) {
      for (const [name, value] of stringMap(ops[op])) {
        const p = at(at(base, op), name);
        const err = side === 'request' ? requestHeaderNameError(name) : headerNameError(name);
        if (err !== undefined) r.error(p, err);
        // Envoy reads %VAR% as a variable; a lone % makes the whole route configuration NACK.
        if ((value.match(/%/g) ?? []).length % 2 !== 0) r.error(p, 'has a single %; write %% for a literal percent sign');
      }
    }
    list(ops.remove).forEach((name, i) => {
      if (typeof name !== 'string') return;
      const err = headerNameError(name);
      if (err !== undefined) r.error(item(at(base, 'remove'), i), err);
    });
  }
}

const isAuthority = (n: string): boolean => n.toLowerCase() === ':authority' || n.toLowerCase() === 'host';

function requestHeaderNameError(name: string): string | undefined {
  if (name === '') return 'empty header name';
  if (name.startsWith(':') && !isAuthority(name)) return `"${name}" cannot be set: pseudo-headers other than :authority are Envoy's`;
  return undefined;
}

function headerNameError(name: string): string | undefined {
  if (name === '') return 'empty header name';
  if (name.toLowerCase() === 'host') return 'the Host header cannot be changed here; use rewrite.authority';
  if (name.startsWith(':')) return `"${name}" cannot be changed: pseudo-headers are Envoy's`;
  return undefined;
}

/** Istio's validateAuthorityRewrite: the authority may be rewritten in one place only. */
function checkAuthority(http: Record<string, unknown>, path: string, r: Report): void {
  let count = str(rec(http.rewrite)?.authority) !== undefined ? 1 : 0;
  const req = rec(rec(http.headers)?.request);
  for (const op of ['set', 'add']) for (const [name] of stringMap(req?.[op])) if (isAuthority(name)) count++;
  if (count > 1) r.error(path, 'rewrites the authority more than once; keep rewrite.authority and remove the Host/:authority header operation');
}

/**
 * Weighted destinations (HTTPRouteDestination, RouteDestination). graymesh requires several
 * destinations' weights to sum to 100, as Istio's reference asks, so a split means what it says.
 */
export function checkWeightedRoutes(v: unknown, path: string, r: Report, withHeaders: boolean): void {
  const routes = list(v);
  let sum = 0;
  let unweighted = 0;
  routes.forEach((d, i) => {
    const dest = rec(d);
    if (dest === undefined) return;
    const p = item(path, i);
    checkDestination(dest.destination, at(p, 'destination'), r);
    if (withHeaders) checkHeaderOperations(dest.headers, at(p, 'headers'), r);
    const w = num(dest.weight);
    if (w === undefined) unweighted++;
    else if (w < 0) r.error(at(p, 'weight'), `${w} is negative; use a whole number from 0 to 100`);
    sum += w ?? 0;
  });
  if (routes.length > 1 && sum !== 100) {
    const hint = unweighted > 0 ? `; give each destination a weight (${unweighted} have none)` : '';
    r.error(path, `weights sum to ${sum}, must be 100${hint}`);
  }
  const only = rec(routes[0]);
  if (routes.length === 1 && only !== undefined && num(only.weight) !== undefined && only.weight !== 100) {
    r.warn(at(item(path, 0), 'weight'), `ignored: a single destination takes all traffic; remove the weight or set it to 100`);
  }
}
