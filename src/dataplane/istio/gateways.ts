/**
 * The gateway listener's routes for Gateway objects. graymesh has one gateway, so every
 * Gateway applies whatever its `selector`; a Gateway whose `servers[].hosts` cover the request
 * Host selects the VirtualServices bound to it whose `hosts` cover it too.
 * https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 *
 * Tenancy (config/tenancy): a Gateway serves a Host only when its project may (the Host's
 * owner, a project the owner lets in, or anyone for a name nobody owns), so a `*` server never
 * takes another project's hosts; a bound VirtualService counts when it is exported to the
 * Gateway's namespace and its project may touch the Host on behalf of the Gateway's project.
 */
import type { KubeObject } from '../../api/objects.js';
import { isExportedTo } from '../../config/tenancy/exports.js';
import { splitServerHost } from '../../config/tenancy/hosts.js';
import type { HostOwners } from '../../config/tenancy/owners.js';
import { BoundedCache, hostMatches, namespaceOf, specificity } from './hosts.js';
import type { MatchContext } from './match.js';
import type { GatewaySpec } from './types.js';
import type { CompiledTcpRule } from './tcp-routes.js';
import { mergeRoutes, mergeTcpRules, type CompiledVirtualService, type FlatRoute } from './virtual-services.js';

/** The labels route matches see for the gateway (`sourceLabels`), those of Istio's ingress gateway. */
export const GATEWAY_LABELS: Readonly<Record<string, string>> = { istio: 'ingressgateway', app: 'istio-ingressgateway' };
/** The namespace route matches see for the gateway (`sourceNamespace`). */
export const GATEWAY_NAMESPACE = 'istio-system';

/** What a Host resolves to at the gateway. */
export interface GatewayTarget {
  routes: FlatRoute[];
  ctx: MatchContext;
}

/** What a gateway TCP port resolves to. */
export interface GatewayTcpTarget {
  rules: CompiledTcpRule[];
  ctx: MatchContext;
}

/** Whether a Gateway server's protocol is carried as a byte stream (Istio's TCP; TLS and MONGO... are opaque too). */
export function isTcpServer(protocol: string | undefined): boolean {
  return (protocol ?? '').toUpperCase() === 'TCP';
}

interface ServerHost {
  gateway: string;
  /** The Gateway's own namespace. */
  gatewayNamespace: string;
  /** `*` for any namespace, else the one namespace whose VirtualServices may bind (`ns/host`, `./host`). */
  namespace: string;
  pattern: string;
}

export class GatewayRoutes {
  private readonly hosts: ServerHost[] = [];
  private readonly memo = new BoundedCache<string, GatewayTarget | null>(4096);
  /** Per TCP port number (as written), the Gateways (`ns/name` to namespace) with a TCP server on it. */
  private readonly tcpPorts = new Map<number, Map<string, string>>();
  private readonly tcpMemo = new Map<number, GatewayTcpTarget | null>();

  constructor(
    gateways: KubeObject[],
    private readonly bound: CompiledVirtualService[],
    private readonly owners: HostOwners,
  ) {
    for (const gw of gateways) {
      // A Gateway serving a host its project may not serve serves nothing (the control plane leaves it out too).
      if (!owners.gatewayAccepted(gw)) continue;
      const ns = namespaceOf(gw);
      const key = `${ns}/${gw.metadata.name}`;
      const spec = (gw.spec ?? {}) as unknown as GatewaySpec;
      for (const server of spec.servers ?? []) {
        for (const h of server.hosts ?? []) this.hosts.push(serverHost(key, ns, h));
        const port = server.port?.number;
        if (port !== undefined && isTcpServer(server.port?.protocol)) {
          const byGateway = this.tcpPorts.get(port) ?? new Map<string, string>();
          byGateway.set(key, ns);
          this.tcpPorts.set(port, byGateway);
        }
      }
    }
  }

  /** The routes for a Host (lowercase, no port), or undefined when no Gateway serves it. */
  lookup(host: string): GatewayTarget | undefined {
    let hit = this.memo.get(host);
    if (hit === undefined) hit = this.memo.set(host, this.compute(host));
    return hit ?? undefined;
  }

  /** The tcp rules for a gateway TCP port, or undefined when no Gateway has a TCP server on it. */
  tcpLookup(port: number): GatewayTcpTarget | undefined {
    let hit = this.tcpMemo.get(port);
    if (hit === undefined) {
      hit = this.computeTcp(port);
      this.tcpMemo.set(port, hit);
    }
    return hit ?? undefined;
  }

  /** The VirtualServices bound to a Gateway with a TCP server on `port`, exported to its namespace. */
  private computeTcp(port: number): GatewayTcpTarget | null {
    const gateways = this.tcpPorts.get(port);
    if (!gateways) return null;
    const chosen = this.bound.filter((vs) => vs.tcp.length > 0 && [...vs.gateways].some((g) => gateways.has(g) && isExportedTo(vs.exportTo, vs.namespace, gateways.get(g)!)));
    const ctx: MatchContext = { gateways: new Set(gateways.keys()), labels: GATEWAY_LABELS as Record<string, string>, namespace: GATEWAY_NAMESPACE };
    return { rules: mergeTcpRules(chosen), ctx };
  }

  private compute(host: string): GatewayTarget | null {
    // Gateways serving this Host, each with its namespace and the namespaces whose VirtualServices it admits.
    const admitted = new Map<string, { ns: string; admits: Set<string> }>();
    for (const s of this.hosts) {
      if (!hostMatches(s.pattern, host) || !this.owners.applies(s.gatewayNamespace, host, s.gatewayNamespace)) continue;
      const entry = admitted.get(s.gateway) ?? { ns: s.gatewayNamespace, admits: new Set<string>() };
      entry.admits.add(s.namespace);
      admitted.set(s.gateway, entry);
    }
    if (admitted.size === 0) return null;
    // The VirtualServices bound to one of them whose most specific host covering the Host is
    // the most specific of all (Envoy serves a Host from its most specific virtual host).
    let best = -1;
    let chosen: CompiledVirtualService[] = [];
    for (const vs of this.bound) {
      const admits = [...vs.gateways].some((g) => {
        const gw = admitted.get(g);
        if (gw === undefined || !(gw.admits.has('*') || gw.admits.has(vs.namespace))) return false;
        return isExportedTo(vs.exportTo, vs.namespace, gw.ns) && this.owners.applies(vs.namespace, host, gw.ns);
      });
      if (!admits) continue;
      const score = Math.max(-1, ...[...vs.hosts, ...vs.rawHosts].filter((p) => hostMatches(p, host)).map(specificity));
      if (score < 0) continue;
      if (score > best) {
        best = score;
        chosen = [vs];
      } else if (score === best) chosen.push(vs);
    }
    const ctx: MatchContext = { gateways: new Set(admitted.keys()), labels: GATEWAY_LABELS as Record<string, string>, namespace: GATEWAY_NAMESPACE };
    return { routes: mergeRoutes(chosen), ctx };
  }
}

/** A server host `[ns/]dnsName`: `*` or `.` (the Gateway's own namespace) or a namespace, default `*`. */
function serverHost(gateway: string, gatewayNs: string, raw: string): ServerHost {
  const { namespace, host } = splitServerHost(raw);
  return { gateway, gatewayNamespace: gatewayNs, namespace: namespace === '.' ? gatewayNs : namespace, pattern: host };
}
