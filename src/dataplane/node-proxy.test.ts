import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigSnapshot, EndpointConfig } from '../config/snapshot.js';
import { NodeProxy } from './node-proxy.js';

/** Polls an async condition until it holds (bounded by 10 s). */
async function eventuallyTrue(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const DEADLINE_MS = 10_000;
const PROJECT = 'demo';

/** What an upstream saw of one request. */
interface Seen {
  upstream: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A real upstream workload on 127.0.0.1:0 that answers by path. */
interface Upstream {
  name: string;
  server: Server;
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  seen: Seen[];
}

let upstreams: Upstream[] = [];
let proxy: NodeProxy | undefined;
const extraServers: Server[] = [];
const agents: http.Agent[] = [];
/** Lets a test hold a streaming upstream response open until it says so. */
let gate: { open: () => void; opened: Promise<void> };
/** Resolves when an upstream sees its streaming response closed by the proxy. */
let upstreamStreamClosed: Promise<void>;
let markUpstreamStreamClosed: () => void;

function newGate(): void {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((r) => (open = r));
  gate = { open, opened };
  upstreamStreamClosed = new Promise<void>((r) => (markUpstreamStreamClosed = r));
}

function handler(up: Upstream): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const seen: Seen = { upstream: up.name, method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    up.seen.push(seen);
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/sha': {
        // Hashes the request body as it streams in.
        const hash = createHash('sha256');
        let length = 0;
        req.on('data', (c: Buffer) => {
          hash.update(c);
          length += c.length;
        });
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ upstream: up.name, length, sha256: hash.digest('hex') }));
        });
        return;
      }
      case '/first-part': {
        // Answers as soon as the first bytes of the body arrive, before the client has sent the rest.
        req.once('data', (c: Buffer) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write(`got:${c.toString('utf8').slice(0, 5)}\n`);
          req.on('end', () => res.end('end\n'));
          req.resume();
        });
        return;
      }
      case '/chunked': {
        // No content-length: Node sends the body chunked.
        res.writeHead(200, { 'content-type': 'text/plain' });
        let i = 0;
        const more = (): void => {
          if (i === 200) {
            res.end();
            return;
          }
          res.write(`chunk ${i++} ${'x'.repeat(1000)}\n`);
          setImmediate(more);
        };
        more();
        return;
      }
      case '/stream': {
        // Sends a first part, then waits for the test to open the gate: a proxy that buffered would never deliver "first".
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first\n');
        res.on('close', () => markUpstreamStreamClosed());
        void gate.opened.then(() => res.end('second\n'));
        return;
      }
      case '/hop': {
        // Hop-by-hop fields in the response, and a field the Connection header names.
        res.setHeader('connection', 'x-upstream-secret');
        res.setHeader('x-upstream-secret', 'hidden');
        res.setHeader('keep-alive', 'timeout=5, max=777');
        res.setHeader('proxy-authenticate', 'Basic realm="up"');
        res.setHeader('upgrade', 'h2c');
        res.setHeader('x-end-to-end', 'kept');
        res.setHeader('content-type', 'application/json');
        req.resume();
        req.on('end', () => res.end(JSON.stringify(seen)));
        return;
      }
      default:
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(seen));
        });
    }
  };
}

async function startUpstream(name: string): Promise<Upstream> {
  const up: Upstream = { name, server: http.createServer(), port: 0, connections: 0, seen: [] };
  up.server.on('request', handler(up));
  up.server.on('connection', () => (up.connections += 1));
  await new Promise<void>((r) => up.server.listen(0, '127.0.0.1', r));
  up.port = (up.server.address() as AddressInfo).port;
  upstreams.push(up);
  return up;
}

function endpoint(pod: string, app: string, port: number, ready = true, version = 'v1'): EndpointConfig {
  return { pod, project: PROJECT, workload: `${app}-${version}`, labels: { app, version }, address: '127.0.0.1', port, ready };
}

function snapshot(version: number, parts: Partial<ConfigSnapshot> = {}): ConfigSnapshot {
  return {
    version,
    gatewayPort: 0,
    projects: [{ name: PROJECT, governance: false }],
    services: [
      { project: PROJECT, name: 'reviews', ports: [{ name: 'http', port: 9080 }], selector: { app: 'reviews' } },
      { project: PROJECT, name: 'ratings', ports: [{ name: 'http', port: 9080 }], selector: { app: 'ratings' } },
    ],
    endpoints: [],
    listeners: [],
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    serviceEntries: [],
    ...parts,
  };
}

function listenerFor(port: number): ConfigSnapshot['listeners'][number] {
  return { project: PROJECT, workload: 'productpage-v1', labels: { app: 'productpage', version: 'v1' }, port };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  reusedSocket: boolean;
  localPort: number | undefined;
}

interface RequestOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  agent?: http.Agent | false;
}

/** One HTTP request to 127.0.0.1:port; collects the whole response. */
function request(port: number, o: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers ?? {}, agent: o.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            reusedSocket: req.reusedSocket,
            localPort: res.socket?.localPort,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(DEADLINE_MS, () => req.destroy(new Error(`no answer within ${DEADLINE_MS} ms`)));
    req.end(o.body);
  });
}

const json = (r: Reply): Seen => JSON.parse(r.body.toString('utf8')) as Seen;
const gw = (svc: string): string => `${svc}.${PROJECT}.localhost`;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A port on which nothing listens (bound once, then closed). */
const closedPort = freePort;

async function startProxy(s?: ConfigSnapshot): Promise<NodeProxy> {
  const p = new NodeProxy({ gatewayPort: 0 });
  proxy = p;
  await p.start();
  if (s) await p.apply(s);
  return p;
}

function closeServer(s: Server): Promise<void> {
  return new Promise((r) => {
    s.close(() => r());
    s.closeAllConnections();
  });
}

beforeEach(() => {
  newGate();
});

afterEach(async () => {
  gate.open();
  for (const a of agents.splice(0)) a.destroy();
  await proxy?.close();
  proxy = undefined;
  await Promise.all([...upstreams.map((u) => closeServer(u.server)), ...extraServers.splice(0).map(closeServer)]);
  upstreams = [];
});

describe('NodeProxy routing', () => {
  it('answers 503 "no configuration yet" before the first snapshot', async () => {
    const p = await startProxy();
    const r = await request(p.gatewayPort, { path: '/', headers: { host: gw('reviews') } });
    expect(r.status).toBe(503);
    expect(r.body.toString()).toContain('no configuration yet');
    expect(p.version).toBe(0);
  });

  it('balances round-robin across the ready endpoints only, through the gateway', async () => {
    const [a, b, c] = [await startUpstream('a'), await startUpstream('b'), await startUpstream('c')];
    const p = await startProxy(
      snapshot(1, {
        endpoints: [endpoint('reviews-a', 'reviews', a.port), endpoint('reviews-c', 'reviews', c.port, false), endpoint('reviews-b', 'reviews', b.port)],
      }),
    );
    const hits: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await request(p.gatewayPort, { path: `/reviews/${i}`, headers: { host: gw('reviews') } });
      expect(r.status).toBe(200);
      hits.push(json(r).upstream);
    }
    // Two ready endpoints alternate; the unready one (c) gets nothing.
    expect(hits).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(c.seen).toEqual([]);
    expect(a.seen[0]?.url).toBe('/reviews/0');
  });

  it('routes the gateway host with a port and in any letter case', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const r = await request(p.gatewayPort, { path: '/x?y=1', headers: { host: `Reviews.Demo.localhost:${p.gatewayPort}` } });
    expect(r.status).toBe(200);
    expect(json(r).url).toBe('/x?y=1');
  });

  it('routes an absolute-form request on an outbound listener by the short service name', async () => {
    const a = await startUpstream('a');
    const port = await freePort();
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)], listeners: [listenerFor(port)] }));
    // What a workload's HTTP client sends to its HTTP_PROXY (RFC 9112 §3.2.2).
    const r = await request(port, { path: 'http://reviews:9080/reviews/0?u=1', headers: { host: 'reviews:9080' } });
    expect(r.status).toBe(200);
    const seen = json(r);
    expect(seen.upstream).toBe('a');
    // The upstream gets origin-form, as a server expects.
    expect(seen.url).toBe('/reviews/0?u=1');
    expect(p.version).toBe(1);
  });

  it('routes the fully-qualified name reviews.<project>.svc.cluster.local on an outbound listener', async () => {
    const a = await startUpstream('a');
    const port = await freePort();
    await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)], listeners: [listenerFor(port)] }));
    const fqdn = `reviews.${PROJECT}.svc.cluster.local`;
    const absolute = await request(port, { path: `http://${fqdn}:9080/x`, headers: { host: `${fqdn}:9080` } });
    expect(absolute.status).toBe(200);
    const origin = await request(port, { path: '/y', headers: { host: `${fqdn}:9080` } });
    expect(origin.status).toBe(200);
    expect(a.seen.map((s) => s.url)).toEqual(['/x', '/y']);
  });

  it('answers 503 "no healthy upstream" when a service has no ready endpoint', async () => {
    const a = await startUpstream('a');
    const port = await freePort();
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('ratings-a', 'ratings', a.port, false)], listeners: [listenerFor(port)] }));
    const viaGateway = await request(p.gatewayPort, { path: '/', headers: { host: gw('ratings') } });
    expect(viaGateway.status).toBe(503);
    expect(viaGateway.body.toString()).toBe('no healthy upstream\n');
    const viaListener = await request(port, { path: 'http://ratings:9080/', headers: { host: 'ratings:9080' } });
    expect(viaListener.status).toBe(503);
    expect(a.seen).toEqual([]);
  });

  it('passes a workload request for a host outside the mesh straight through, but not a mesh-like name', async () => {
    const outside = await startUpstream('outside');
    const port = await freePort();
    const p = await startProxy(snapshot(1, { listeners: [listenerFor(port)] }));
    // Istio's ALLOW_ANY: an address that is no mesh service is reached as it is named.
    const through = await request(port, { path: `http://127.0.0.1:${outside.port}/ext`, headers: { host: `127.0.0.1:${outside.port}` } });
    expect(through.status).toBe(200);
    expect(json(through)).toMatchObject({ upstream: 'outside', url: '/ext' });
    // A short name can only mean a mesh service; an unknown one is 404, never a DNS lookup.
    const unknown = await request(port, { path: 'http://nope:9080/', headers: { host: 'nope:9080' } });
    expect(unknown.status).toBe(404);
    // The gateway never passes through.
    const viaGateway = await request(p.gatewayPort, { path: '/ext', headers: { host: `127.0.0.1:${outside.port}` } });
    expect(viaGateway.status).toBe(404);
    expect(outside.seen).toHaveLength(1);
  });

  it('answers 404 for a gateway host that names no service', async () => {
    const p = await startProxy(snapshot(1));
    for (const host of [gw('nope'), `reviews.other-project.localhost`, 'example.com', 'localhost']) {
      const r = await request(p.gatewayPort, { path: '/', headers: { host } });
      expect(r.status, host).toBe(404);
    }
  });

  it('answers 503 when the only endpoint refuses connections', async () => {
    const dead = await closedPort();
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-dead', 'reviews', dead)] }));
    const get = await request(p.gatewayPort, { path: '/', headers: { host: gw('reviews') } });
    expect(get.status).toBe(503);
    expect(get.body.toString()).toContain('connection failure');
    const post = await request(p.gatewayPort, { method: 'POST', path: '/', headers: { host: gw('reviews') }, body: 'hello' });
    expect(post.status).toBe(503);
  });

  it('retries a GET on another endpoint when one refuses connections (Envoy/Istio default connect-failure retry), so the client sees no error', async () => {
    // Istio gives every HTTP route, rule or no rule, a default retry policy (2 attempts on connect-failure),
    // so one dead pod among live ones costs no failed request. Round-robin sends every other request to the dead one here.
    const live = await startUpstream('live');
    const dead = await closedPort();
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-dead', 'reviews', dead), endpoint('reviews-live', 'reviews', live.port)] }));
    for (let i = 0; i < 4; i++) {
      const r = await request(p.gatewayPort, { path: `/${i}`, headers: { host: gw('reviews') } });
      expect(`${r.status} ${r.body.toString().slice(0, 120)}`).toMatch(/^200 /);
    }
    expect(live.seen).toHaveLength(4);
  });
});

describe('NodeProxy headers', () => {
  it('adds x-request-id when absent and keeps the one the client sent', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const fresh = json(await request(p.gatewayPort, { path: '/', headers: { host: gw('reviews') } }));
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = json(await request(p.gatewayPort, { path: '/', headers: { host: gw('reviews'), 'x-request-id': 'req-123' } }));
    expect(kept.headers['x-request-id']).toBe('req-123');
  });

  it('removes hop-by-hop request fields, and those the Connection header names, before the upstream', async () => {
    const a = await startUpstream('a');
    const port = await freePort();
    await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)], listeners: [listenerFor(port)] }));
    const r = await request(port, {
      path: 'http://reviews:9080/',
      headers: {
        host: 'reviews:9080',
        connection: 'x-client-secret, keep-alive',
        'x-client-secret': 'hidden',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic c2VjcmV0',
        'x-end-to-end': 'kept',
      },
    });
    expect(r.status).toBe(200);
    const h = json(r).headers;
    // RFC 9110 §7.6.1: these belong to the client's connection with the proxy, never to the next hop.
    for (const name of ['x-client-secret', 'keep-alive', 'te', 'upgrade', 'proxy-authorization']) {
      expect(h[name], name).toBeUndefined();
    }
    expect(h.connection ?? '').not.toContain('x-client-secret');
    expect(h['x-end-to-end']).toBe('kept');
  });

  it('removes hop-by-hop response fields, and those the Connection header names, before the client', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const r = await request(p.gatewayPort, { path: '/hop', headers: { host: gw('reviews') } });
    expect(r.status).toBe(200);
    expect(r.headers['x-upstream-secret']).toBeUndefined();
    expect(r.headers['proxy-authenticate']).toBeUndefined();
    expect(r.headers.upgrade).toBeUndefined();
    // The proxy's own server may send its own Keep-Alive; the upstream's must not pass through.
    expect(r.headers['keep-alive'] ?? '').not.toContain('max=777');
    expect(r.headers.connection ?? '').not.toContain('x-upstream-secret');
    expect(r.headers['x-end-to-end']).toBe('kept');
  });
});

describe('NodeProxy bodies', () => {
  it('carries a large POST body to the upstream intact', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const body = randomBytes(8 * 1024 * 1024 + 123);
    const r = await request(p.gatewayPort, {
      method: 'POST',
      path: '/sha',
      headers: { host: gw('reviews'), 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
      body,
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({ upstream: 'a', length: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  });

  it('keeps serving when a client goes away in the middle of a body it was buffering for retries', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    for (let i = 0; i < 3; i++) {
      const s = net.connect(p.gatewayPort, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      s.write(`POST /sha HTTP/1.1\r\nHost: ${gw('reviews')}\r\nContent-Length: 100\r\n\r\n0123456789`);
      // The stimulus: the client leaves a moment after its partial body (not a wait for a check).
      await new Promise((r) => setTimeout(r, 20));
      s.destroy();
    }
    // Every one of those connections has been closed on the proxy's side before the next request.
    const gateway = (p as unknown as { gateway: net.Server }).gateway;
    await eventuallyTrue(async () => (await new Promise<number>((r) => gateway.getConnections((_e, n) => r(n)))) === 0, 'the proxy to see every client leave');
    const r = await request(p.gatewayPort, { path: '/after', headers: { host: gw('reviews') } });
    expect(r.status).toBe(200);
    expect(a.seen.map((x) => x.url)).toEqual(['/after']);
  });

  it('carries a chunked request body (no content-length) intact', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const parts = Array.from({ length: 50 }, () => randomBytes(20_000));
    const whole = Buffer.concat(parts);
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: p.gatewayPort, method: 'POST', path: '/sha', headers: { host: gw('reviews') }, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), reusedSocket: false, localPort: undefined }));
        },
      );
      req.on('error', reject);
      for (const part of parts) req.write(part);
      req.end();
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toMatchObject({ length: whole.length, sha256: createHash('sha256').update(whole).digest('hex') });
  });

  it('carries a POST sent with Expect: 100-continue (as curl does for large bodies)', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const body = randomBytes(2 * 1024 * 1024);
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: p.gatewayPort,
          method: 'POST',
          path: '/sha',
          headers: { host: gw('reviews'), expect: '100-continue', 'content-length': String(body.length) },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), reusedSocket: false, localPort: undefined }));
        },
      );
      req.on('error', reject);
      // The body goes only after the proxy says 100 Continue.
      req.on('continue', () => req.end(body));
    });
    expect(`${r.status} ${r.body.toString().slice(0, 120)}`).toMatch(/^200 /);
    expect(JSON.parse(r.body.toString())).toMatchObject({ length: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  });

  it('delivers a chunked response intact', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const r = await request(p.gatewayPort, { path: '/chunked', headers: { host: gw('reviews') } });
    expect(r.status).toBe(200);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    const lines = r.body.toString().split('\n').filter((l) => l.length > 0);
    expect(lines).toHaveLength(200);
    expect(lines[0]).toBe(`chunk 0 ${'x'.repeat(1000)}`);
    expect(lines[199]).toBe(`chunk 199 ${'x'.repeat(1000)}`);
  });

  it('streams the response: the client gets the first part before the upstream has finished', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: p.gatewayPort, path: '/stream', headers: { host: gw('reviews') }, agent: false }, (res) => {
        let got = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          got += c;
          // Only now may the upstream finish: a buffering proxy would deadlock here and the request time out.
          if (got.includes('first')) gate.open();
        });
        res.on('end', () => resolve(got));
      });
      req.on('error', reject);
      req.setTimeout(DEADLINE_MS, () => req.destroy(new Error('the first part never arrived: the response was buffered')));
    });
    expect(text).toBe('first\nsecond\n');
  });

  it('streams the request: the upstream sees the first part before the client has sent the rest', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: p.gatewayPort, method: 'POST', path: '/first-part', headers: { host: gw('reviews') }, agent: false },
        (res) => {
          let got = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            got += c;
            // The upstream answered after the first part alone; now send the rest.
            if (got.includes('got:') && !req.writableEnded) req.end('rest');
          });
          res.on('end', () => resolve(got));
        },
      );
      req.on('error', reject);
      req.setTimeout(DEADLINE_MS, () => req.destroy(new Error('the upstream never saw the first part: the request body was buffered')));
      req.write('hello');
    });
    expect(text).toBe('got:hello\nend\n');
  });

  it('aborts the upstream request when the client goes away mid-response', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: p.gatewayPort, path: '/stream', headers: { host: gw('reviews') }, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => ((err as { code?: string }).code === 'ECONNRESET' ? undefined : reject(err)));
    });
    // The gate stays shut, so only the abort can close the upstream's response.
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      upstreamStreamClosed.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), DEADLINE_MS))),
    ]);
    clearTimeout(timer);
    expect(closed).toBe(true);
  });
});

describe('NodeProxy connections', () => {
  it('keeps the client connection alive across requests, and reuses one upstream connection per endpoint', async () => {
    const a = await startUpstream('a');
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)] }));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const replies: Reply[] = [];
    for (let i = 0; i < 5; i++) replies.push(await request(p.gatewayPort, { path: `/${i}`, headers: { host: gw('reviews') }, agent }));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // One client socket for all five: the first opened it, the other four reused it.
    expect(replies.map((r) => r.reusedSocket)).toEqual([false, true, true, true, true]);
    expect(new Set(replies.map((r) => r.localPort)).size).toBe(1);
    // And the proxy's pool kept one upstream connection for the five requests.
    expect(a.connections).toBe(1);
  });

  it('keeps the client connection alive after answering an error itself', async () => {
    const p = await startProxy(snapshot(1));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const first = await request(p.gatewayPort, { path: '/', headers: { host: gw('nope') }, agent });
    const second = await request(p.gatewayPort, { path: '/', headers: { host: gw('nope') }, agent });
    expect([first.status, second.status]).toEqual([404, 404]);
    expect(second.reusedSocket).toBe(true);
  });
});

describe('NodeProxy apply', () => {
  it('rejects a snapshot whose listener port is taken and keeps the previous config serving, version unchanged', async () => {
    const [a, b] = [await startUpstream('a'), await startUpstream('b')];
    const oldPort = await freePort();
    const p = await startProxy(
      snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port), endpoint('reviews-b', 'reviews', b.port)], listeners: [listenerFor(oldPort)] }),
    );
    const blocker = http.createServer((_req, res) => res.end('blocker'));
    extraServers.push(blocker);
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as AddressInfo).port;
    const alsoNew = await freePort();
    // v2 would drop endpoint a, keep the old listener, and open two new ones: one free, one taken.
    const v2 = snapshot(2, {
      endpoints: [endpoint('reviews-b', 'reviews', b.port)],
      listeners: [listenerFor(oldPort), { ...listenerFor(alsoNew), workload: 'details-v1' }, { ...listenerFor(taken), workload: 'ratings-v1' }],
    });
    await expect(p.apply(v2)).rejects.toThrow(/cannot open listener/);
    expect(p.version).toBe(1);
    expect(p.snapshot?.version).toBe(1);
    // Whole or nothing: the listener v2 did manage to open is closed again.
    await expect(request(alsoNew, { path: '/', headers: { host: 'reviews:9080' } })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // The old config still serves: both of v1's endpoints, on the gateway and on the old listener.
    const hits = new Set<string>();
    for (let i = 0; i < 4; i++) {
      hits.add(json(await request(p.gatewayPort, { path: '/', headers: { host: gw('reviews') } })).upstream);
    }
    expect([...hits].sort()).toEqual(['a', 'b']);
    expect((await request(oldPort, { path: 'http://reviews:9080/', headers: { host: 'reviews:9080' } })).status).toBe(200);
    // The blocker was never disturbed.
    expect((await request(taken, { path: '/' })).body.toString()).toBe('blocker');
  });

  it('applies a new snapshot whole: new endpoints serve, dropped listeners close, version advances', async () => {
    const [a, b] = [await startUpstream('a'), await startUpstream('b')];
    const first = await freePort();
    const second = await freePort();
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)], listeners: [listenerFor(first)] }));
    await p.apply(snapshot(2, { endpoints: [endpoint('reviews-b', 'reviews', b.port)], listeners: [listenerFor(second)] }));
    expect(p.version).toBe(2);
    for (let i = 0; i < 3; i++) {
      expect(json(await request(p.gatewayPort, { path: '/', headers: { host: gw('reviews') } })).upstream).toBe('b');
    }
    expect((await request(second, { path: 'http://reviews:9080/', headers: { host: 'reviews:9080' } })).status).toBe(200);
    await expect(request(first, { path: '/', headers: { host: 'reviews:9080' } })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('serves a listener kept across snapshots under its new workload config, without rebinding', async () => {
    const a = await startUpstream('a');
    const port = await freePort();
    const p = await startProxy(snapshot(1, { endpoints: [endpoint('reviews-a', 'reviews', a.port)], listeners: [listenerFor(port)] }));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const before = await request(port, { path: 'http://reviews:9080/', headers: { host: 'reviews:9080' }, agent });
    expect(before.status).toBe(200);
    // v2 moves the listener to another project, where there is no `reviews`: the short name must stop resolving.
    await p.apply(snapshot(2, { endpoints: [endpoint('reviews-a', 'reviews', a.port)], listeners: [{ ...listenerFor(port), project: 'elsewhere' }] }));
    const after = await request(port, { path: 'http://reviews:9080/', headers: { host: 'reviews:9080' }, agent });
    expect(after.reusedSocket).toBe(true);
    expect(after.status).toBe(404);
  });
});
