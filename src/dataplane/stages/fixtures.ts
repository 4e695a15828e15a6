/**
 * The stages under test over real sockets: a listener whose requests run a
 * pipeline of the stages given (then `Reached`, which answers 200), routed by
 * the real Istio router; upstream workloads as plain Node servers; a client.
 * Not used by the proxy itself.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { ConfigSnapshot, EndpointConfig } from '../../config/snapshot.js';
import { Http1Server } from '../http1/server.js';
import { UpstreamPools } from '../upstream.js';
import { service, snapshot } from '../istio/fixtures.js';
import { IstioRouter } from '../istio/istio-router.js';
import { openRecord } from '../request-record.js';
import type { RouteRequest, Router, Source } from '../router.js';
import { portOf, stripPort } from '../service-registry.js';
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';
import { Exchange } from './exchange.js';
import { localReply } from './local-reply.js';
import { Pipeline, STOP, type Next, type Stage } from './stage.js';

export const PROJECT = 'demo';
/** The workload whose outbound listener the requests come in on. */
export const CALLER: Source = { kind: 'outbound', project: PROJECT, workload: 'productpage-v1', labels: { app: 'productpage', version: 'v1' } };
export const GATEWAY: Source = { kind: 'gateway' };

const closers: (() => void)[] = [];

const pools: UpstreamPools[] = [];

/** Upstream pools closed by closeAll. */
export function testPools(opts?: ConstructorParameters<typeof UpstreamPools>[0]): UpstreamPools {
  const p = new UpstreamPools(opts);
  pools.push(p);
  return p;
}

/** Closes every server, socket and pool the fixtures opened; for afterEach. */
export async function closeAll(): Promise<void> {
  for (const c of closers.splice(0)) c();
  for (const p of pools.splice(0)) await p.close();
}

/** A promise with its resolver, made on first ask by either side. */
class Arrivals<T> {
  private readonly waiting: { promise: Promise<T>; resolve: (v: T) => void }[] = [];

  at(n: number): { promise: Promise<T>; resolve: (v: T) => void } {
    for (let i = this.waiting.length; i <= n; i++) {
      let resolve!: (v: T) => void;
      const promise = new Promise<T>((r) => (resolve = r));
      this.waiting.push({ promise, resolve });
    }
    return this.waiting[n]!;
  }
}

/** The last stage of every test pipeline: answers 200 `reached`, so a test sees that the stages before it went on. */
export class Reached implements Stage {
  readonly name = 'reached';

  run(x: Exchange): Next {
    localReply(x.res, x.rec, 200, 'reached\n');
    return STOP;
  }
}

export interface Front {
  port: number;
  pipeline: Pipeline;
  /** The n-th exchange (from 0), as soon as its request head has arrived. */
  arrived(n: number): Promise<Exchange>;
  /** The n-th exchange, once its answer is finished or its client gone. */
  closed(n: number): Promise<Exchange>;
}

export interface FrontOptions {
  source?: Source;
  /** Called as the executor calls it: `begin` as the request arrives, the stages call the rest. */
  telemetry?: RequestTelemetry;
}

/** A listener on 127.0.0.1 running `stages`, then Reached, on every request routed by `router`. */
export async function front(stages: Stage[], router: Router, o: FrontOptions = {}): Promise<Front> {
  const pipeline = new Pipeline([...stages, new Reached()]);
  const arrived = new Arrivals<Exchange>();
  const closed = new Arrivals<Exchange>();
  let count = 0;
  const server = new Http1Server((req, res) => {
    const authority = req.headers.host ?? '';
    const rr: RouteRequest = {
      source: o.source ?? CALLER,
      authority,
      host: stripPort(authority).toLowerCase(),
      port: portOf(authority) ?? 80,
      method: req.method,
      path: req.url,
      scheme: 'http',
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? '',
    };
    const decision = router.route(rr);
    if (decision.kind !== 'route') throw new Error(`expected a route, got ${decision.kind}`);
    const rec = openRecord(req, rr);
    o.telemetry?.begin(rec, rr, decision);
    const x = new Exchange(req, res, rr, rec, decision, pipeline);
    const n = count++;
    res.onClose(() => {
      x.clientClosed();
      closed.at(n).resolve(x);
    });
    arrived.at(n).resolve(x);
    pipeline.run(x, 0);
  });
  const port = await listen(server);
  closers.push(() => {
    server.close();
    server.closeAllConnections();
  });
  return { port, pipeline, arrived: (n) => arrived.at(n).promise, closed: (n) => closed.at(n).promise };
}

/** A ready endpoint of reviews at `port` on 127.0.0.1. */
export function endpointAt(port: number, version = 'v1'): EndpointConfig {
  return { pod: `reviews-${version}-${port}`, project: PROJECT, workload: `reviews-${version}`, labels: { app: 'reviews', version }, address: '127.0.0.1', port, ready: true };
}

/** The router of a mesh with service reviews (port 9080) on `endpoints`, and the Istio objects given. */
export function reviews(endpoints: EndpointConfig[], objects: Partial<ConfigSnapshot> = {}): IstioRouter {
  return new IstioRouter(snapshot({ services: [service(PROJECT, 'reviews')], endpoints, ...objects }));
}

/** A port nothing listens on (bound once, then closed). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  const port = await listen(srv);
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** What an upstream received: the request and its whole body. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Upstream {
  port: number;
  /** The n-th request it received (from 0), once its body has ended. */
  seen(n: number): Promise<Seen>;
  /** Resolves once the n-th request's connection closed before its answer was finished. */
  cutOff(n: number): Promise<void>;
  /** Answers held by `/hold` go out. */
  release(): void;
}

/**
 * A workload on 127.0.0.1 answering by path: `/status/N` with status N, `/hold` once released,
 * `/hang` never, `/stall` its head and a first part only, `/chunked` without a length; anything else 200 `ok <name>`. With `status`,
 * every request is answered with that status.
 */
export async function upstream(name: string, status?: number): Promise<Upstream> {
  const seen = new Arrivals<Seen>();
  const cutOff = new Arrivals<void>();
  const held: ServerResponse[] = [];
  let released = false;
  let count = 0;
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = count++;
    res.on('close', () => {
      if (!res.writableFinished) cutOff.at(n).resolve();
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.at(n).resolve({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      const path = (req.url ?? '/').split('?')[0]!;
      const asked = /^\/status\/(\d{3})$/.exec(path)?.[1] ?? status;
      if (asked !== undefined) return res.writeHead(Number(asked), { 'content-length': '0', 'x-upstream': name }).end();
      if (path === '/hang') return;
      if (path === '/stall') return void res.writeHead(200, { 'content-length': '100' }).write('part');
      if (path === '/hold' && !released) return void held.push(res);
      if (path === '/chunked') return res.writeHead(200, { 'x-upstream': name }).end(`chunked ${name}\n`);
      const body = `ok ${name}\n`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'x-upstream': name }).end(body);
    });
  });
  const port = await listen(server);
  closers.push(() => {
    server.close();
    server.closeAllConnections();
  });
  return {
    port,
    seen: (n) => seen.at(n).promise,
    cutOff: (n) => cutOff.at(n).promise,
    release: () => {
      released = true;
      for (const res of held.splice(0)) res.writeHead(200, { 'content-length': '5' }).end('held\n');
    },
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SendOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: http.Agent;
}

/** One request to reviews through the listener at `port`; the whole answer. */
export function send(port: number, o: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path ?? '/', headers: { host: 'reviews:9080', ...o.headers }, agent: o.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** A raw connection to `port` that writes `bytes`; the test ends it. */
export async function rawClient(port: number, bytes: string): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  closers.push(() => s.destroy());
  await new Promise<void>((r) => s.once('connect', r));
  s.write(bytes);
  return s;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}
