/**
 * The Istio router: VirtualServices, DestinationRules, Gateways and ServiceEntries of one
 * snapshot compiled once into a Router. Per request it finds the host's routes with one map
 * lookup (memoized per caller namespace and Host), then tries them in order.
 *
 * - Workload traffic: the VirtualServices for the host that apply to `mesh`; a host without
 *   any balances round-robin over the service as the ServiceRouter does (DestinationRule
 *   top-level policy applied); anything else passes through (ALLOW_ANY), is refused 403 when
 *   the caller's project is REGISTRY_ONLY, or is 404 NR for a name only the mesh could mean.
 * - Workload CONNECT (HTTPS_PROXY): a declared host is tunnelled to its cluster's endpoint; an
 *   undeclared one goes by the same outbound policy.
 * - Gateway, `<service>.<project>.localhost`: as if the gateway were a workload of that
 *   project, so the service's mesh rules apply.
 * - Gateway, any other Host: Gateway objects and the VirtualServices bound to them.
 * A host with rules none of which matches is 404 NR, as Envoy answers.
 *
 * What applies is decided per caller project (config/tenancy): a VirtualService counts when it
 * is exported to the caller and its project may touch the host (the host's owner, a project the
 * owner lets in, or, for a name nobody owns, the caller's own project), so a wildcard never
 * reaches another project's hosts.
 */
import type { ConfigSnapshot } from '../../config/snapshot.js';
import { isExportedTo } from '../../config/tenancy/exports.js';
import { HostOwners } from '../../config/tenancy/owners.js';
import type { Cluster, RouteAction } from '../policy.js';
import type { ConnectDecision, RouteDecision, RouteRequest, Router, Source, TcpConnection, TcpDecision } from '../router.js';
import { CLUSTER_DOMAIN, parseGatewayHost, ServiceRegistry } from '../service-registry.js';
import { NO_ROUTE, plainRoute, unknownHost } from '../service-router.js';
import { Backends, type Backend } from './backends.js';
import { Clusters } from './clusters.js';
import { DestinationRules } from './destination-rules.js';
import { GATEWAY_LABELS, GatewayRoutes } from './gateways.js';
import { BoundedCache, HostIndex, HostNames, knownNamespaces } from './hosts.js';
import { RequestView, type MatchContext } from './match.js';
import { credentialsOf } from './client-tls.js';
import { firstTcpRule, type CompiledTcpRule, type TcpMatchContext } from './tcp-routes.js';
import { compileVirtualService, mergeRoutes, mergeTcpRules, type CompiledVirtualService, type FlatRoute } from './virtual-services.js';

/** Where a host leads for mesh traffic: its rules, or its backend's default route. */
type MeshTarget = { routes: FlatRoute[] } | DefaultTarget;

/** A host without rules for one caller project: its backend, and its default route per port asked for (memoized). */
interface DefaultTarget {
  backend: Backend;
  byPort: Map<number | undefined, RouteAction>;
}

const MESH: ReadonlySet<string> = new Set(['mesh']);

export class IstioRouter implements Router {
  readonly registry: ServiceRegistry;
  private readonly names: HostNames;
  private readonly owners: HostOwners;
  private readonly backends: Backends;
  private readonly clusters: Clusters;
  private readonly meshRules = new HostIndex<CompiledVirtualService>();
  private readonly gatewayRoutes: GatewayRoutes;
  private readonly defaults = new WeakMap<Cluster, RouteAction>();
  /** Per caller namespace, per Host: the target (null: not a mesh host). Bounded: the gateway's default hosts name arbitrary projects. */
  private readonly meshMemo = new BoundedCache<string, BoundedCache<string, MeshTarget | null>>(1024);
  private readonly contexts = new WeakMap<Source, MatchContext>();
  private readonly gatewayContexts = new BoundedCache<string, MatchContext>(1024);
  /** Projects whose outbound traffic policy is REGISTRY_ONLY. */
  private readonly registryOnly: ReadonlySet<string>;

  constructor(snapshot: ConfigSnapshot) {
    this.registry = new ServiceRegistry(snapshot);
    this.registryOnly = new Set(snapshot.projects.filter((p) => p.outboundPolicy === 'REGISTRY_ONLY').map((p) => p.name));
    const objects = [...snapshot.virtualServices, ...snapshot.destinationRules, ...snapshot.gateways, ...snapshot.serviceEntries];
    this.names = new HostNames(knownNamespaces([...snapshot.projects.map((p) => p.name), ...snapshot.services.map((s) => s.project)], objects));
    this.owners = new HostOwners({ projects: snapshot.projects, gateways: snapshot.gateways, namespaces: this.names.namespaces });
    this.backends = new Backends(this.registry, snapshot.serviceEntries, this.owners);
    this.clusters = new Clusters(this.backends, new DestinationRules(snapshot.destinationRules, this.names, this.owners), this.names, credentialsOf(snapshot));

    const vss = snapshot.virtualServices.map((vs) => compileVirtualService(vs, this.clusters, this.names));
    for (const vs of vss.filter((v) => v.mesh)) {
      for (const h of new Set(vs.hosts)) this.meshRules.add(h, vs);
    }
    this.gatewayRoutes = new GatewayRoutes(snapshot.gateways, vss.filter((v) => v.gateways.size > 0), this.owners);
  }

  route(req: RouteRequest): RouteDecision {
    const src = req.source;
    if (src.kind === 'outbound') {
      const target = this.meshTarget(req.host, src.project);
      return target ? this.decide(target, req, this.context(src), req.port) : unknownHost(req, this.registryOnly.has(src.project));
    }
    const parsed = parseGatewayHost(req.host);
    if (parsed) {
      const [service, project] = parsed;
      const target = this.meshTarget(`${service}.${project}.${CLUSTER_DOMAIN}`, project);
      if (target) return this.decide(target, req, this.gatewayContext(project), undefined);
    }
    const gw = this.gatewayRoutes.lookup(req.host);
    if (!gw) return NO_ROUTE(req.host);
    return this.firstMatch(gw.routes, req, gw.ctx);
  }

  /**
   * A workload's CONNECT: a mesh service or ServiceEntry host its project sees, on a port the
   * host declares, is tunnelled to an endpoint of its cluster (the DestinationRule's balancer);
   * anything else goes by the project's outbound policy.
   */
  connect(req: RouteRequest): ConnectDecision {
    const src = req.source;
    if (src.kind !== 'outbound') return { kind: 'respond', status: 405, body: 'CONNECT is not supported here\n', flags: '-' };
    const backend = this.backends.get(this.names.qualify(req.host, src.project), src.project);
    const ports = backend?.service.ports ?? [];
    if (backend && (ports.length === 0 || ports.some((p) => p.port === req.port))) {
      const rules = this.meshTcpRules(backend.service.fqdn, src.project);
      if (rules.length > 0) return tcpDecision(firstTcpRule(rules, { ...this.context(src), port: req.port }), req.host);
      return { kind: 'tunnel', cluster: this.clusters.defaultCluster(backend, src.project, req.port) };
    }
    return unknownHost(req, this.registryOnly.has(src.project));
  }

  /** A connection to a gateway TCP port: the tcp rules of the VirtualServices bound to the Gateways serving it. */
  tcp(conn: TcpConnection): TcpDecision {
    const target = this.gatewayRoutes.tcpLookup(conn.port);
    if (!target) return { kind: 'respond', status: 404, body: `no Gateway serves TCP port ${conn.port}\n`, flags: 'NR' };
    const ctx: TcpMatchContext = { ...target.ctx, port: conn.port };
    return tcpDecision(firstTcpRule(target.rules, ctx), `port ${conn.port}`);
  }

  /** The tcp rules of the mesh VirtualServices for a host, as `project` sees them. */
  private meshTcpRules(fqdn: string, project: string): CompiledTcpRule[] {
    const vss = this.meshRules.lookup(fqdn, (vs) => vs.tcp.length > 0 && isExportedTo(vs.exportTo, vs.namespace, project) && this.owners.applies(vs.namespace, fqdn, project));
    return vss ? mergeTcpRules(vss) : [];
  }

  private decide(target: MeshTarget, req: RouteRequest, ctx: MatchContext, port: number | undefined): RouteDecision {
    if ('routes' in target) return this.firstMatch(target.routes, req, ctx);
    return target.byPort.get(port) ?? this.defaultRoute(target, ctx.namespace, port);
  }

  private firstMatch(routes: FlatRoute[], req: RouteRequest, ctx: MatchContext): RouteDecision {
    const v = new RequestView(req);
    for (const r of routes) if (r.match.test(v, ctx)) return r.rule.decide(v, r.match);
    return NO_ROUTE(req.host);
  }

  private meshTarget(host: string, project: string): MeshTarget | undefined {
    const memo = this.meshMemo.get(project) ?? this.meshMemo.set(project, new BoundedCache(4096));
    let hit = memo.get(host);
    if (hit === undefined) hit = memo.set(host, this.resolveMesh(host, project));
    return hit ?? undefined;
  }

  private resolveMesh(host: string, project: string): MeshTarget | null {
    const fqdn = this.names.qualify(host, project);
    const vss = this.meshRules.lookup(fqdn, (vs) => isExportedTo(vs.exportTo, vs.namespace, project) && this.owners.applies(vs.namespace, fqdn, project));
    if (vss) return { routes: mergeRoutes(vss) };
    const backend = this.backends.get(fqdn, project);
    return backend ? { backend, byPort: new Map() } : null;
  }

  /**
   * A host without rules, as `project` sees it, on the port asked for when the host declares it:
   * every ready endpoint, the DestinationRule's policy for that port, Istio's default retries.
   */
  private defaultRoute(target: DefaultTarget, project: string, port: number | undefined): RouteAction {
    const cluster = this.clusters.defaultCluster(target.backend, project, port);
    let action = this.defaults.get(cluster);
    if (!action) {
      action = plainRoute(target.backend.service, cluster);
      this.defaults.set(cluster, action);
    }
    if (target.byPort.size < 64) target.byPort.set(port, action);
    return action;
  }

  /** The gateway serving a default host, seen as a workload of `project` with the ingress gateway's labels. */
  private gatewayContext(project: string): MatchContext {
    return this.gatewayContexts.get(project) ?? this.gatewayContexts.set(project, { gateways: MESH, labels: GATEWAY_LABELS as Record<string, string>, namespace: project });
  }

  private context(src: Extract<Source, { kind: 'outbound' }>): MatchContext {
    let ctx = this.contexts.get(src);
    if (!ctx) {
      ctx = { gateways: MESH, labels: src.labels, namespace: src.project };
      this.contexts.set(src, ctx);
    }
    return ctx;
  }
}

/** A connection's decision from the tcp rule that took it: no rule is no route (Envoy closes it), no cluster no healthy upstream. */
function tcpDecision(rule: CompiledTcpRule | undefined, what: string): TcpDecision {
  if (!rule) return { kind: 'respond', status: 404, body: `no tcp route matches ${what}\n`, flags: 'NR' };
  const pick = rule.pick();
  if ('missing' in pick) return { kind: 'respond', status: 503, body: `${pick.missing}\n`, flags: 'NR', routeName: pick.routeName };
  return { kind: 'tunnel', cluster: pick.cluster, routeName: pick.routeName };
}
