/**
 * What a destination host can name: a mesh service (its pods), or a ServiceEntry host (its
 * `endpoints`, or the host itself with `resolution: DNS`), found by fully-qualified name.
 * https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
import type { KubeObject } from '../../api/objects.js';
import type { EndpointConfig } from '../../config/snapshot.js';
import type { MeshService, ServiceRegistry } from '../service-registry.js';
import { byCreation, namespaceOf } from './hosts.js';
import type { ServiceEntrySpec } from './types.js';

/** A destination host with its endpoints. */
export interface Backend {
  service: MeshService;
  /** The endpoints serving `port` (a service port), ready or not. */
  endpointsFor(port: number): EndpointConfig[];
}

export class Backends {
  private readonly external = new Map<string, Backend>();

  constructor(private readonly registry: ServiceRegistry, serviceEntries: KubeObject[]) {
    // The oldest ServiceEntry for a host wins, as Istio keeps the first it sees.
    for (const se of [...serviceEntries].sort(byCreation)) {
      const spec = (se.spec ?? {}) as unknown as ServiceEntrySpec;
      for (const raw of spec.hosts ?? []) {
        const host = raw.toLowerCase();
        if (host.includes('*') || this.external.has(host)) continue;
        this.external.set(host, serviceEntryBackend(host, namespaceOf(se), spec));
      }
    }
  }

  /** The backend named by a fully-qualified host. */
  get(fqdn: string): Backend | undefined {
    const svc = this.registry.byKey(fqdn);
    if (svc) return { service: svc, endpointsFor: () => svc.endpoints };
    return this.external.get(fqdn);
  }
}

/**
 * One ServiceEntry host: its `endpoints` (each port taken from the endpoint's `ports` by the
 * service port's name, else the port's targetPort or number); with none, `resolution: DNS`
 * (or NONE, which passes through to the address asked for) reaches the host name itself.
 */
function serviceEntryBackend(host: string, ns: string, spec: ServiceEntrySpec): Backend {
  const ports = (spec.ports ?? []).map((p) => ({ name: p.name, port: p.number, targetPort: p.targetPort }));
  const resolution = spec.resolution ?? 'NONE';
  const endpointsFor = (port: number): EndpointConfig[] => {
    const sp = ports.find((p) => p.port === port) ?? ports[0];
    const target = sp?.targetPort ?? sp?.port ?? port;
    const listed = spec.endpoints ?? [];
    if (listed.length === 0) {
      return resolution === 'STATIC' ? [] : [endpoint(ns, host, target, {})];
    }
    return listed.map((e) => endpoint(ns, e.address ?? host, (sp?.name ? e.ports?.[sp.name] : undefined) ?? target, e.labels ?? {}));
  };
  const first = ports[0]?.port ?? 80;
  const all = endpointsFor(first);
  const service: MeshService = {
    key: `${ns}/${host}`,
    project: ns,
    name: host,
    fqdn: host,
    ports: ports.map((p) => (p.name === undefined ? { port: p.port } : { name: p.name, port: p.port })),
    endpoints: all,
    ready: all,
  };
  return { service, endpointsFor };
}

function endpoint(project: string, address: string, port: number, labels: Record<string, string>): EndpointConfig {
  return { pod: '', project, workload: '', labels, address, port, ready: true };
}
