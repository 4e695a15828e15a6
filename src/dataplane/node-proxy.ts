/**
 * The node proxy: one process per machine serving the gateway listener and
 * one outbound listener per workload, as Istio ambient's ztunnel serves a
 * node. Every listener speaks HTTP/1.1 and HTTP/2 (cleartext, prior
 * knowledge) on the same port. It applies config snapshots whole or not at all and keeps serving
 * with the last good one while the control plane is away.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DEFAULT_GATEWAY_TLS_PORT } from '../config/gateway-ports.js';
import type { ConfigSnapshot, ListenerConfig } from '../config/snapshot.js';
import { Executor, type RecordSink } from './executor.js';
import type { RouteDecision, RouteRequest, Router, Source } from './router.js';
import { portOf, stripPort } from './service-registry.js';
import { compileRouter } from './compile-router.js';
import { UpstreamPools } from './upstream.js';
import type { DownstreamRequest, DownstreamResponse } from './downstream.js';
import { Http1Server as Server, type ConnectHandler } from './http1/server.js';
import { ConnectTunnels } from './egress/connect.js';
import { H2Sessions } from './http2/sessions.js';
import type { ProxyTelemetryHooks } from './telemetry/request-telemetry.js';
import { freshBinder, type ListenerBinder } from './handover.js';
import { GatewayListeners } from './gateway-ports.js';
import { TcpGateway } from './tcp-gateway.js';
import { TcpUpstreams } from './tcp-upstream.js';
import { tcpListener } from './tcp-listener.js';
import { GatewayTls } from './gateway-tls/gateway-tls.js';

export interface NodeProxyOptions {
  /** Port of the gateway listener (0 for any); a Gateway server on port 80 is served here. */
  gatewayPort: number;
  /** Port of the gateway's TLS listener, what a Gateway server's port 443 means (`--gateway-tls-port`; 0 for any); absent: none. */
  gatewayTlsPort?: number;
  /**
   * Address the gateway listener binds to. Workloads' outbound listeners
   * always bind to 127.0.0.1: the proxy knows the caller by the listener, so
   * one reachable from elsewhere would let anyone send as that workload.
   */
  host?: string;
  /** Receivers of one record per finished request (access log, telemetry). */
  sinks?: RecordSink[];
  /** Metrics and tracing: request hooks, a record sink (added to `sinks`), and every accepted snapshot. */
  telemetry?: ProxyTelemetryHooks;
  /** Opens listeners, on sockets taken over from a previous proxy where there are some (default: always afresh). */
  binder?: ListenerBinder;
}

interface State {
  version: number;
  router: Router;
  snapshot: ConfigSnapshot | undefined;
}

interface Listener {
  server: Server;
  source: Source;
  port: number;
}

export class NodeProxy {
  private state: State = { version: 0, router: { route: (r) => noConfig(r) }, snapshot: undefined };
  private readonly listeners = new Map<number, Listener>();
  private gateway: Server | undefined;
  /** The gateway's socket was taken over: it accepts once the first config is in force, so nothing queued meets "no config". */
  private gatewayDeferred = false;
  private readonly binder: ListenerBinder;
  readonly pools = new UpstreamPools();
  readonly executor: Executor;
  /** CONNECT on the outbound listeners (HTTPS egress). */
  private readonly tunnels: ConnectTunnels;
  private readonly host: string;
  /** Every TCP connection to a cluster (gateway TCP ports, CONNECT tunnels), under its DestinationRule. */
  readonly tcpUpstreams: TcpUpstreams;
  /** The gateway's listeners on the ports Gateways ask for besides the main and TLS ones. */
  readonly gatewayPorts: GatewayListeners;
  /** The gateway's TLS listener (gateway-tls/). */
  private readonly tls: GatewayTls | undefined;

  constructor(private readonly opts: NodeProxyOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.binder = opts.binder ?? freshBinder;
    const sinks = [...(opts.sinks ?? [])];
    if (opts.telemetry) sinks.unshift(opts.telemetry.sink);
    this.executor = new Executor(this.pools, sinks, opts.telemetry);
    this.tcpUpstreams = new TcpUpstreams(this.executor.outlier);
    this.tunnels = new ConnectTunnels(sinks, opts.telemetry, this.tcpUpstreams);
    const tcpGateway = new TcpGateway(this.tcpUpstreams, opts.telemetry, () => this.state.router, opts.sinks ?? []);
    this.gatewayPorts = new GatewayListeners(this.binder, this.host, { gatewayPort: opts.gatewayPort, tlsPort: opts.gatewayTlsPort ?? DEFAULT_GATEWAY_TLS_PORT }, {
      http: () => this.createServer({ kind: 'gateway' }),
      tcp: (port) => tcpListener((socket) => tcpGateway.handle(socket, port().number)),
    });
    if (opts.gatewayTlsPort !== undefined) {
      const handler = (req: DownstreamRequest, res: DownstreamResponse): void => this.handle(req, res, { kind: 'gateway' }, true);
      this.tls = new GatewayTls(opts.gatewayTlsPort, this.host, this.binder, new Server(handler, new H2Sessions(handler)), () => this.state.snapshot, opts.telemetry);
    }
  }

  get version(): number {
    return this.state.version;
  }

  get snapshot(): ConfigSnapshot | undefined {
    return this.state.snapshot;
  }

  /** The gateway's bound port. */
  get gatewayPort(): number {
    if (this.gatewayDeferred) return this.opts.gatewayPort;
    return (this.gateway?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The TLS listener's bound port (undefined without one). */
  get gatewayTlsPort(): number | undefined {
    return this.tls?.port;
  }

  async start(): Promise<void> {
    this.gateway = this.createServer({ kind: 'gateway' });
    if (this.binder.inherited(this.opts.gatewayPort, this.host)) this.gatewayDeferred = true;
    else await this.binder.listen(this.gateway, this.opts.gatewayPort, this.host);
    await this.tls?.start();
  }

  /**
   * Applies a snapshot whole or not at all: the router is compiled and every
   * new listener bound before anything changes; on any failure what was bound
   * is closed again and the previous config stays in force.
   */
  async apply(snapshot: ConfigSnapshot): Promise<void> {
    const router = compileRouter(snapshot);
    const wanted = new Map<number, ListenerConfig>();
    for (const l of snapshot.listeners) wanted.set(l.port, l);
    const opened: Listener[] = [];
    const gatewayChange = await this.gatewayPorts.prepare(snapshot.gateways);
    try {
      for (const [port, l] of wanted) {
        if (this.listeners.has(port)) continue;
        const source = sourceOf(l);
        const server = this.createServer(source);
        const listener: Listener = { server, source, port };
        // Record before listening so the handler finds its source.
        opened.push(listener);
        await this.binder.listen(server, port, '127.0.0.1');
      }
    } catch (err) {
      this.gatewayPorts.rollback(gatewayChange);
      for (const l of opened) {
        l.server.close();
        this.binder.release(l.port, '127.0.0.1');
      }
      throw new Error(`cannot open listener: ${(err as Error).message}`, { cause: err });
    }
    for (const l of opened) this.listeners.set(l.port, l);
    for (const [port, l] of this.listeners) {
      const want = wanted.get(port);
      if (want) {
        l.source = sourceOf(want);
      } else {
        this.listeners.delete(port);
        l.server.close();
        l.server.closeIdleConnections();
        this.binder.release(port, '127.0.0.1');
      }
    }
    this.state = { version: snapshot.version, router, snapshot };
    await this.gatewayPorts.commit(gatewayChange);
    if (this.gatewayDeferred) {
      this.gatewayDeferred = false;
      await this.binder.listen(this.gateway!, this.opts.gatewayPort, this.host);
    }
    await this.tls?.apply(snapshot);
    // Sockets handed over for listeners this config no longer has.
    this.binder.releaseUnused();
    this.opts.telemetry?.apply(snapshot);
    const origins = new Set(snapshot.endpoints.map((e) => `${e.address}:${e.port}`));
    this.pools.retain(origins);
  }

  /**
   * Stops accepting on every listener and lets each connection end on its own
   * terms (see Http1Server.drain), then closes the upstream pools: what a
   * proxy does when a successor has taken over its sockets.
   */
  async drain(graceMs: number): Promise<void> {
    const servers = [this.gateway, this.tls?.http, ...[...this.listeners.values()].map((l) => l.server), ...this.gatewayPorts.servers()];
    this.tls?.close();
    await Promise.all(servers.map((s) => s?.drain?.(graceMs)));
    await this.pools.close();
  }

  async close(): Promise<void> {
    const servers = [this.gateway, ...[...this.listeners.values()].map((l) => l.server), ...this.gatewayPorts.servers()];
    this.tls?.close(true);
    this.tls?.http.closeAllConnections();
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (!s) return resolve();
            s.close(() => resolve());
            (s as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      ),
    );
    this.listeners.clear();
    this.gatewayPorts.clear();
    await this.pools.close();
  }

  /**
   * A listener speaking HTTP/1.1 and, on connections that open with its preface, HTTP/2: both to
   * the same handler. A workload's outbound listener takes CONNECT too (its HTTPS_PROXY).
   */
  private createServer(source: Source): Server {
    const sourceOf = (port: number | undefined): Source => this.listeners.get(port ?? 0)?.source ?? source;
    const handler = (req: DownstreamRequest, res: DownstreamResponse): void => this.handle(req, res, sourceOf(req.socket.localPort));
    const connect: ConnectHandler | undefined =
      source.kind === 'outbound' ? (head, socket, rest) => this.tunnels.handle(head, socket, rest, sourceOf(socket.localPort), this.state.router) : undefined;
    return new Server(handler, new H2Sessions(handler), connect);
  }

  private handle(req: DownstreamRequest, res: DownstreamResponse, source: Source, secure = false): void {
    let authority: string;
    let path: string;
    let scheme = secure ? 'https' : 'http';
    const url = req.url ?? '/';
    if (url.startsWith('http://') || url.startsWith('https://')) {
      // Absolute-form (RFC 9112 §3.2.2), as HTTP_PROXY clients send it.
      const start = url.indexOf('//') + 2;
      const slash = url.indexOf('/', start);
      scheme = url.slice(0, start - 3);
      authority = slash < 0 ? url.slice(start) : url.slice(start, slash);
      path = slash < 0 ? '/' : url.slice(slash);
    } else {
      authority = req.headers.host ?? '';
      path = url;
    }
    const host = stripPort(authority).toLowerCase();
    const port = portOf(authority) ?? (secure ? 443 : 80);
    if (!req.headers['x-request-id']) req.headers['x-request-id'] = randomUUID();
    const routeReq: RouteRequest = {
      source,
      authority,
      host,
      port,
      method: req.method,
      path,
      scheme,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? '',
    };
    let decision: RouteDecision;
    try {
      decision = (source.kind === 'gateway' && !secure && this.tls?.redirect(host, path)) || this.state.router.route(routeReq);
    } catch (err) {
      decision = { kind: 'respond', status: 500, body: `route error: ${(err as Error).message}\n`, flags: '-' };
    }
    this.executor.run(req, res, routeReq, decision);
  }
}

function sourceOf(l: ListenerConfig): Source {
  return { kind: 'outbound', project: l.project, workload: l.workload, labels: l.labels };
}

function noConfig(req: RouteRequest): RouteDecision {
  return { kind: 'respond', status: 503, body: `no configuration yet for "${req.host}"\n`, flags: 'NC' };
}
