/**
 * A connection to one of the gateway's TCP ports (a Gateway server with `protocol: TCP`), carried
 * as a byte stream as Envoy's tcp_proxy carries it: the router picks the cluster by the tcp
 * rules of the VirtualServices bound to that Gateway (per connection, by weight), the cluster's
 * DestinationRule governs the connect (`tcp-upstream.ts`), and the two sockets are joined
 * (`tunnel.ts`). A connection without a route, or whose connect fails, is closed, as Envoy
 * closes it. Its bytes are Istio's TCP metrics at both reporters through the telemetry's
 * `tunnel` hook, the one TCP recorder every byte stream goes through.
 */
import type net from 'node:net';
import { openRecord, type RequestRecord } from './request-record.js';
import type { RouteRequest, Router } from './router.js';
import type { TcpUpstreams } from './tcp-upstream.js';
import type { RequestTelemetry } from './telemetry/request-telemetry.js';
import { tunnel } from './tunnel.js';

export class TcpGateway {
  constructor(
    private readonly upstreams: TcpUpstreams,
    private readonly telemetry: RequestTelemetry | undefined,
    private readonly router: () => Router,
  ) {}

  /** Routes one connection that arrived on the gateway TCP port written `port` in its Gateway. */
  handle(socket: net.Socket, port: number): void {
    socket.on('error', () => undefined);
    const router = this.router();
    const decision = router.tcp ? router.tcp({ port, remoteAddress: socket.remoteAddress ?? '' }) : undefined;
    if (!decision || decision.kind !== 'tunnel') {
      socket.destroy();
      return;
    }
    const cluster = decision.cluster;
    const rec = tcpRecord(socket, port);
    const svc = cluster.service;
    rec.upstreamCluster = cluster.name;
    rec.routeName = decision.routeName;
    rec.destinationService = svc.fqdn;
    rec.destinationServiceName = svc.name;
    rec.destinationProject = svc.project;
    this.upstreams.connect(cluster, socket, {
      connected: (upstream, ep) => {
        this.telemetry?.attempt(rec, ep);
        rec.upstream = ep;
        tunnel({ socket, head: undefined }, { socket: upstream, head: undefined }, this.telemetry?.tunnel?.(rec));
      },
      failed: () => socket.destroy(),
    });
  }
}

/** The record a TCP connection's metrics are labelled from: the gateway as source, the cluster's service as destination. */
function tcpRecord(socket: net.Socket, port: number): RequestRecord {
  const rr: RouteRequest = { source: { kind: 'gateway' }, authority: `:${port}`, host: '', port, method: '-', path: '-', scheme: 'tcp', headers: {}, remoteAddress: socket.remoteAddress ?? '' };
  return openRecord({ headers: {}, socket, httpVersion: '1.1' } as Parameters<typeof openRecord>[0], rr);
}
