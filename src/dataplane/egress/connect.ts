/**
 * CONNECT on a workload's outbound listener, what clients honouring HTTPS_PROXY send for an
 * https:// call: `CONNECT api.example.com:443`. The router decides (a host the mesh or a
 * ServiceEntry declares, else the project's outbound policy); a tunnel opens a TCP connection to
 * the endpoint, answers `200 Connection Established` and joins the two sockets (`../tunnel.ts`),
 * so the client's TLS runs end to end through the proxy. The CONNECT is one request in the
 * access log and Istio's request metrics (status 200, or the refusal), recorded once the tunnel
 * is up; its bytes are Istio's TCP metrics from then on, as a WebSocket's are.
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EndpointConfig } from '../../config/snapshot.js';
import type { RecordSink } from '../executor.js';
import { statusLine, type RequestHead } from '../http1/head.js';
import { openRecord, reportRecord, type RequestRecord } from '../request-record.js';
import type { ConnectDecision, RouteRequest, Router, Source } from '../router.js';
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';
import { tunnel } from '../tunnel.js';
import { CONNECT_TIMEOUT_MS, dial, type DialHandlers, type TcpUpstreams } from '../tcp-upstream.js';
import type { Cluster } from '../policy.js';
import { parseConnectTarget } from './connect-target.js';

/** Where a tunnel goes: a cluster (its balancer picks the endpoint), or the address itself (passthrough). */
interface TunnelTarget {
  cluster?: Cluster;
  ep?: EndpointConfig;
  route: string;
  service: { fqdn: string; name: string; project: string };
}

export class ConnectTunnels {
  constructor(
    private readonly sinks: readonly RecordSink[],
    private readonly telemetry: RequestTelemetry | undefined,
    private readonly upstreams: TcpUpstreams,
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
    const to = decision.kind === 'tunnel' ? tunnelTarget(decision.cluster, decision.routeName) : passthroughTarget(decision.address, decision.port);
    this.open(socket, rest, rec, to);
  }

  /** Connects to the endpoint (a cluster's under its DestinationRule); once connected, answers 200 and joins the sockets. */
  private open(socket: net.Socket, rest: Buffer | undefined, rec: RequestRecord, to: TunnelTarget): void {
    rec.upstreamCluster = to.cluster?.name ?? 'PassthroughCluster';
    rec.routeName = to.route;
    rec.destinationService = to.service.fqdn;
    rec.destinationServiceName = to.service.name;
    rec.destinationProject = to.service.project;
    rec.attempts = 1;
    const handlers: DialHandlers = {
      connected: (upstream, ep, ms) => {
        rec.upstream = ep;
        rec.upstreamMs = ms;
        rec.upstreamStatus = 200;
        rec.status = 200;
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n', 'latin1');
        this.finish(rec);
        tunnel({ socket, head: rest }, { socket: upstream, head: undefined }, this.telemetry?.tunnel?.(rec));
      },
      failed: (f) => {
        rec.flags = f.flag;
        if (f.ep) rec.upstream = f.ep;
        if (f.flag === 'DC') return this.finish(rec);
        if (f.flag === 'UH') return this.refuse(socket, rec, 503, 'no healthy upstream\n');
        if (f.flag === 'UO') return this.refuse(socket, rec, 503, 'upstream connect error or disconnect/reset before headers. reset reason: overflow\n');
        const at = f.ep ? ` (${f.ep.address}:${f.ep.port})` : '';
        this.refuse(socket, rec, 503, `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${f.reason}${at}\n`);
      },
    };
    if (to.cluster) {
      const cluster = to.cluster;
      return this.upstreams.connect(cluster, socket, {
        connected: (upstream, ep, ms) => {
          this.telemetry?.attempt(rec, ep);
          handlers.connected(upstream, ep, ms);
        },
        failed: (f) => {
          if (f.ep) this.telemetry?.attempt(rec, f.ep);
          handlers.failed(f);
        },
      });
    }
    this.telemetry?.attempt(rec, to.ep!);
    dial(to.ep!, CONNECT_TIMEOUT_MS, socket, handlers);
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
    reportRecord(rec, this.sinks);
  }
}

/** A cluster of the mesh or a ServiceEntry: an endpoint by its balancer, under its DestinationRule (tcp-upstream). */
function tunnelTarget(cluster: Cluster, routeName: string | undefined): TunnelTarget {
  const svc = cluster.service;
  return { cluster, route: routeName ?? 'default', service: { fqdn: svc.fqdn, name: svc.name, project: svc.project } };
}

/** An undeclared host under ALLOW_ANY: where the CONNECT names. */
function passthroughTarget(address: string, port: number): TunnelTarget {
  const ep: EndpointConfig = { pod: '', project: '', workload: '', labels: {}, address, port, ready: true };
  return { ep, route: 'allow_any', service: { fqdn: address, name: address, project: '' } };
}
