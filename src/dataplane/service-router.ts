/**
 * The router for hosts without traffic rules: a service balances round-robin
 * over the ready pods of all its versions, as a plain Kubernetes Service does.
 */
import type { ConfigSnapshot, EndpointConfig } from '../config/snapshot.js';
import type { RouteDecision, RouteRequest, Router, UpstreamDecision } from './router.js';
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

export const NO_ROUTE = (host: string): RouteDecision => ({
  kind: 'respond',
  status: 404,
  body: `no route to host "${host}"\n`,
  flags: 'NR',
});

export class ServiceRouter implements Router {
  readonly registry: ServiceRegistry;
  private readonly decisions = new Map<string, UpstreamDecision>();

  constructor(snapshot: Pick<ConfigSnapshot, 'services' | 'endpoints'>) {
    this.registry = new ServiceRegistry(snapshot);
    for (const svc of this.registry.all()) this.decisions.set(svc.fqdn, plainDecision(svc));
  }

  route(req: RouteRequest): RouteDecision {
    const svc = this.resolve(req);
    if (!svc) {
      if (req.source.kind === 'outbound' && !isMeshLike(req.host)) {
        return { kind: 'passthrough', address: req.host, port: req.port };
      }
      return NO_ROUTE(req.host);
    }
    return this.decisions.get(svc.fqdn) as UpstreamDecision;
  }

  /** The service a request names: the gateway's `<svc>.<project>.localhost`, or a mesh name. */
  resolve(req: RouteRequest): MeshService | undefined {
    if (req.source.kind === 'gateway') {
      const parsed = parseGatewayHost(req.host);
      return parsed ? this.registry.lookup(parsed[0], parsed[1]) : undefined;
    }
    return this.registry.lookup(req.host, req.source.project);
  }
}

/** Names that can only mean a mesh service (no passthrough for them). */
function isMeshLike(host: string): boolean {
  return !host.includes('.') || host.endsWith('.svc') || host.endsWith('.svc.cluster.local');
}

export function plainDecision(svc: MeshService): UpstreamDecision {
  const rr = new RoundRobin(svc.ready);
  const port = svc.ports[0]?.port ?? 80;
  return {
    kind: 'upstream',
    service: svc,
    cluster: `outbound|${port}||${svc.fqdn}`,
    pick: (exclude) => rr.pick(exclude),
  };
}
