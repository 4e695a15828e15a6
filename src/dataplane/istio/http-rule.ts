/**
 * One `http` rule of a VirtualService compiled into what it does to a matched request: route
 * (weighted destinations, each with its cluster and every policy of the rule), redirect, or
 * direct response. https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 */
import type { DirectAction, Mirror, RouteAction } from '../policy.js';
import type { RouteDecision } from '../router.js';
import type { Clusters } from './clusters.js';
import type { CompiledMatch, RequestView } from './match.js';
import { compileRedirect, compilePathRewrite } from './rewrite.js';
import { mergeOps, percent, toCors, toFault, toHeaders, toRetry, toTimeout } from './route-policy.js';
import type { Destination, HTTPRoute, HTTPRouteDestination } from './types.js';
import { stickyChooser, type StickyKey } from './sticky.js';
import { SmoothWeighted } from './weighted.js';

export interface CompiledRule {
  /** `ns/virtualservice:rule`, for logs. */
  name: string;
  decide(v: RequestView, match: CompiledMatch): RouteDecision;
}

export interface RuleContext {
  clusters: Clusters;
  /** The VirtualService's namespace: destinations resolve there. */
  namespace: string;
  /** `ns/name` of the VirtualService. */
  vsKey: string;
  /** `spec.http[i]`, for error messages. */
  where: string;
  /** The VirtualService's sticky key (graymesh.dev/sticky), when it keeps users on one destination. */
  sticky?: StickyKey | undefined;
}

/** Compiles a rule; undefined for one graymesh cannot run (`delegate`, or no action at all). */
export function compileRule(rule: HTTPRoute, index: number, ctx: RuleContext): CompiledRule | undefined {
  const name = `${ctx.vsKey}:${rule.name ?? `http[${index}]`}`;
  const headers = toHeaders(rule.headers);
  if (rule.redirect) {
    const location = compileRedirect(rule.redirect);
    const status = rule.redirect.redirectCode ?? 301;
    const response = headers.response;
    return {
      name,
      decide: (v) => ({ kind: 'redirect', status, location: location(v.req, v), routeName: name, ...(response ? { responseHeaders: response } : {}) }),
    };
  }
  if (rule.directResponse) {
    const d = rule.directResponse;
    const body = d.body?.string ?? (d.body?.bytes !== undefined ? Buffer.from(d.body.bytes, 'base64').toString('utf8') : '');
    const action: DirectAction = { kind: 'direct', status: d.status, body, routeName: name };
    if (headers.response) action.responseHeaders = headers.response;
    return { name, decide: () => action };
  }
  if (!rule.route || rule.route.length === 0) return undefined;
  return compileRouteRule(rule, rule.route, name, ctx);
}

function compileRouteRule(rule: HTTPRoute, route: HTTPRouteDestination[], name: string, ctx: RuleContext): CompiledRule {
  const { where } = ctx;
  const headers = toHeaders(rule.headers);
  const shared: Omit<RouteAction, 'cluster'> = { kind: 'route', routeName: name, mirrors: mirrors(rule, ctx) };
  const timeoutMs = toTimeout(rule.timeout);
  if (timeoutMs !== undefined) shared.timeoutMs = timeoutMs;
  const retries = toRetry(rule.retries);
  if (retries) shared.retries = retries;
  const fault = toFault(rule.fault);
  if (fault) shared.fault = fault;
  const cors = toCors(rule.corsPolicy, `${where}.corsPolicy`);
  if (cors) shared.cors = cors;

  // One destination takes everything whatever its weight; among several, weight 0 never
  // receives traffic (pilot leaves it out of the weighted clusters).
  const chosen = route.length === 1 ? [{ d: route[0] as HTTPRouteDestination, w: 100 }] : route.map((d) => ({ d, w: d.weight ?? 0 })).filter((x) => x.w > 0);
  const actions = chosen.map(({ d }): RouteAction => {
    const dh = toHeaders(d.headers);
    const action: RouteAction = { ...shared, cluster: undefined };
    const r = ctx.clusters.resolve(d.destination, ctx.namespace);
    if ('cluster' in r) action.cluster = r.cluster;
    else {
      action.missing = r.missing;
      action.missingFlag = r.flag;
    }
    const req = mergeOps(headers.request, dh.request);
    const res = mergeOps(headers.response, dh.response);
    if (req) action.requestHeaders = req;
    if (res) action.responseHeaders = res;
    // pilot: rewrite.authority, else the rule's host header, else the destination's.
    const authority = rule.rewrite?.authority || headers.authority || dh.authority;
    if (authority) action.rewriteAuthority = authority;
    return action;
  });
  if (actions.length === 0) {
    const action: RouteAction = { ...shared, cluster: undefined, missing: `${name}: every destination has weight 0`, missingFlag: 'NR' };
    return { name, decide: () => action };
  }
  const wrr = new SmoothWeighted(chosen.map((x) => x.w));
  const rewrite = compilePathRewrite(rule.rewrite, `${where}.rewrite`);
  if (ctx.sticky && actions.length > 1) {
    const choose = stickyChooser(ctx.sticky, chosen.map((x) => x.w), () => wrr.next());
    return {
      name,
      decide: (v, match) => {
        const c = choose(v);
        const action: RouteAction = { ...(actions[c.index] as RouteAction) };
        if (c.setCookie) action.setCookie = c.setCookie;
        if (rewrite) action.rewritePath = rewrite(v, match);
        return action;
      },
    };
  }
  if (!rewrite) return { name, decide: () => actions[wrr.next()] as RouteAction };
  return { name, decide: (v, match) => ({ ...(actions[wrr.next()] as RouteAction), rewritePath: rewrite(v, match) }) };
}

/**
 * `mirror` with `mirrorPercentage` (or the deprecated integer `mirrorPercent`), and each of
 * `mirrors` with its own `percentage`: absent means 100, an explicit 0 mirrors nothing
 * (pilot's MirrorPercent). A mirror whose destination does not resolve is dropped.
 */
function mirrors(rule: HTTPRoute, ctx: RuleContext): Mirror[] {
  const out: Mirror[] = [];
  const add = (dest: Destination, pct: number): void => {
    if (pct <= 0) return;
    const r = ctx.clusters.resolve(dest, ctx.namespace);
    if ('cluster' in r) out.push({ cluster: r.cluster, percent: pct });
  };
  if (rule.mirror) add(rule.mirror, percent(rule.mirrorPercentage) ?? rule.mirrorPercent ?? 100);
  for (const m of rule.mirrors ?? []) add(m.destination, percent(m.percentage) ?? 100);
  return out;
}
