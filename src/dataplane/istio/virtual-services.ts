/**
 * VirtualServices compiled once per snapshot into ordered route lists: each `http` rule
 * becomes one route per match entry (as pilot makes one Envoy route per HTTPMatchRequest), so
 * the first route whose match holds decides.
 */
import type { KubeObject } from '../../api/objects.js';
import { STICKY_ANNOTATION } from '../../config/release/types.js';
import { exportToOf } from '../../config/tenancy/exports.js';
import type { Clusters } from './clusters.js';
import { byCreation, namespaceOf, type HostNames } from './hosts.js';
import { compileRule, type CompiledRule } from './http-rule.js';
import { compileMatch, gatewayKey, MATCH_ALL, type CompiledMatch } from './match.js';
import { parseSticky } from './sticky.js';
import { compileTcpRules, type CompiledTcpRule } from './tcp-routes.js';
import type { VirtualServiceSpec } from './types.js';

/** One match entry of one rule. */
export interface FlatRoute {
  match: CompiledMatch;
  rule: CompiledRule;
}

export interface CompiledVirtualService {
  obj: KubeObject;
  namespace: string;
  /** `hosts`, qualified in the VirtualService's namespace. */
  hosts: string[];
  /** `hosts` as written (lowercase): a gateway matches Host headers against these too. */
  rawHosts: string[];
  /** Whether it applies to workload traffic: no `gateways`, or `mesh` among them. */
  mesh: boolean;
  /** The Gateways it is bound to, as `ns/name`. */
  gateways: Set<string>;
  /** The namespaces that see it (exportTo; for a Gateway, the Gateway's namespace); absent: every one. */
  exportTo: string[] | undefined;
  routes: FlatRoute[];
  /** Its `tcp` rules, in order. */
  tcp: CompiledTcpRule[];
}

export function compileVirtualService(obj: KubeObject, clusters: Clusters, names: HostNames): CompiledVirtualService {
  const ns = namespaceOf(obj);
  const vsKey = `${ns}/${obj.metadata.name}`;
  const spec = (obj.spec ?? {}) as unknown as VirtualServiceSpec;
  const refs = (spec.gateways ?? []).map((g) => gatewayKey(g, ns));
  const routes: FlatRoute[] = [];
  let tcp: CompiledTcpRule[];
  const sticky = parseSticky(obj.metadata.annotations?.[STICKY_ANNOTATION]);
  try {
    (spec.http ?? []).forEach((http, i) => {
      const where = `spec.http[${i}]`;
      const rule = compileRule(http, i, { clusters, namespace: ns, vsKey, where, sticky });
      if (!rule) return;
      const entries = http.match ?? [];
      if (entries.length === 0) routes.push({ match: MATCH_ALL, rule });
      entries.forEach((m, j) => routes.push({ match: compileMatch(m, ns, `${where}.match[${j}]`), rule }));
    });
    tcp = compileTcpRules(spec.tcp ?? [], clusters, ns, vsKey);
  } catch (e) {
    throw new Error(`VirtualService ${vsKey}: ${(e as Error).message}`, { cause: e });
  }
  const rawHosts = (spec.hosts ?? []).map((h) => h.toLowerCase());
  return {
    obj,
    namespace: ns,
    hosts: rawHosts.map((h) => names.qualify(h, ns)),
    rawHosts,
    mesh: refs.length === 0 || refs.includes('mesh'),
    gateways: new Set(refs.filter((r) => r !== 'mesh')),
    exportTo: exportToOf(obj),
    routes,
    tcp,
  };
}

/** The tcp rules of several VirtualServices for one host or port, oldest first (then by name). */
export function mergeTcpRules(vss: CompiledVirtualService[]): CompiledTcpRule[] {
  return [...vss].sort((a, b) => byCreation(a.obj, b.obj)).flatMap((vs) => vs.tcp);
}

/**
 * The routes of several VirtualServices for one host: their rules concatenated oldest first
 * (then by name). As when pilot merges VirtualServices for a gateway host, catch-all routes
 * move to the end so one fragment's catch-all does not hide another's specific rules
 * (https://istio.io/latest/docs/ops/best-practices/traffic-management/#split-virtual-services).
 */
export function mergeRoutes(vss: CompiledVirtualService[]): FlatRoute[] {
  const sorted = [...vss].sort((a, b) => byCreation(a.obj, b.obj));
  const all = sorted.flatMap((vs) => vs.routes);
  if (sorted.length < 2) return all;
  return [...all.filter((r) => !r.match.catchAll), ...all.filter((r) => r.match.catchAll)];
}
