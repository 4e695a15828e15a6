/**
 * A PASSTHROUGH server's connection: the VirtualService `tls:` route bound to its Gateway (of the
 * Gateway's project, or one it lets in) whose
 * `match.sniHosts` covers the ClientHello's name picks the destination (weighted), and the
 * connection's bytes, ClientHello first, are piped to a ready endpoint of that service
 * (tunnel.ts): the client's TLS runs end to end with the workload. No route, or no ready
 * endpoint: the connection is closed with an unrecognized_name alert.
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/#TLSRoute
 */
import net from 'node:net';
import type { ConfigSnapshot, EndpointConfig } from '../../config/snapshot.js';
import { hostMatches, namespaceOf } from '../istio/hosts.js';
import { tunnel } from '../tunnel.js';
import { UNRECOGNIZED_NAME_ALERT } from './client-hello.js';
import { refuse } from './listener.js';
import type { TlsServer } from './servers.js';

const CONNECT_TIMEOUT_MS = 10_000;

interface TlsRoute {
  match?: { sniHosts?: string[]; gateways?: string[] }[];
  route?: { destination?: { host?: string; port?: { number?: number } }; weight?: number }[];
}

/** The endpoint a name's `tls:` route sends a connection to, if any. */
export function passthroughEndpoint(snapshot: ConfigSnapshot | undefined, sni: string, gateway: string): EndpointConfig | undefined {
  if (!snapshot) return undefined;
  // Only the Gateway's project, or one it lets in, routes the names its servers serve.
  const gwNs = gateway.split('/')[0]!;
  const letIn = snapshot.projects.find((p) => p.name === gwNs)?.allowRoutesFrom ?? [];
  for (const vs of snapshot.virtualServices) {
    const ns = namespaceOf(vs);
    if (ns !== gwNs && !letIn.includes(ns)) continue;
    const spec = (vs.spec ?? {}) as { gateways?: string[]; tls?: TlsRoute[] };
    const binds = (list: string[] | undefined): boolean => (list ?? []).some((g) => (g.includes('/') ? g : `${ns}/${g}`) === gateway);
    if (!binds(spec.gateways)) continue;
    for (const rule of spec.tls ?? []) {
      const hit = (rule.match ?? []).some((m) => (m.gateways === undefined || binds(m.gateways)) && (m.sniHosts ?? []).some((p) => hostMatches(p.toLowerCase(), sni)));
      if (!hit) continue;
      const dest = pickWeighted(rule.route ?? []);
      return dest?.destination?.host ? endpointOf(snapshot, dest.destination.host, ns) : undefined;
    }
  }
  return undefined;
}

function pickWeighted<T extends { weight?: number }>(routes: T[]): T | undefined {
  const total = routes.reduce((n, r) => n + (r.weight ?? (routes.length === 1 ? 100 : 0)), 0);
  if (total <= 0) return routes[0];
  let x = Math.random() * total;
  for (const r of routes) {
    x -= r.weight ?? (routes.length === 1 ? 100 : 0);
    if (x < 0) return r;
  }
  return routes[routes.length - 1];
}

/** A ready endpoint of the service a destination host names (short, `name.ns`, or the cluster name). */
function endpointOf(snapshot: ConfigSnapshot, host: string, vsNamespace: string): EndpointConfig | undefined {
  const [name, ns = vsNamespace] = host.toLowerCase().split('.');
  const svc = snapshot.services.find((s) => s.name === name && s.project === ns);
  if (!svc) return undefined;
  const ready = snapshot.endpoints.filter((e) => e.ready && e.project === ns && Object.entries(svc.selector).every(([k, v]) => e.labels[k] === v));
  return ready[Math.floor(Math.random() * ready.length)];
}

export function passthrough(snapshot: ConfigSnapshot | undefined, sni: string, server: TlsServer, socket: net.Socket, hello: Buffer): void {
  const ep = passthroughEndpoint(snapshot, sni, server.gateway);
  if (!ep) {
    refuse(socket, UNRECOGNIZED_NAME_ALERT);
    return;
  }
  const upstream = net.connect({ host: ep.address, port: ep.port, timeout: CONNECT_TIMEOUT_MS });
  // A client gone while the connect is under way takes the connect with it.
  const clientGone = (): void => void upstream.destroy();
  socket.once('close', clientGone);
  upstream.once('timeout', () => {
    upstream.destroy();
    socket.destroy();
  });
  upstream.once('error', () => socket.destroy());
  upstream.once('connect', () => {
    socket.off('close', clientGone);
    upstream.setTimeout(0);
    if (socket.destroyed) {
      upstream.destroy();
      return;
    }
    tunnel({ socket, head: hello }, { socket: upstream, head: undefined }, undefined);
  });
}
