/**
 * The router for hosts without traffic rules: a service balances round-robin
 * over the ready pods of all its versions, as a plain Kubernetes Service does.
 */
import type { ConfigSnapshot, EndpointConfig } from '../config/snapshot.js';
import { ISTIO_DEFAULT_RETRY, type Cluster, type RouteAction } from './policy.js';
import { passthrough, registryOnlyRefusal } from './egress/outbound-policy.js';
import type { PassthroughDecision, RespondDecision, RouteDecision, RouteRequest, Router } from './router.js';
import { parseGatewayHost, ServiceRegistry, type MeshService } from './service-registry.js';

/** Round-robin over a fixed list, skipping one excluded endpoint when another exists. */
export class RoundRobin {
  private next = 0;

  constructor(private readonly endpoints: EndpointConfig[]) {}

  pick(exclude?: EndpointConfig): EndpointConfig | undefined {
    const n = this.endpoints.length;
    if (n === 0) return undefined;
    for (let i = 0; i < n; i++) {
      const ep = this.endpoints[this.next % n] as EndpointConfig;
      this.next = (this.next + 1) % n;
      if (ep !== exclude || n === 1) return ep;
    }
    return undefined;
  }
}

export const NO_ROUTE = (host: string): RespondDecision => ({
  kind: 'respond',
  status: 404,
  body: `no route to host "${host}"\n`,
  flags: 'NR',
});

/** A cluster over every ready endpoint of a service, round-robin (no subset, no policy). */
export function plainCluster(svc: MeshService): Cluster {
  const rr = new RoundRobin(svc.ready);
  const port = svc.ports[0]?.port ?? 80;
  return {
    name: `outbound|${port}||${svc.fqdn}`,
    service: svc,
    endpoints: svc.ready,
    pick: (_key, exclude) => rr.pick(exclude),
    ejected: new Set(),
    active: new Map(),
  };
}

/** The route of a host without rules: its plain cluster, nothing else. */
export function plainRoute(svc: MeshService, cluster: Cluster = plainCluster(svc)): RouteAction {
  return { kind: 'route', cluster, routeName: 'default', mirrors: [], retries: ISTIO_DEFAULT_RETRY };
}

export class ServiceRouter implements Router {
  readonly registry: ServiceRegistry;
  private readonly routes = new Map<string, RouteAction>();

  constructor(snapshot: Pick<ConfigSnapshot, 'services' | 'endpoints'>) {
    this.registry = new ServiceRegistry(snapshot);
    for (const svc of this.registry.all()) this.routes.set(svc.fqdn, plainRoute(svc));
  }

  route(req: RouteRequest): RouteDecision {
    const svc = resolveService(this.registry, req);
    if (!svc) return unknownHost(req);
    return this.routes.get(svc.fqdn) as RouteAction;
  }
}

/** The service a request names: the gateway's `<svc>.<project>.localhost`, or a mesh name from a workload. */
export function resolveService(registry: ServiceRegistry, req: RouteRequest): MeshService | undefined {
  if (req.source.kind === 'gateway') {
    const parsed = parseGatewayHost(req.host);
    return parsed ? registry.lookup(parsed[0], parsed[1]) : undefined;
  }
  return registry.lookup(req.host, req.source.project);
}

/**
 * A host that is no mesh service nor ServiceEntry host: from workloads, passthrough (Istio's
 * ALLOW_ANY) or, when their project's outbound policy is REGISTRY_ONLY, 403; 404 NR at the
 * gateway and for names that can only mean a mesh service.
 */
export function unknownHost(req: RouteRequest, registryOnly = false): RespondDecision | PassthroughDecision {
  if (req.source.kind === 'outbound' && !isMeshLike(req.host)) {
    return registryOnly ? registryOnlyRefusal(req.host, req.port, req.source.project) : passthrough(req.host, req.port);
  }
  return NO_ROUTE(req.host);
}

/** Names that can only mean a mesh service (no passthrough for them). */
function isMeshLike(host: string): boolean {
  return !host.includes('.') || host.endsWith('.svc') || host.endsWith('.svc.cluster.local');
}
