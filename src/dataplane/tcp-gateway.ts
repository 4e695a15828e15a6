/**
 * A connection to one of the gateway's TCP ports (a Gateway server with `protocol: TCP`), carried
 * as a byte stream as Envoy's tcp_proxy carries it: the router picks the cluster by the tcp
 * rules of the VirtualServices bound to that Gateway (per connection, by weight), the cluster's
 * DestinationRule governs the connect (`tcp-upstream.ts`), and the two sockets are joined
 * (`tunnel.ts`). A connection without a route, or whose connect fails, is closed, as Envoy
 * closes it. Its bytes are Istio's TCP metrics at both reporters through the telemetry's
 * `tunnel` hook, the one TCP recorder every byte stream goes through. Once it ends it is one
 * access-log line as Envoy's tcp_proxy writes one (`"- - -" 0`, the flag of a refusal, the
 * bytes each way); it is no request, so nothing else records it.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RecordSink } from './executor.js';
import { openRecord, reportRecord, type RequestRecord } from './request-record.js';
import type { RouteRequest, Router } from './router.js';
import type { TcpUpstreams } from './tcp-upstream.js';
import type { RequestTelemetry } from './telemetry/request-telemetry.js';
import { tunnel, type TunnelMeter } from './tunnel.js';

export class TcpGateway {
  constructor(
    private readonly upstreams: TcpUpstreams,
    private readonly telemetry: RequestTelemetry | undefined,
    private readonly router: () => Router,
    /** Where a finished connection's record goes: the access log (not the request metrics). */
    private readonly logSinks: readonly RecordSink[],
  ) {}

  /** Routes one connection that arrived on the gateway TCP port written `port` in its Gateway. */
  handle(socket: net.Socket, port: number): void {
    socket.on('error', () => undefined);
    const router = this.router();
    const decision = router.tcp ? router.tcp({ port, remoteAddress: socket.remoteAddress ?? '' }) : undefined;
    const rec = tcpRecord(socket, port);
    if (!decision || decision.kind !== 'tunnel') {
      rec.flags = decision?.flags ?? 'NR';
      rec.routeName = decision?.routeName;
      socket.destroy();
      return this.finish(rec);
    }
    const cluster = decision.cluster;
    const svc = cluster.service;
    rec.upstreamCluster = cluster.name;
    rec.routeName = decision.routeName;
    rec.destinationService = svc.fqdn;
    rec.destinationServiceName = svc.name;
    rec.destinationProject = svc.project;
    this.upstreams.connect(cluster, socket, {
      connected: (upstream, ep, ms) => {
        this.telemetry?.attempt(rec, ep);
        rec.upstream = ep;
        rec.upstreamMs = ms;
        tunnel({ socket, head: undefined }, { socket: upstream, head: undefined }, this.meter(rec, this.telemetry?.tunnel?.(rec)));
      },
      failed: (f) => {
        rec.flags = f.flag;
        if (f.ep) rec.upstream = f.ep;
        socket.destroy();
        this.finish(rec);
      },
    });
  }

  /** Counts the bytes into the record too, and logs it when both sides closed. */
  private meter(rec: RequestRecord, metrics: TunnelMeter | undefined): TunnelMeter {
    return {
      sent: (n) => {
        rec.bytesSent += n;
        metrics?.sent(n);
      },
      received: (n) => {
        rec.bytesReceived += n;
        metrics?.received(n);
      },
      closed: () => {
        metrics?.closed();
        this.finish(rec);
      },
    };
  }

  private finish(rec: RequestRecord): void {
    rec.durationMs = performance.now() - rec.hrStart;
    reportRecord(rec, this.logSinks);
  }
}

/** The record a TCP connection's metrics are labelled from: the gateway as source, the cluster's service as destination. */
function tcpRecord(socket: net.Socket, port: number): RequestRecord {
  const rr: RouteRequest = { source: { kind: 'gateway' }, authority: `:${port}`, host: '', port, method: '-', path: '-', scheme: 'tcp', headers: {}, remoteAddress: socket.remoteAddress ?? '' };
  const rec = openRecord({ headers: {}, socket, httpVersion: '1.1' } as Parameters<typeof openRecord>[0], rr);
  rec.protocol = '-';
  return rec;
}
