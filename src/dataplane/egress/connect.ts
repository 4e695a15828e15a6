/**
 * CONNECT on a workload's outbound listener, what clients honouring HTTPS_PROXY send for an
 * https:// call: `CONNECT api.example.com:443`. The router decides (a host the mesh or a
 * ServiceEntry declares, else the project's outbound policy); a tunnel opens a TCP connection to
 * the endpoint, answers `200 Connection Established` and joins the two sockets (`../tunnel.ts`),
 * so the client's TLS runs end to end through the proxy. The CONNECT is one request in the
 * access log and Istio's request metrics (status 200, or the refusal), recorded once the tunnel
 * is up; its bytes are Istio's TCP metrics from then on, as a WebSocket's are.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EndpointConfig } from '../../config/snapshot.js';
import type { RecordSink } from '../executor.js';
import { statusLine, type RequestHead } from '../http1/head.js';
import { openRecord, type RequestRecord } from '../request-record.js';
import type { ConnectDecision, RouteRequest, Router, Source } from '../router.js';
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';
import { tunnel } from '../tunnel.js';
import type { Cluster } from '../policy.js';
import { parseConnectTarget } from './connect-target.js';

/** Envoy's default connect timeout (Istio's DestinationRule connectionPool.tcp.connectTimeout). */
const CONNECT_TIMEOUT_MS = 10_000;

/** Where a tunnel goes: the endpoint and what the record says about it. */
interface TunnelTarget {
  ep: EndpointConfig;
  cluster: string;
  route: string;
  service: { fqdn: string; name: string; project: string };
  connectTimeoutMs: number;
}

export class ConnectTunnels {
  constructor(
    private readonly sinks: readonly RecordSink[],
    private readonly telemetry: RequestTelemetry | undefined,
  ) {}

  /** Answers one CONNECT of `source`; the socket is this handler's from now on. */
  handle(head: RequestHead, socket: net.Socket, rest: Buffer | undefined, source: Source, router: Router): void {
    socket.on('error', () => undefined);
    const target = parseConnectTarget(head.target);
    const host = 'error' in target ? head.target : target.host;
    const port = 'error' in target ? 0 : target.port;
    const rr: RouteRequest = { source, authority: head.target, host, port, method: 'CONNECT', path: '-', scheme: 'http', headers: head.headers, remoteAddress: socket.remoteAddress ?? '' };
    const rec = openRecord({ headers: head.headers, socket, httpVersion: head.minor === 0 ? '1.0' : '1.1' }, rr);
    let decision: ConnectDecision;
    if ('error' in target) decision = { kind: 'respond', status: 400, body: `${target.error}\n`, flags: '-' };
    else if (!router.connect) decision = { kind: 'respond', status: 503, body: `no configuration yet for "${host}"\n`, flags: 'NC' };
    else decision = router.connect(rr);
    this.telemetry?.begin(rec, rr, decision.kind === 'tunnel' ? { kind: 'passthrough', address: host, port } : decision);
    if (decision.kind === 'respond') {
      rec.flags = decision.flags;
      rec.details = decision.details;
      rec.routeName = decision.routeName;
      rec.upstreamCluster = decision.cluster;
      return this.refuse(socket, rec, decision.status, decision.body);
    }
    const to = decision.kind === 'tunnel' ? tunnelTarget(decision.cluster) : passthroughTarget(decision.address, decision.port);
    if (!to) {
      rec.flags = 'UH';
      rec.upstreamCluster = decision.kind === 'tunnel' ? decision.cluster.name : undefined;
      return this.refuse(socket, rec, 503, 'no healthy upstream\n');
    }
    this.open(socket, rest, rec, to);
  }

  /** Connects to the endpoint; once connected, answers 200 and joins the sockets. */
  private open(socket: net.Socket, rest: Buffer | undefined, rec: RequestRecord, to: TunnelTarget): void {
    rec.upstreamCluster = to.cluster;
    rec.routeName = to.route;
    rec.destinationService = to.service.fqdn;
    rec.destinationServiceName = to.service.name;
    rec.destinationProject = to.service.project;
    rec.attempts = 1;
    this.telemetry?.attempt(rec, to.ep);
    const upstream = net.connect({ host: to.ep.address, port: to.ep.port, noDelay: true, allowHalfOpen: true });
    const started = performance.now();
    const timer = setTimeout(() => upstream.destroy(Object.assign(new Error(`connect timeout to ${to.ep.address}:${to.ep.port}`), { code: 'ETIMEDOUT' })), to.connectTimeoutMs);
    const clientGone = (): void => {
      upstream.destroy();
      rec.flags = 'DC';
      this.finish(rec);
    };
    socket.once('close', clientGone);
    upstream.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.off('close', clientGone);
      rec.flags = 'UF';
      rec.upstream = to.ep;
      const reason = err.code ?? err.message;
      this.refuse(socket, rec, 503, `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${reason} (${to.ep.address}:${to.ep.port})\n`);
    });
    upstream.once('connect', () => {
      clearTimeout(timer);
      socket.off('close', clientGone);
      upstream.removeAllListeners('error');
      rec.upstream = to.ep;
      rec.upstreamMs = performance.now() - started;
      rec.upstreamStatus = 200;
      rec.status = 200;
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n', 'latin1');
      this.finish(rec);
      tunnel({ socket, head: rest }, { socket: upstream, head: undefined }, this.telemetry?.tunnel?.(rec));
    });
  }

  /** Answers the CONNECT itself and closes the connection. */
  private refuse(socket: net.Socket, rec: RequestRecord, status: number, body: string): void {
    rec.status = status;
    rec.bytesSent = Buffer.byteLength(body);
    if (!socket.destroyed) {
      socket.end(`${statusLine(status)}content-type: text/plain\r\ncontent-length: ${rec.bytesSent}\r\nconnection: close\r\n\r\n${body}`, 'latin1');
    }
    this.finish(rec);
  }

  private finish(rec: RequestRecord): void {
    rec.durationMs = performance.now() - rec.hrStart;
    for (const sink of this.sinks) {
      try {
        sink(rec);
      } catch {
        // a sink never fails a request
      }
    }
  }
}

/** An endpoint of the cluster by its balancer. */
function tunnelTarget(cluster: Cluster): TunnelTarget | undefined {
  const ep = cluster.pick(undefined);
  if (!ep) return undefined;
  const svc = cluster.service;
  return { ep, cluster: cluster.name, route: 'default', service: { fqdn: svc.fqdn, name: svc.name, project: svc.project }, connectTimeoutMs: cluster.connectionPool?.connectTimeoutMs ?? CONNECT_TIMEOUT_MS };
}

/** An undeclared host under ALLOW_ANY: where the CONNECT names. */
function passthroughTarget(address: string, port: number): TunnelTarget {
  const ep: EndpointConfig = { pod: '', project: '', workload: '', labels: {}, address, port, ready: true };
  return { ep, cluster: 'PassthroughCluster', route: 'allow_any', service: { fqdn: address, name: address, project: '' }, connectTimeoutMs: CONNECT_TIMEOUT_MS };
}
