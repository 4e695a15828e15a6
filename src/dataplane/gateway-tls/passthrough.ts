/**
 * A PASSTHROUGH server's connection: the VirtualService `tls:` route bound to its Gateway (of the
 * Gateway's project, or one it lets in) whose
 * `match.sniHosts` covers the ClientHello's name picks the destination (weighted), and the
 * connection's bytes, ClientHello first, are piped to a ready endpoint of that service
 * (tunnel.ts): the client's TLS runs end to end with the workload. No route, or no ready
 * endpoint: the connection is closed with an unrecognized_name alert. Its bytes are Istio's
 * TCP metrics at both reporters, through the telemetry's `tunnel` hook as every byte stream.
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/#TLSRoute
 */
import net from 'node:net';
import type { ConfigSnapshot, EndpointConfig } from '../../config/snapshot.js';
import { hostMatches, namespaceOf } from '../istio/hosts.js';
import { openRecord, type RequestRecord } from '../request-record.js';
import type { RouteRequest } from '../router.js';
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';
import { tunnel } from '../tunnel.js';
import { UNRECOGNIZED_NAME_ALERT } from './client-hello.js';
import { refuse } from './listener.js';
import type { TlsServer } from './servers.js';

const CONNECT_TIMEOUT_MS = 10_000;

interface TlsRoute {
  match?: { sniHosts?: string[]; gateways?: string[] }[];
  route?: { destination?: { host?: string; port?: { number?: number } }; weight?: number }[];
}

interface Target {
  endpoint: EndpointConfig;
  service: string;
  project: string;
}

/** The endpoint a name's `tls:` route sends a connection to, if any, with its service. */
export function passthroughTarget(snapshot: ConfigSnapshot | undefined, sni: string, gateway: string): Target | undefined {
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
function endpointOf(snapshot: ConfigSnapshot, host: string, vsNamespace: string): Target | undefined {
  const [name, ns = vsNamespace] = host.toLowerCase().split('.');
  const svc = snapshot.services.find((s) => s.name === name && s.project === ns);
  if (!svc) return undefined;
  const ready = snapshot.endpoints.filter((e) => e.ready && e.project === ns && Object.entries(svc.selector).every(([k, v]) => e.labels[k] === v));
  const endpoint = ready[Math.floor(Math.random() * ready.length)];
  return endpoint && { endpoint, service: name as string, project: ns };
}

export function passthrough(snapshot: ConfigSnapshot | undefined, sni: string, server: TlsServer, socket: net.Socket, hello: Buffer, telemetry?: RequestTelemetry): void {
  const target = passthroughTarget(snapshot, sni, server.gateway);
  if (!target) {
    refuse(socket, UNRECOGNIZED_NAME_ALERT);
    return;
  }
  const ep = target.endpoint;
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
    const rec = record(socket, sni, target);
    telemetry?.attempt(rec, ep);
    rec.upstream = ep;
    tunnel({ socket, head: hello }, { socket: upstream, head: undefined }, telemetry?.tunnel?.(rec));
  });
}

/** The record the connection's metrics are labelled from: the gateway as source, the route's service as destination. */
function record(socket: net.Socket, sni: string, t: Target): RequestRecord {
  const rr: RouteRequest = { source: { kind: 'gateway' }, authority: sni, host: sni, port: 443, method: '-', path: '-', scheme: 'tls', headers: {}, remoteAddress: socket.remoteAddress ?? '' };
  const rec = openRecord({ headers: {}, socket, httpVersion: '1.1' } as Parameters<typeof openRecord>[0], rr);
  const fqdn = `${t.service}.${t.project}.svc.cluster.local`;
  rec.destinationService = fqdn;
  rec.destinationServiceName = t.service;
  rec.destinationProject = t.project;
  rec.upstreamCluster = `outbound|443||${fqdn}`;
  rec.routeName = 'tls_passthrough';
  return rec;
}
