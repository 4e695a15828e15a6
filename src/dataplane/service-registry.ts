/**
 * The proxy's service registry, built once per snapshot: mesh services by
 * every name a caller may use (`reviews`, `reviews.ns`, `reviews.ns.svc`,
 * `reviews.ns.svc.cluster.local`), each with its endpoints, so a request finds
 * its service with one map lookup.
 */
import type { ConfigSnapshot, EndpointConfig, ServiceConfig } from '../config/snapshot.js';
import { CLUSTER_DOMAIN } from '../config/tenancy/hosts.js';

/** One mesh service with every endpoint its selector matches. */
export interface MeshService {
  /** `namespace/name`. */
  key: string;
  project: string;
  name: string;
  /** The fully-qualified host, `name.ns.svc.cluster.local`, as Istio names it. */
  fqdn: string;
  ports: ServiceConfig['ports'];
  /** Every endpoint the selector matches, ready or not. */
  endpoints: EndpointConfig[];
  /** The ready ones. */
  ready: EndpointConfig[];
  /** The namespaces that see it (Istio's exportTo); absent: every one. */
  exportTo?: string[];
}

export { CLUSTER_DOMAIN } from '../config/tenancy/hosts.js';

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  for (const k of keys) if (labels[k] !== selector[k]) return false;
  return true;
}

export class ServiceRegistry {
  /** By fqdn. */
  private readonly byFqdn = new Map<string, MeshService>();

  constructor(snapshot: Pick<ConfigSnapshot, 'services' | 'endpoints'>) {
    for (const s of snapshot.services) {
      const endpoints = snapshot.endpoints.filter((e) => e.project === s.project && selects(s.selector, e.labels));
      const svc: MeshService = {
        key: `${s.project}/${s.name}`,
        project: s.project,
        name: s.name,
        fqdn: `${s.name}.${s.project}.${CLUSTER_DOMAIN}`,
        ports: s.ports,
        endpoints,
        ready: endpoints.filter((e) => e.ready),
        ...(s.exportTo ? { exportTo: s.exportTo } : {}),
      };
      this.byFqdn.set(svc.fqdn, svc);
    }
  }

  all(): IterableIterator<MeshService> {
    return this.byFqdn.values();
  }

  /**
   * The fully-qualified name of `host` as seen from `project`, the way Kubernetes
   * DNS search paths expand a short name: `reviews` → `reviews.<project>.svc.cluster.local`.
   */
  static qualify(host: string, project: string): string {
    const h = host.toLowerCase();
    if (h.endsWith(`.${CLUSTER_DOMAIN}`)) return h;
    if (h.endsWith('.svc')) return `${h}.cluster.local`;
    const dots = h.split('.').length - 1;
    if (dots === 0) return `${h}.${project}.${CLUSTER_DOMAIN}`;
    if (dots === 1) return `${h}.${CLUSTER_DOMAIN}`;
    return h;
  }

  /** The service `host` names, resolved from `project`. */
  lookup(host: string, project: string): MeshService | undefined {
    return this.byFqdn.get(ServiceRegistry.qualify(host, project));
  }

  byKey(fqdn: string): MeshService | undefined {
    return this.byFqdn.get(fqdn);
  }
}

/**
 * `<service>.<project>.localhost[:port]`, the gateway's default host for a
 * service (a KubeSphere app route), as [service, project]; undefined otherwise.
 */
export function parseGatewayHost(host: string): [string, string] | undefined {
  const h = stripPort(host).toLowerCase();
  if (!h.endsWith(GATEWAY_SUFFIX)) return undefined;
  const end = h.length - GATEWAY_SUFFIX.length;
  const dot = h.indexOf('.');
  if (dot >= end || h.indexOf('.', dot + 1) < end) return undefined;
  return [h.slice(0, dot), h.slice(dot + 1, end)];
}

const GATEWAY_SUFFIX = '.localhost';

/** host without its `:port` (IPv6 literals kept whole). */
export function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end >= 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

/** The port of `host:port`, or undefined. */
export function portOf(host: string): number | undefined {
  if (host.startsWith('[')) {
    const m = /\]:(\d+)$/.exec(host);
    return m ? Number(m[1]) : undefined;
  }
  const colon = host.lastIndexOf(':');
  if (colon < 0) return undefined;
  const n = Number(host.slice(colon + 1));
  return Number.isInteger(n) ? n : undefined;
}
