/**
 * What a destination host can name, as one namespace sees it: a mesh service (its pods) exported
 * to that namespace, or a ServiceEntry host (its `endpoints`, or the host itself with
 * `resolution: DNS`), found by fully-qualified name. A ServiceEntry counts where it is exported
 * and where its project's rules apply (a name nobody owns: only for its own project); the
 * viewer's own entry first, then the oldest, as Istio prefers the local namespace.
 * https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
import type { KubeObject } from '../../api/objects.js';
import { portProtocol } from '../../config/protocol.js';
import type { EndpointConfig } from '../../config/snapshot.js';
import { exportToOf, isExportedTo } from '../../config/tenancy/exports.js';
import type { HostOwners } from '../../config/tenancy/owners.js';
import type { MeshService, ServiceRegistry } from '../service-registry.js';
import { byCreation, namespaceOf } from './hosts.js';
import type { ServiceEntrySpec } from './types.js';

interface ExternalBackend {
  ns: string;
  exportTo: string[] | undefined;
  backend: Backend;
}

/** A destination host with its endpoints. */
export interface Backend {
  service: MeshService;
  /** The endpoints serving `port` (a service port), ready or not. */
  endpointsFor(port: number): EndpointConfig[];
}

export class Backends {
  /** Per host, every ServiceEntry's backend, oldest first. */
  private readonly external = new Map<string, ExternalBackend[]>();

  constructor(
    private readonly registry: ServiceRegistry,
    serviceEntries: KubeObject[],
    private readonly owners: HostOwners,
  ) {
    for (const se of [...serviceEntries].sort(byCreation)) {
      const spec = (se.spec ?? {}) as unknown as ServiceEntrySpec;
      const ns = namespaceOf(se);
      for (const raw of spec.hosts ?? []) {
        const host = raw.toLowerCase();
        if (host.includes('*')) continue;
        const list = this.external.get(host) ?? [];
        if (list.some((e) => e.ns === ns)) continue;
        list.push({ ns, exportTo: exportToOf(se), backend: serviceEntryBackend(host, ns, spec) });
        this.external.set(host, list);
      }
    }
  }

  /** The backend a fully-qualified host names for namespace `viewer`. */
  get(fqdn: string, viewer: string): Backend | undefined {
    const svc = this.registry.byKey(fqdn);
    if (svc && isExportedTo(svc.exportTo, svc.project, viewer)) return { service: svc, endpointsFor: () => svc.endpoints };
    const usable = (this.external.get(fqdn) ?? []).filter((e) => isExportedTo(e.exportTo, e.ns, viewer) && this.owners.applies(e.ns, fqdn, viewer));
    return (usable.find((e) => e.ns === viewer) ?? usable[0])?.backend;
  }
}

/**
 * One ServiceEntry host: its `endpoints` (each port taken from the endpoint's `ports` by the
 * service port's name, else the port's targetPort or number); with none, `resolution: DNS`
 * (or NONE, which passes through to the address asked for) reaches the host name itself.
 */
function serviceEntryBackend(host: string, ns: string, spec: ServiceEntrySpec): Backend {
  const ports = (spec.ports ?? []).map((p) => ({ name: p.name, port: p.number, targetPort: p.targetPort, protocol: portProtocol({ name: p.name, protocol: p.protocol }) }));
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
    ports: ports.map((p) => ({ ...(p.name === undefined ? {} : { name: p.name }), port: p.port, ...(p.protocol ? { protocol: p.protocol } : {}) })),
    endpoints: all,
    ready: all,
  };
  return { service, endpointsFor };
}

function endpoint(project: string, address: string, port: number, labels: Record<string, string>): EndpointConfig {
  return { pod: '', project, workload: '', labels, address, port, ready: true };
}
