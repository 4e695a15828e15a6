/**
 * Executes a routing decision for one request. A routed request runs the
 * request path's stages in order, as Envoy's HTTP filter chain and router do:
 * CORS, the destination, fault injection, circuit breaking, the upstream's
 * headers and trace context, the hash key, the body, mirrors, the attempts
 * (retries, timeouts, outlier detection), a switch of protocols (a 101 to an
 * upgrade request becomes a tunnel) and the response (stages/). Every
 * request ends in one RequestRecord for the access log and telemetry.
 */
import { performance } from 'node:perf_hooks';
import type { EndpointConfig } from '../config/snapshot.js';
import type { HeaderMap } from './hop-by-hop.js';
import type { DownstreamRequest, DownstreamResponse } from './downstream.js';
import { OutlierDetector } from './outlier.js';
import type { Cluster, DirectAction, RedirectAction, RouteAction } from './policy.js';
import { openRecord, reportRecord, type RequestRecord } from './request-record.js';
import type { RouteDecision, RouteRequest } from './router.js';
import { Attempts } from './stages/attempts.js';
import { CircuitBreaker } from './stages/circuit-breaker.js';
import { Cors } from './stages/cors.js';
import { Destination } from './stages/destination.js';
import { Exchange } from './stages/exchange.js';
import { FaultAbort, FaultDelay } from './stages/fault.js';
import { HashKey } from './stages/hash-key.js';
import { applyOps } from './stages/header-ops.js';
import { localReply } from './stages/local-reply.js';
import { Mirrors } from './stages/mirror.js';
import { RequestBody } from './stages/request-body.js';
import { Respond } from './stages/response.js';
import { Pipeline } from './stages/stage.js';
import { SwitchProtocols } from './stages/switch-protocols.js';
import { UpstreamHeaders } from './stages/upstream-headers.js';
import type { RequestTelemetry } from './telemetry/request-telemetry.js';
import type { UpstreamPools } from './upstream.js';

export type RecordSink = (r: RequestRecord) => void;

export class Executor {
  readonly outlier = new OutlierDetector();
  /** The request path of a routed request, stage by stage. */
  readonly pipeline: Pipeline;

  constructor(
    pools: UpstreamPools,
    readonly sinks: RecordSink[] = [],
    private readonly telemetry?: RequestTelemetry,
  ) {
    this.pipeline = new Pipeline([
      new Cors(),
      new Destination(),
      new FaultDelay(),
      new FaultAbort(),
      new CircuitBreaker(),
      new UpstreamHeaders(telemetry),
      new HashKey(),
      new RequestBody(),
      new Mirrors(pools, telemetry, (rec) => this.report(rec)),
      new Attempts(pools, this.outlier, telemetry),
      new SwitchProtocols(telemetry),
      new Respond(),
    ]);
  }

  run(req: DownstreamRequest, res: DownstreamResponse, rr: RouteRequest, decision: RouteDecision): void {
    const rec = openRecord(req, rr);
    this.telemetry?.begin(rec, rr, decision);
    if (decision.kind === 'route' || decision.kind === 'passthrough') {
      return this.route(req, res, rr, rec, decision.kind === 'route' ? decision : passthroughAction(decision.address, decision.port));
    }
    res.onClose(() => this.finish(rec, res));
    switch (decision.kind) {
      case 'respond':
        rec.flags = decision.flags;
        rec.details = decision.details;
        rec.routeName = decision.routeName;
        rec.upstreamCluster = decision.cluster;
        return localReply(res, rec, decision.status, decision.body);
      case 'redirect':
        return redirect(res, rec, decision);
      case 'direct':
        return direct(res, rec, decision);
    }
  }

  private route(req: DownstreamRequest, res: DownstreamResponse, rr: RouteRequest, rec: RequestRecord, action: RouteAction): void {
    rec.routeName = action.routeName;
    const x = new Exchange(req, res, rr, rec, action, this.pipeline);
    res.onClose(() => {
      this.finish(rec, res);
      x.clientClosed();
    });
    this.pipeline.run(x, 0);
  }

  private finish(rec: RequestRecord, res: DownstreamResponse): void {
    rec.durationMs = performance.now() - rec.hrStart;
    if (!res.writableFinished && rec.status !== 0 && rec.flags === '-') rec.flags = 'DC';
    if (rec.status === 0) {
      rec.status = 0;
      rec.flags = rec.flags === '-' ? 'DC' : rec.flags;
    }
    this.report(rec);
  }

  /** Hands a finished record (a request's, or a mirror's copy's) to every sink. */
  private report(rec: RequestRecord): void {
    reportRecord(rec, this.sinks);
  }
}

function redirect(res: DownstreamResponse, rec: RequestRecord, d: RedirectAction): void {
  rec.routeName = d.routeName;
  const headers: HeaderMap = { location: d.location, 'content-length': '0' };
  applyOps(headers, d.responseHeaders);
  rec.status = d.status;
  res.writeHead(d.status, headers);
  res.end();
}

function direct(res: DownstreamResponse, rec: RequestRecord, d: DirectAction): void {
  rec.routeName = d.routeName;
  const headers: HeaderMap = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(d.body)) };
  applyOps(headers, d.responseHeaders);
  rec.status = d.status;
  rec.bytesSent = Buffer.byteLength(d.body);
  res.writeHead(d.status, headers);
  res.end(d.body);
}

function passthroughAction(address: string, port: number): RouteAction {
  const ep: EndpointConfig = { pod: '', project: '', workload: '', labels: {}, address, port, ready: true };
  const cluster: Cluster = {
    name: 'PassthroughCluster',
    service: { key: '', project: '', name: address, fqdn: address, ports: [{ port }], endpoints: [ep], ready: [ep] },
    endpoints: [ep],
    pick: () => ep,
    ejected: new Set(),
    active: new Map(),
  };
  return { kind: 'route', cluster, routeName: 'allow_any', mirrors: [] };
}
