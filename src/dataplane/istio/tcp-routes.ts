/**
 * VirtualService `tcp` rules compiled once per snapshot: per connection, the first rule whose
 * match holds picks one of its weighted destinations (the smooth weighted round-robin the http
 * rules use, so 80/20 is exact over every hundred connections).
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/#TCPRoute
 *
 * A match (`L4MatchAttributes`) holds when every field given does: `port` is the port the
 * connection came to (the service port inside the mesh, the Gateway server's port number at the
 * gateway); match-level `gateways` override the VirtualService's and are then the only source
 * condition, as for http; else `sourceLabels` must be a subset of the caller's labels and
 * `sourceNamespace` its namespace. A rule without match entries matches every connection.
 */
import type { Cluster } from '../policy.js';
import type { Clusters } from './clusters.js';
import { gatewayKey, type MatchContext } from './match.js';
import type { L4MatchAttributes, TCPRoute } from './types.js';
import { SmoothWeighted } from './weighted.js';

/** Where a connection came from and to which port. */
export interface TcpMatchContext extends MatchContext {
  port: number;
}

/** What a tcp rule decided for one connection: a cluster, or why there is none. */
export type TcpPick = { cluster: Cluster; routeName: string } | { missing: string; routeName: string };

export interface CompiledTcpRule {
  name: string;
  /** Whether this rule takes a connection with `ctx`. */
  matches(ctx: TcpMatchContext): boolean;
  /** The next destination, by the rule's weights. */
  pick(): TcpPick;
}

type Test = (ctx: TcpMatchContext) => boolean;

export function compileTcpRules(rules: readonly TCPRoute[], clusters: Clusters, ns: string, vsKey: string): CompiledTcpRule[] {
  return rules.map((rule, i) => compileTcpRule(rule, clusters, ns, `${vsKey}.tcp[${i}]`));
}

function compileTcpRule(rule: TCPRoute, clusters: Clusters, ns: string, name: string): CompiledTcpRule {
  const entries = (rule.match ?? []).map((m) => compileL4Match(m, ns));
  const matches = entries.length === 0 ? () => true : (ctx: TcpMatchContext) => entries.some((t) => t(ctx));
  const route = rule.route ?? [];
  // One destination takes everything whatever its weight; among several, weight 0 never receives a connection.
  const chosen = route.length === 1 ? [{ d: route[0]!, w: 100 }] : route.map((d) => ({ d, w: d.weight ?? 0 })).filter((x) => x.w > 0);
  const picks: TcpPick[] = chosen.map(({ d }) => {
    const r = clusters.resolve(d.destination, ns);
    return 'cluster' in r ? { cluster: r.cluster, routeName: name } : { missing: r.missing, routeName: name };
  });
  if (picks.length === 0) {
    const none: TcpPick = { missing: `${name}: no destination with a weight above 0`, routeName: name };
    return { name, matches, pick: () => none };
  }
  const wrr = new SmoothWeighted(chosen.map((x) => x.w));
  return { name, matches, pick: () => picks[wrr.next()]! };
}

function compileL4Match(m: L4MatchAttributes, vsNamespace: string): Test {
  const tests: Test[] = [];
  if (m.port !== undefined) tests.push((ctx) => ctx.port === m.port);
  if (m.gateways !== undefined && m.gateways.length > 0) {
    const wanted = m.gateways.map((g) => gatewayKey(g, vsNamespace));
    tests.push((ctx) => wanted.some((g) => ctx.gateways.has(g)));
  } else {
    const labels = Object.entries(m.sourceLabels ?? {});
    if (labels.length > 0) tests.push((ctx) => labels.every(([k, v]) => ctx.labels[k] === v));
    if (m.sourceNamespace !== undefined) tests.push((ctx) => ctx.namespace === m.sourceNamespace);
  }
  return (ctx) => tests.every((t) => t(ctx));
}

/** The first rule of `rules` taking the connection, or undefined when none does. */
export function firstTcpRule(rules: readonly CompiledTcpRule[], ctx: TcpMatchContext): CompiledTcpRule | undefined {
  for (const r of rules) if (r.matches(ctx)) return r;
  return undefined;
}
