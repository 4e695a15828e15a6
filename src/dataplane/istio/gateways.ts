/**
 * The gateway listener's routes for Gateway objects. graymesh has one gateway, so every
 * Gateway applies whatever its `selector`; a Gateway whose `servers[].hosts` cover the request
 * Host selects the VirtualServices bound to it whose `hosts` cover it too.
 * https://istio.io/latest/docs/reference/config/networking/gateway/#Server
 */
import type { KubeObject } from '../../api/objects.js';
import { BoundedCache, hostMatches, namespaceOf, specificity } from './hosts.js';
import type { MatchContext } from './match.js';
import type { GatewaySpec } from './types.js';
import { mergeRoutes, type CompiledVirtualService, type FlatRoute } from './virtual-services.js';

/** The labels route matches see for the gateway (`sourceLabels`), those of Istio's ingress gateway. */
export const GATEWAY_LABELS: Readonly<Record<string, string>> = { istio: 'ingressgateway', app: 'istio-ingressgateway' };
/** The namespace route matches see for the gateway (`sourceNamespace`). */
export const GATEWAY_NAMESPACE = 'istio-system';

/** What a Host resolves to at the gateway. */
export interface GatewayTarget {
  routes: FlatRoute[];
  ctx: MatchContext;
}

interface ServerHost {
  gateway: string;
  /** `*` for any namespace, else the one namespace whose VirtualServices may bind (`ns/host`, `./host`). */
  namespace: string;
  pattern: string;
}

export class GatewayRoutes {
  private readonly hosts: ServerHost[] = [];
  private readonly memo = new BoundedCache<string, GatewayTarget | null>(4096);

  constructor(gateways: KubeObject[], private readonly bound: CompiledVirtualService[]) {
    for (const gw of gateways) {
      const ns = namespaceOf(gw);
      const key = `${ns}/${gw.metadata.name}`;
      const spec = (gw.spec ?? {}) as unknown as GatewaySpec;
      for (const server of spec.servers ?? []) {
        for (const h of server.hosts ?? []) this.hosts.push(serverHost(key, ns, h));
      }
    }
  }

  /** The routes for a Host (lowercase, no port), or undefined when no Gateway serves it. */
  lookup(host: string): GatewayTarget | undefined {
    let hit = this.memo.get(host);
    if (hit === undefined) hit = this.memo.set(host, this.compute(host));
    return hit ?? undefined;
  }

  private compute(host: string): GatewayTarget | null {
    // Gateways serving this Host, each with the namespaces whose VirtualServices it admits.
    const admitted = new Map<string, Set<string>>();
    for (const s of this.hosts) {
      if (!hostMatches(s.pattern, host)) continue;
      const set = admitted.get(s.gateway) ?? new Set<string>();
      set.add(s.namespace);
      admitted.set(s.gateway, set);
    }
    if (admitted.size === 0) return null;
    // The VirtualServices bound to one of them whose most specific host covering the Host is
    // the most specific of all (Envoy serves a Host from its most specific virtual host).
    let best = -1;
    let chosen: CompiledVirtualService[] = [];
    for (const vs of this.bound) {
      const admits = [...vs.gateways].some((g) => {
        const nss = admitted.get(g);
        return nss !== undefined && (nss.has('*') || nss.has(vs.namespace));
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
  const slash = raw.indexOf('/');
  const nsPart = slash < 0 ? '*' : raw.slice(0, slash);
  const pattern = (slash < 0 ? raw : raw.slice(slash + 1)).toLowerCase();
  return { gateway, namespace: nsPart === '.' ? gatewayNs : nsPart, pattern };
}
