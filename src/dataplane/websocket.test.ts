/**
 * WebSocket (HTTP/1.1 Upgrade) through a real NodeProxy: the `ws` package's
 * client through the gateway and a workload's outbound listener, to httpbin's
 * /websocket/echo and to `ws` echo servers that name themselves in the 101.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { startHttpbin } from '../../samples/httpbin/httpbin.js';
import type { RunningServer } from '../../samples/lib/serve.js';
import type { ConfigSnapshot, EndpointConfig } from '../config/snapshot.js';
import { dr, vs } from './istio/fixtures.js';
import { NodeProxy } from './node-proxy.js';
import { ProxyTelemetry } from './telemetry/proxy-telemetry.js';

const PROJECT = 'demo';
const closers: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A `ws` echo server that answers its handshakes with `x-upstream: <name>`. */
async function echoServer(name: string): Promise<number> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('headers', (headers) => headers.push(`x-upstream: ${name}`));
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  );
  return (wss.address() as AddressInfo).port;
}

async function httpbin(version: string): Promise<RunningServer> {
  const server = await startHttpbin({ port: 0, version, pod: `httpbin-${version}`, log: () => undefined });
  closers.push(() => server.close());
  return server;
}

function endpoint(app: string, version: string, port: number): EndpointConfig {
  return { pod: `${app}-${version}-0`, project: PROJECT, workload: `${app}-${version}`, labels: { app, version }, address: '127.0.0.1', port, ready: true };
}

function snapshot(version: number, endpoints: EndpointConfig[], parts: Partial<ConfigSnapshot> = {}): ConfigSnapshot {
  return {
    version,
    gatewayPort: 0,
    projects: [{ name: PROJECT, governance: false }],
    services: ['echo', 'httpbin', 'empty'].map((name) => ({ project: PROJECT, name, ports: [{ name: 'http', port: 8000 }], selector: { app: name } })),
    endpoints,
    listeners: [],
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    serviceEntries: [],
    ...parts,
  };
}

const subsets = dr(PROJECT, 'echo', { host: 'echo', subsets: ['v1', 'v2'].map((v) => ({ name: v, labels: { version: v } })) });

function weights(w1: number, w2: number): ConfigSnapshot['virtualServices'] {
  const route = [
    { destination: { host: 'echo', subset: 'v1' }, weight: w1 },
    { destination: { host: 'echo', subset: 'v2' }, weight: w2 },
  ];
  return [vs(PROJECT, 'echo', { hosts: ['echo'], http: [{ route }] })];
}

async function startProxy(s: ConfigSnapshot, telemetry?: ProxyTelemetry): Promise<NodeProxy> {
  const proxy = new NodeProxy({ gatewayPort: 0, ...(telemetry ? { telemetry } : {}) });
  closers.push(() => proxy.close());
  await proxy.start();
  await proxy.apply(s);
  return proxy;
}

interface Open {
  ws: WebSocket;
  /** The 101's fields. */
  headers: http.IncomingHttpHeaders;
}

/** Opens a WebSocket to `path` on `port` with Host `host`; resolves on the 101, rejects with the status of any other answer. */
function connect(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<Open> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { host, ...headers }, perMessageDeflate: false });
    closers.push(() => ws.terminate());
    let upgradeHeaders: http.IncomingHttpHeaders = {};
    ws.once('upgrade', (res) => (upgradeHeaders = res.headers));
    ws.once('open', () => resolve({ ws, headers: upgradeHeaders }));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(Object.assign(new Error(`answered ${res.statusCode}`), { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') })));
    });
    ws.once('error', reject);
  });
}

/** Sends one message and waits for the next one back. */
function roundTrip(ws: WebSocket, data: string | Buffer): Promise<{ data: RawData; isBinary: boolean }> {
  return new Promise((resolve) => {
    ws.once('message', (d, isBinary) => resolve({ data: d, isBinary }));
    ws.send(data);
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
}

function get(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
  });
}

async function refusal(p: Promise<Open>): Promise<{ status: number; body: string }> {
  const err = (await p.then(
    () => new Error('the upgrade was taken'),
    (e: unknown) => e,
  )) as { status?: number; body?: string };
  return { status: err.status ?? 0, body: err.body ?? '' };
}

async function eventually(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const GW = `httpbin.${PROJECT}.localhost`;

describe('WebSocket through the gateway', () => {
  it("echoes text and binary messages with httpbin's /websocket/echo, and passes the close code both ways", async () => {
    const bin = await httpbin('v1');
    const proxy = await startProxy(snapshot(1, [endpoint('httpbin', 'v1', bin.port)]));
    const { ws, headers } = await connect(proxy.gatewayPort, GW, '/websocket/echo');
    expect(headers.upgrade).toBe('websocket');
    expect(headers['x-envoy-upstream-service-time']).toBeDefined();
    const text = await roundTrip(ws, 'hello');
    expect(text.isBinary).toBe(false);
    expect(text.data.toString()).toBe('hello');
    const binary = await roundTrip(ws, Buffer.from([0, 1, 2, 255]));
    expect(binary.isBinary).toBe(true);
    expect([...(binary.data as Buffer)]).toEqual([0, 1, 2, 255]);
    const done = closed(ws);
    ws.close(4001, 'bye');
    expect(await done).toEqual({ code: 4001, reason: 'bye' });
  });

  it('carries a message far larger than the sockets buffer both ways intact (backpressure)', async () => {
    const bin = await httpbin('v1');
    const proxy = await startProxy(snapshot(1, [endpoint('httpbin', 'v1', bin.port)]));
    const { ws } = await connect(proxy.gatewayPort, GW, `/websocket/echo?max_message_size=${32 * 1024 * 1024}`);
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    const back = await roundTrip(ws, big);
    expect((back.data as Buffer).equals(big)).toBe(true);
  });

  it('counts the upgrade as a request with status 101 and the bytes of the tunnel as Istio TCP metrics at both reporters', async () => {
    const bin = await httpbin('v1');
    const telemetry = new ProxyTelemetry({ proxyName: 'node-1' });
    const proxy = await startProxy(snapshot(1, [endpoint('httpbin', 'v1', bin.port)]), telemetry);
    const { ws } = await connect(proxy.gatewayPort, GW, '/websocket/echo');
    await roundTrip(ws, 'hello');
    await roundTrip(ws, Buffer.from([1, 2, 3]));
    const done = closed(ws);
    ws.close(4001, 'bye');
    await done;
    await eventually(() => (telemetry.stats().tcp ?? []).every((s) => s.connectionsClosed === 1), 'the tunnel to close');
    const upgrades = telemetry.stats().series.filter((s) => s.labels.response_code === '101');
    expect(upgrades.map((s) => [s.labels.reporter, s.requests])).toEqual([
      ['source', 1],
      ['destination', 1],
    ]);
    const tcp = telemetry.stats().tcp ?? [];
    expect(tcp.map((s) => s.labels.reporter)).toEqual(['source', 'destination']);
    for (const s of tcp) {
      expect(s.labels).toMatchObject({ request_protocol: 'tcp', destination_workload: 'httpbin-v1', destination_service_name: 'httpbin', response_flags: '-' });
      expect(s.labels.response_code).toBeUndefined();
      // Frames from the client are masked (4 bytes more each): "hello" 2+4+5, 3 bytes 2+4+3, close 4001 "bye" 2+4+5.
      expect(s.receivedBytes).toBe(11 + 9 + 11);
      // The echo and the close back, unmasked: 2+5, 2+3, 2+5.
      expect(s.sentBytes).toBe(7 + 5 + 7);
      expect(s.connectionsOpened).toBe(1);
    }
    const text = telemetry.prometheus();
    expect(text).toMatch(/istio_tcp_sent_bytes_total\{reporter="source",.*request_protocol="tcp",response_flags="-",connection_security_policy="unknown"\} 19\n/);
    expect(text).toMatch(/istio_tcp_received_bytes_total\{reporter="destination",.*\} 31\n/);
    expect(text).toMatch(/istio_requests_total\{reporter="source",.*response_code="101".*\} 1\n/);
  });

  it("relays an upstream's answer other than 101 as a normal answer", async () => {
    const bin = await httpbin('v1');
    const proxy = await startProxy(snapshot(1, [endpoint('httpbin', 'v1', bin.port)]));
    const r = await refusal(connect(proxy.gatewayPort, GW, '/websocket/echo?max_message_size=none'));
    expect(r.status).toBe(400);
    expect(r.body).toContain('max_message_size');
  });

  it('answers an upgrade to a service with no endpoints 503, and keeps serving HTTP/1.1 while a WebSocket is open', async () => {
    const bin = await httpbin('v1');
    const proxy = await startProxy(snapshot(1, [endpoint('httpbin', 'v1', bin.port)]));
    const { ws } = await connect(proxy.gatewayPort, GW, '/websocket/echo');
    const r = await refusal(connect(proxy.gatewayPort, `empty.${PROJECT}.localhost`, '/websocket/echo'));
    expect(r.status).toBe(503);
    expect(r.body).toBe('no healthy upstream\n');
    const plain = await get(proxy.gatewayPort, GW, '/get');
    expect(plain.status).toBe(200);
    expect((JSON.parse(plain.body) as { version: string }).version).toBe('v1');
    expect((await roundTrip(ws, 'still here')).data.toString()).toBe('still here');
  });

  it('serves an h2c upgrade request with a body as plain HTTP/1.1, its connection closed after the answer', async () => {
    const bin = await httpbin('v1');
    const proxy = await startProxy(snapshot(1, [endpoint('httpbin', 'v1', bin.port)]));
    const client = net.connect({ host: '127.0.0.1', port: proxy.gatewayPort });
    closers.push(() => void client.destroy());
    client.write(`POST /anything HTTP/1.1\r\nhost: ${GW}\r\nconnection: upgrade, http2-settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAAQAAP__\r\ncontent-length: 2\r\n\r\nhi`);
    let read = '';
    client.on('data', (c: Buffer) => (read += c.toString('latin1')));
    await new Promise((r) => client.once('end', r));
    const [head, body] = read.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toContain('\r\nconnection: close');
    const seen = (JSON.parse(body!) as { headers: Record<string, string> }).headers;
    expect(seen.Upgrade).toBeUndefined();
    expect(seen['Http2-Settings']).toBeUndefined();
  });

  it('passes a half-close on: the client ends its side and still reads what the upstream sends after', async () => {
    const upstream = net.createServer({ allowHalfOpen: true }, (s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: raw\r\n\r\n');
        let got = '';
        s.on('data', (c: Buffer) => (got += c.toString('latin1')));
        s.on('end', () => s.end(`got ${got}; bye`));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => upstream.close(() => r())));
    const proxy = await startProxy(snapshot(1, [endpoint('httpbin', 'v1', (upstream.address() as AddressInfo).port)]));
    const client = net.connect({ host: '127.0.0.1', port: proxy.gatewayPort, allowHalfOpen: true });
    closers.push(() => void client.destroy());
    client.write(`GET /raw HTTP/1.1\r\nhost: ${GW}\r\nconnection: upgrade\r\nupgrade: raw\r\n\r\n`);
    let read = '';
    const ended = new Promise<void>((r) => client.once('end', r));
    client.on('data', (c: Buffer) => {
      read += c.toString('latin1');
      if (read.includes('\r\n\r\n') && !client.writableEnded) client.end('ping');
    });
    await ended;
    const [head, body] = read.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(head).toContain('\r\nupgrade: raw');
    expect(body).toBe('got ping; bye');
  });
});

describe('WebSocket through an outbound listener, routed by the HTTP rules', () => {
  async function setup(virtualServices: ConfigSnapshot['virtualServices']): Promise<{ proxy: NodeProxy; port: number; endpoints: EndpointConfig[] }> {
    const endpoints = [endpoint('echo', 'v1', await echoServer('v1')), endpoint('echo', 'v2', await echoServer('v2'))];
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const listeners = [{ project: PROJECT, workload: 'client-v1', labels: { app: 'client', version: 'v1' }, port }];
    const proxy = await startProxy(snapshot(1, endpoints, { listeners, virtualServices, destinationRules: [subsets] }));
    return { proxy, port, endpoints };
  }

  it('echoes through the listener and follows a header match', async () => {
    const match = vs(PROJECT, 'echo', {
      hosts: ['echo'],
      http: [{ match: [{ headers: { 'x-canary': { exact: 'yes' } } }], route: [{ destination: { host: 'echo', subset: 'v2' } }] }, { route: [{ destination: { host: 'echo', subset: 'v1' } }] }],
    });
    const { port } = await setup([match]);
    const plain = await connect(port, 'echo:8000', '/');
    const canary = await connect(port, 'echo:8000', '/', { 'x-canary': 'yes' });
    expect([plain.headers['x-upstream'], canary.headers['x-upstream']]).toEqual(['v1', 'v2']);
    expect((await roundTrip(plain.ws, 'to v1')).data.toString()).toBe('to v1');
    expect((await roundTrip(canary.ws, Buffer.from('to v2'))).isBinary).toBe(true);
    const done = closed(canary.ws);
    canary.ws.close(1000, 'done');
    expect(await done).toEqual({ code: 1000, reason: 'done' });
  });

  it('splits upgrades by weight, and a weight change keeps open WebSockets while new ones follow the new weights', async () => {
    const { proxy, port, endpoints } = await setup(weights(50, 50));
    const split = [];
    for (let i = 0; i < 4; i++) split.push((await connect(port, 'echo', '/')).headers['x-upstream']);
    expect(split.filter((v) => v === 'v1')).toHaveLength(2);
    expect(split.filter((v) => v === 'v2')).toHaveLength(2);

    await proxy.apply(snapshot(2, endpoints, { listeners: proxy.snapshot!.listeners, virtualServices: weights(100, 0), destinationRules: [subsets] }));
    const before = await connect(port, 'echo', '/');
    expect(before.headers['x-upstream']).toBe('v1');
    await proxy.apply(snapshot(3, endpoints, { listeners: proxy.snapshot!.listeners, virtualServices: weights(0, 100), destinationRules: [subsets] }));
    expect((await roundTrip(before.ws, 'after the change')).data.toString()).toBe('after the change');
    for (let i = 0; i < 3; i++) expect((await connect(port, 'echo', '/')).headers['x-upstream']).toBe('v2');
    expect((await roundTrip(before.ws, 'still v1')).data.toString()).toBe('still v1');
    const done = closed(before.ws);
    before.ws.close(4000, 'finished');
    expect(await done).toEqual({ code: 4000, reason: 'finished' });
  });

  it('lets an open WebSocket run through a drain, which ends once it closes', async () => {
    const { proxy, port } = await setup(weights(100, 0));
    const { ws } = await connect(port, 'echo', '/');
    let drained = false;
    const drain = proxy.drain(10).then(() => (drained = true));
    expect((await roundTrip(ws, 'during the drain')).data.toString()).toBe('during the drain');
    expect(drained).toBe(false);
    const done = closed(ws);
    ws.close(1001, 'going away');
    expect(await done).toEqual({ code: 1001, reason: 'going away' });
    await drain;
    expect(drained).toBe(true);
  });
});
