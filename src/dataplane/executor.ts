/**
 * Executes a routing decision for one request, as Envoy's router filter does:
 * fault injection, circuit breaking (connection pool limits, 503 UO), header
 * changes and rewrites, fire-and-forget mirrors, attempts with per-try and
 * overall timeouts, retries by Envoy's retry-on conditions, outlier detection,
 * CORS, and one RequestRecord for the access log and telemetry.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Http1Request, Http1Response } from './http1/server.js';
import type { EndpointConfig } from '../config/snapshot.js';
import { endToEnd, type HeaderMap } from './hop-by-hop.js';
import type { Cluster, CorsPolicy, DirectAction, HeaderOps, RedirectAction, RouteAction } from './policy.js';
import type { RouteDecision, RouteRequest } from './router.js';
import type { RequestRecord } from './request-record.js';
import { endpointKey, OutlierDetector } from './outlier.js';
import type { UpstreamPools } from './upstream.js';
import type { RequestTelemetry } from './telemetry/request-telemetry.js';
import { DISCARD, UpstreamAttempt, type AttemptFailure } from './upstream-attempt.js';

/** Bodies up to this size are buffered so retries and mirrors can resend them (Envoy's buffer limit is 1 MiB too). */
const REPLAY_LIMIT = 1024 * 1024;

export type RecordSink = (r: RequestRecord) => void;

interface AttemptResult {
  ep: EndpointConfig;
  attempt: UpstreamAttempt;
  /** The answer's status and end-to-end headers (flat list, names lowercase). */
  status?: number;
  headers?: string[];
  contentLength?: number;
  /** Local failure: status the proxy answers with, flag and text. */
  failure?: AttemptFailure;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Executor {
  readonly outlier = new OutlierDetector();
  private readonly retriesInFlight = new WeakMap<Cluster, number>();

  constructor(
    private readonly pools: UpstreamPools,
    readonly sinks: RecordSink[] = [],
    private readonly telemetry?: RequestTelemetry,
  ) {}

  run(req: Http1Request, res: Http1Response, rr: RouteRequest, decision: RouteDecision): void {
    const rec = this.newRecord(req, rr);
    this.telemetry?.begin(rec, rr, decision);
    res.onClose(() => this.finish(rec, res));
    switch (decision.kind) {
      case 'respond':
        rec.flags = decision.flags;
        return send(res, rec, decision.status, decision.body);
      case 'redirect':
        return this.redirect(res, rec, decision);
      case 'direct':
        return this.direct(res, rec, decision);
      case 'passthrough':
        return this.routeSafely(req, res, rr, rec, passthroughAction(decision.address, decision.port));
      case 'route':
        return this.routeSafely(req, res, rr, rec, decision);
    }
  }

  /** Runs a route; whatever goes wrong ends this request only (never the proxy). */
  private routeSafely(req: Http1Request, res: Http1Response, rr: RouteRequest, rec: RequestRecord, action: RouteAction): void {
    this.route(req, res, rr, rec, action).catch((err: Error) => {
      if (res.writableFinished || res.destroyed) return;
      if (res.headersSent) return res.destroy();
      send(res, rec, 500, `proxy error: ${err.message}\n`);
    });
  }

  /** Every field is set here, absent ones as undefined, so all records share one shape. */
  private newRecord(req: Http1Request, rr: RouteRequest): RequestRecord {
    const h = req.headers;
    const socket = req.socket;
    const cl = h['content-length'];
    const hr = performance.now();
    return {
      // Sub-millisecond, on the same clock as hrStart: a hop's spans start after their parent's.
      startTime: performance.timeOrigin + hr,
      hrStart: hr,
      durationMs: 0,
      upstreamStartMs: undefined,
      upstreamStatus: undefined,
      traceId: undefined,
      parentSpanId: undefined,
      sampled: undefined,
      debug: undefined,
      tracestate: undefined,
      spanId: undefined,
      serverSpanId: undefined,
      sourcePeer: undefined,
      destinationPeer: undefined,
      upstreamMs: undefined,
      method: rr.method,
      path: rr.path,
      protocol: req.httpVersion === '1.1' ? 'HTTP/1.1' : 'HTTP/1.0',
      status: 0,
      flags: '-',
      bytesReceived: cl === undefined ? 0 : Number(cl) || 0,
      bytesSent: 0,
      authority: rr.authority,
      userAgent: h['user-agent'],
      requestId: h['x-request-id'] as string | undefined,
      forwardedFor: h['x-forwarded-for'] as string | undefined,
      source: rr.source,
      destinationService: undefined,
      destinationServiceName: undefined,
      destinationProject: undefined,
      upstream: undefined,
      upstreamCluster: undefined,
      routeName: undefined,
      attempts: 0,
      downstreamRemote: `${socket.remoteAddress ?? '-'}:${socket.remotePort ?? 0}`,
      downstreamLocal: `${socket.localAddress ?? '-'}:${socket.localPort ?? 0}`,
    };
  }

  private finish(rec: RequestRecord, res: Http1Response): void {
    rec.durationMs = performance.now() - rec.hrStart;
    if (!res.writableFinished && rec.status !== 0 && rec.flags === '-') rec.flags = 'DC';
    if (rec.status === 0) {
      rec.status = 0;
      rec.flags = rec.flags === '-' ? 'DC' : rec.flags;
    }
    for (const sink of this.sinks) {
      try {
        sink(rec);
      } catch {
        // a sink never fails a request
      }
    }
  }

  private redirect(res: Http1Response, rec: RequestRecord, d: RedirectAction): void {
    rec.routeName = d.routeName;
    const headers: HeaderMap = { location: d.location, 'content-length': '0' };
    applyOps(headers, d.responseHeaders);
    rec.status = d.status;
    res.writeHead(d.status, headers);
    res.end();
  }

  private direct(res: Http1Response, rec: RequestRecord, d: DirectAction): void {
    rec.routeName = d.routeName;
    const headers: HeaderMap = { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(d.body)) };
    applyOps(headers, d.responseHeaders);
    rec.status = d.status;
    rec.bytesSent = Buffer.byteLength(d.body);
    res.writeHead(d.status, headers);
    res.end(d.body);
  }

  private async route(req: Http1Request, res: Http1Response, rr: RouteRequest, rec: RequestRecord, action: RouteAction): Promise<void> {
    rec.routeName = action.routeName;
    const cluster = action.cluster;
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (action.cors && origin && req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (corsAllowed(action.cors, origin)) return preflight(res, rec, action.cors, origin);
    }
    if (!cluster) {
      rec.flags = action.missingFlag ?? 'NR';
      return send(res, rec, 503, `${action.missing ?? 'no healthy upstream'}\n`);
    }
    rec.upstreamCluster = cluster.name;
    rec.destinationService = cluster.service.fqdn;
    rec.destinationServiceName = cluster.service.name;
    rec.destinationProject = cluster.service.project;

    // Fault injection happens before anything reaches the upstream (Envoy's fault filter).
    const fault = action.fault;
    if (fault?.delayMs !== undefined && chance(fault.delayPercent)) {
      rec.flags = addFlag(rec.flags, 'DI');
      await sleep(fault.delayMs);
      if (res.destroyed) return;
    }
    if (fault?.abortStatus !== undefined && chance(fault.abortPercent)) {
      // Delayed and then aborted: Envoy's fault filter sets both flags (DI,FI).
      rec.flags = addFlag(rec.flags, 'FI');
      req.resume();
      return send(res, rec, fault.abortStatus, 'fault filter abort\n');
    }

    // Circuit breaking: in-flight requests beyond the pool's capacity overflow (503, UO).
    const pool = cluster.connectionPool;
    if (pool) {
      // Counted only for clusters with limits: a walk over the endpoints' in-flight counts.
      const inFlight = totalActive(cluster);
      const capacity = Math.min(
        pool.http2MaxRequests ?? Infinity,
        (pool.maxConnections ?? Infinity) + (pool.http1MaxPendingRequests ?? Infinity),
      );
      if (inFlight >= capacity) {
        rec.flags = 'UO';
        req.resume();
        return send(res, rec, 503, 'upstream connect error or disconnect/reset before headers. reset reason: overflow\n');
      }
    }

    const headers = endToEnd(req.headers);
    // The proxy answered 100-continue itself; the upstream gets the body directly.
    delete headers.expect;
    headers.host = action.rewriteAuthority ?? rr.authority;
    if (rr.source.kind === 'gateway') {
      const remote = req.socket.remoteAddress ?? '';
      const xff = req.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = typeof xff === 'string' && xff ? `${xff}, ${remote}` : remote;
      headers['x-forwarded-proto'] = rr.scheme;
      headers['x-envoy-external-address'] = remote;
    }
    applyOps(headers, action.requestHeaders);
    // Trace context for the upstream (and mirrors): set after the route's header changes, as Envoy's router does.
    this.telemetry?.inject(headers, rec);
    const path = action.rewritePath ?? rr.path;

    // Consistent hashing by cookie sets the cookie when the client has none.
    let setCookie: string | undefined;
    let hashKey: string | undefined;
    const hashOn = cluster.hashOn;
    if (hashOn) {
      if (hashOn.header) hashKey = headerValue(req.headers[hashOn.header.toLowerCase()]);
      else if (hashOn.sourceIp) hashKey = rr.remoteAddress;
      else if (hashOn.queryParameter) hashKey = queryParam(rr.path, hashOn.queryParameter);
      else if (hashOn.cookie) {
        hashKey = cookieValue(req.headers.cookie, hashOn.cookie.name);
        if (hashKey === undefined) {
          hashKey = randomBytes(8).toString('hex');
          const c = hashOn.cookie;
          setCookie = `${c.name}=${hashKey}; Path=${c.path ?? '/'}${c.ttlSeconds ? `; Max-Age=${c.ttlSeconds}` : ''}; HttpOnly`;
          headers.cookie = appendCookie(req.headers.cookie, `${c.name}=${hashKey}`);
        }
      }
    }

    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    const length = Number(req.headers['content-length'] ?? NaN);
    const wantsReplay = (action.retries?.attempts ?? 0) > 0 || action.mirrors.length > 0;
    let body: Buffer | Http1Request | null = null;
    if (hasBody) {
      if (wantsReplay && Number.isFinite(length) && length <= REPLAY_LIMIT) {
        try {
          body = await req.readAll();
        } catch {
          // The client went away before its body ended: nothing to send.
          rec.flags = 'DC';
          return;
        }
      }
      else body = req;
    }
    const replayable = body === null || Buffer.isBuffer(body);

    for (const m of action.mirrors) {
      if ((body === null || replayable) && chance(m.percent)) this.mirror(m.cluster, rr.method, path, headers, body as Buffer | null, hashKey);
    }

    const retries = action.retries;
    const maxTries = 1 + (replayable ? (retries?.attempts ?? 0) : 0);
    const deadline = action.timeoutMs ? Date.now() + action.timeoutMs : Infinity;
    let current: UpstreamAttempt | undefined;
    let clientGone = false;
    const onClose = (): void => {
      if (res.writableFinished) return;
      clientGone = true;
      current?.abort();
    };
    res.onClose(onClose);
    const firstStart = Date.now();
    let last: AttemptResult | undefined;
    let exclude: EndpointConfig | undefined;
    for (let attempt = 0; attempt < maxTries; attempt++) {
      const ep = cluster.pick(hashKey, exclude);
      if (!ep) {
        rec.flags = 'UH';
        return send(res, rec, 503, 'no healthy upstream\n');
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        // The route timeout ran out during the backoff: Envoy answers 504 UT, not the drained answer.
        last = undefined;
        break;
      }
      const perTry = Math.min(retries?.perTryTimeoutMs ?? Infinity, remaining);
      if (attempt > 0) this.retriesInFlight.set(cluster, (this.retriesInFlight.get(cluster) ?? 0) + 1);
      rec.attempts = attempt + 1;
      const key = endpointKey(ep);
      cluster.active.set(key, (cluster.active.get(key) ?? 0) + 1);
      cluster.onStart?.(ep);
      this.telemetry?.attempt(rec, ep);
      current = new UpstreamAttempt(perTry);
      last = await this.attempt(ep, rr.method, path, headers, body, current);
      if (attempt > 0) this.retriesInFlight.set(cluster, (this.retriesInFlight.get(cluster) ?? 1) - 1);
      const status = last.status ?? last.failure!.status;
      this.outlier.record(cluster, ep, status);
      const done = (): void => {
        cluster.onEnd?.(ep);
        const n = (cluster.active.get(key) ?? 1) - 1;
        if (n <= 0) cluster.active.delete(key);
        else cluster.active.set(key, n);
      };
      if (clientGone) {
        done();
        last.attempt.abort();
        return;
      }
      // Envoy's RetryStateImpl::shouldRetry: a retriable answer with no retries left is passed on
      // flagged URX; one the cluster's retry budget (connectionPool maxRetries) cannot take, UO.
      // Both are decided before the answer in hand is drained, since it may be the one sent.
      const retriable =
        maxTries > 1 && retries !== undefined && shouldRetry(retries, last.failure ? { failure: last.failure } : { data: { statusCode: status } });
      let retry = retriable && attempt + 1 < maxTries;
      if (retriable && !retry) rec.flags = addFlag(rec.flags, 'URX');
      if (retry && (this.retriesInFlight.get(cluster) ?? 0) >= (cluster.connectionPool?.maxRetries ?? Infinity)) {
        retry = false;
        rec.flags = addFlag(rec.flags, 'UO');
      }
      if (!retry) {
        last.attempt.whenEnded(done);
        break;
      }
      done();
      last.attempt.discard();
      exclude = ep;
      await sleep(Math.min(250, 25 * 2 ** attempt) * (0.5 + Math.random()));
    }
    res.offClose(onClose);
    if (!last) {
      rec.flags = addFlag(rec.flags, 'UT');
      return send(res, rec, 504, 'upstream request timeout\n');
    }
    rec.upstream = last.ep;
    rec.upstreamMs = Date.now() - firstStart;
    if (last.failure) {
      rec.flags = addFlag(rec.flags, last.failure.flag);
      return send(res, rec, last.failure.status, last.failure.text);
    }
    const status = last.status as number;
    rec.upstreamStatus = status;
    rec.status = status;
    const up = last.attempt;
    up.limit(deadline - Date.now());
    const corsOk = action.cors !== undefined && origin !== undefined && corsAllowed(action.cors, origin);
    if (!setCookie && !action.setCookie && !corsOk && !action.responseHeaders) {
      // The common case: the upstream's headers as they came, as a flat list (no object built).
      const flat = last.headers as string[];
      flat.push('x-envoy-upstream-service-time', String(rec.upstreamMs));
      res.writeHead(status, flat);
    } else {
      const out = toHeaderMap(last.headers as string[]);
      out['x-envoy-upstream-service-time'] = String(rec.upstreamMs);
      if (setCookie) out['set-cookie'] = appendHeader(out['set-cookie'], setCookie);
      if (action.setCookie) out['set-cookie'] = appendHeader(out['set-cookie'], action.setCookie);
      if (corsOk) corsHeaders(out, action.cors!, origin!);
      applyOps(out, action.responseHeaders);
      res.writeHead(status, out);
    }
    if (last.contentLength !== undefined) rec.bytesSent = last.contentLength;
    else up.whenEnded(() => (rec.bytesSent = up.bytes));
    up.pipe(res);
  }

  /** Sends one attempt and resolves with the answer's head or a local failure. */
  private async attempt(
    ep: EndpointConfig,
    method: string,
    path: string,
    headers: HeaderMap,
    body: Buffer | Http1Request | null,
    handler: UpstreamAttempt,
  ): Promise<AttemptResult> {
    const pool = this.pools.get(ep.address, ep.port);
    pool.dispatch({ method, path, headers, body }, handler);
    const head = await handler.head;
    return { ep, attempt: handler, ...head };
  }

  /** Fire-and-forget copy to the mirror cluster, Host suffixed `-shadow` as Envoy does; never affects the main request. */
  private mirror(cluster: Cluster, method: string, path: string, headers: HeaderMap, body: Buffer | null, hashKey: string | undefined): void {
    const ep = cluster.pick(hashKey);
    if (!ep) return;
    const h: HeaderMap = { ...headers, host: shadowHost(String(headers.host ?? '')) };
    const pool = this.pools.get(ep.address, ep.port);
    pool.dispatch({ method, path, headers: h, body, headersTimeout: 30_000 }, DISCARD);
  }
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

/** `httpbin:8000` → `httpbin-shadow:8000`. */
export function shadowHost(host: string): string {
  const m = /^(.*?)(:\d+)?$/.exec(host);
  return `${m?.[1] ?? host}-shadow${m?.[2] ?? ''}`;
}

function chance(percent: number | undefined): boolean {
  if (percent === undefined) return true;
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  return Math.random() * 100 < percent;
}

/** Envoy's order of response flags (ResponseFlagUtils), printed comma-separated when several apply. */
const FLAG_ORDER = ['UH', 'UT', 'LR', 'UR', 'UF', 'UC', 'UO', 'NR', 'DI', 'FI', 'DC', 'URX'];

function addFlag(flags: string, flag: string): string {
  const all = new Set(flags === '-' ? [] : flags.split(','));
  all.add(flag);
  return [...all].sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b)).join(',');
}

function totalActive(c: Cluster): number {
  let n = 0;
  for (const v of c.active.values()) n += v;
  return n;
}

/** Envoy's retry-on conditions (x-envoy-retry-on), as Istio passes retryOn through. */
export function shouldRetry(p: { retryOn: Set<string>; retriableStatusCodes: Set<number> }, r: { data?: { statusCode: number }; failure?: { kind: string; status: number } }): boolean {
  const on = p.retryOn;
  if (r.failure) {
    const k = r.failure.kind;
    if (on.has('5xx') || on.has('gateway-error')) return true;
    if (k === 'connect' && (on.has('connect-failure') || on.has('reset'))) return true;
    if (k === 'reset' && on.has('reset')) return true;
    if (k === 'timeout' && on.has('reset')) return true;
    return false;
  }
  const s = r.data?.statusCode ?? 0;
  if (on.has('5xx') && s >= 500) return true;
  if (on.has('gateway-error') && (s === 502 || s === 503 || s === 504)) return true;
  if (on.has('retriable-4xx') && s === 409) return true;
  if (p.retriableStatusCodes.has(s) && (on.has('retriable-status-codes') || p.retriableStatusCodes.size > 0)) return true;
  return false;
}

function applyOps(headers: HeaderMap, ops: HeaderOps | undefined): void {
  if (!ops) return;
  for (const name of ops.remove ?? []) delete headers[name.toLowerCase()];
  for (const [k, v] of ops.set ?? []) headers[k.toLowerCase()] = v;
  for (const [k, v] of ops.add ?? []) headers[k.toLowerCase()] = appendHeader(headers[k.toLowerCase()], v);
}

/** A flat [name, value, ...] list as a header map (repeated names become arrays). */
function toHeaderMap(flat: string[]): HeaderMap {
  const out: HeaderMap = {};
  for (let i = 0; i < flat.length; i += 2) {
    const k = flat[i] as string;
    const v = flat[i + 1] as string;
    const cur = out[k];
    out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

function appendHeader(existing: string | string[] | undefined, v: string): string | string[] {
  if (existing === undefined) return v;
  return Array.isArray(existing) ? [...existing, v] : [existing, v];
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function appendCookie(existing: string | undefined, kv: string): string {
  return existing ? `${existing}; ${kv}` : kv;
}

function queryParam(path: string, name: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(path.slice(q + 1)).get(name) ?? undefined;
}

function corsAllowed(c: CorsPolicy, origin: string): boolean {
  return c.allowOrigins.some((f) => f(origin));
}

function corsHeaders(out: HeaderMap, c: CorsPolicy, origin: string): void {
  out['access-control-allow-origin'] = origin;
  if (c.allowCredentials) out['access-control-allow-credentials'] = 'true';
  if (c.exposeHeaders?.length) out['access-control-expose-headers'] = c.exposeHeaders.join(',');
}

function preflight(res: Http1Response, rec: RequestRecord, c: CorsPolicy, origin: string): void {
  const h: HeaderMap = { 'access-control-allow-origin': origin, 'content-length': '0' };
  if (c.allowMethods?.length) h['access-control-allow-methods'] = c.allowMethods.join(',');
  if (c.allowHeaders?.length) h['access-control-allow-headers'] = c.allowHeaders.join(',');
  if (c.maxAgeSeconds !== undefined) h['access-control-max-age'] = String(c.maxAgeSeconds);
  if (c.allowCredentials) h['access-control-allow-credentials'] = 'true';
  rec.status = 200;
  res.writeHead(200, h);
  res.end();
}

function send(res: Http1Response, rec: RequestRecord, status: number, body: string): void {
  rec.status = status;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  rec.bytesSent = Buffer.byteLength(body);
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': rec.bytesSent });
  res.end(body);
}
