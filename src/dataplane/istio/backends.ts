/**
 * What a destination host can name, as one namespace sees it: a mesh service (its pods) exported
 * to that namespace, or a ServiceEntry host (its `endpoints`, or the host itself with
 * `resolution: DNS`), found by fully-qualified name. A ServiceEntry counts where it is exported
 * and where its project's rules apply (a name nobody owns: only for its own project); the
 * viewer's own entry first, then the oldest, as Istio prefers the local namespace. A name under a
 * wildcard host (`*.wikipedia.org`) is a backend of its own, reached at the name itself (or at
 * the entry's endpoints), when no exact host names it.
 * https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
import type { KubeObject } from '../../api/objects.js';
import { portProtocol } from '../../config/protocol.js';
import type { EndpointConfig } from '../../config/snapshot.js';
import { exportToOf, isExportedTo } from '../../config/tenancy/exports.js';
import type { HostOwners } from '../../config/tenancy/owners.js';
import type { MeshService, ServiceRegistry } from '../service-registry.js';
import { BoundedCache, byCreation, hostMatches, namespaceOf, specificity } from './hosts.js';
import type { ServiceEntrySpec } from './types.js';

interface ExternalBackend {
  ns: string;
  exportTo: string[] | undefined;
  backend: Backend;
}

/** A ServiceEntry host with a wildcard (`*.wikipedia.org`): each name under it is a backend of its own. */
interface WildcardEntry {
  pattern: string;
  ns: string;
  exportTo: string[] | undefined;
  spec: ServiceEntrySpec;
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
  /** ServiceEntry hosts with a wildcard, most specific first, then oldest. */
  private readonly wildcards: WildcardEntry[] = [];
  /** The backends of names under a wildcard, by `ns/host`. */
  private readonly underWildcard = new BoundedCache<string, Backend>(4096);

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
        if (host.startsWith('*')) {
          if (!this.wildcards.some((w) => w.ns === ns && w.pattern === host)) this.wildcards.push({ pattern: host, ns, exportTo: exportToOf(se), spec });
          continue;
        }
        const list = this.external.get(host) ?? [];
        if (list.some((e) => e.ns === ns)) continue;
        list.push({ ns, exportTo: exportToOf(se), backend: serviceEntryBackend(host, ns, spec) });
        this.external.set(host, list);
      }
    }
    // Stable sort: equally specific patterns stay oldest first.
    this.wildcards.sort((a, b) => specificity(b.pattern) - specificity(a.pattern));
  }

  /** The backend a fully-qualified host names for namespace `viewer`. */
  get(fqdn: string, viewer: string): Backend | undefined {
    const svc = this.registry.byKey(fqdn);
    if (svc && isExportedTo(svc.exportTo, svc.project, viewer)) return { service: svc, endpointsFor: () => svc.endpoints };
    const sees = (e: { ns: string; exportTo: string[] | undefined }): boolean => isExportedTo(e.exportTo, e.ns, viewer) && this.owners.applies(e.ns, fqdn, viewer);
    const usable = (this.external.get(fqdn) ?? []).filter(sees);
    const exact = (usable.find((e) => e.ns === viewer) ?? usable[0])?.backend;
    return exact ?? this.wildcardBackend(fqdn, viewer, sees);
  }

  /** A name under a wildcard ServiceEntry host (the viewer's own entry first): the name itself, or the entry's endpoints. */
  private wildcardBackend(fqdn: string, viewer: string, sees: (e: WildcardEntry) => boolean): Backend | undefined {
    if (this.wildcards.length === 0) return undefined;
    const matching = this.wildcards.filter((w) => hostMatches(w.pattern, fqdn) && sees(w));
    const best = matching.find((w) => w.ns === viewer && specificity(w.pattern) === specificity(matching[0]!.pattern)) ?? matching[0];
    if (!best) return undefined;
    const key = `${best.ns}/${fqdn}`;
    return this.underWildcard.get(key) ?? this.underWildcard.set(key, serviceEntryBackend(fqdn, best.ns, best.spec));
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
