/**
 * gRPC and HTTP/2 through a real NodeProxy: @grpc/grpc-js clients (unary and
 * server-streaming) through the gateway and a workload's outbound listener to
 * real @grpc/grpc-js Greeter servers (the helloworld sample proto), with the
 * Istio rules applied to them (weights, a match on metadata, retries on
 * UNAVAILABLE, abort.grpcStatus, grpc-timeout); curl speaking HTTP/2 with
 * prior knowledge to an HTTP/1.1 upstream; and bad HTTP/2 input refused while
 * an HTTP/1.1 client is served.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigSnapshot, EndpointConfig } from '../../src/config/snapshot.js';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import type { RequestRecord } from '../../src/dataplane/request-record.js';

const PROTO = fileURLToPath(new URL('../../samples/grpc-greeter/helloworld.proto', import.meta.url));
const PROJECT = 'demo';
const GATEWAY_HOST = `greeter.${PROJECT}.localhost`;

interface HelloReply {
  message: string;
}
type GreeterClient = grpc.Client & {
  SayHello(req: { name: string }, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, r?: HelloReply) => void): void;
  SayHelloStreamReply(req: { name: string }, md?: grpc.Metadata): grpc.ClientReadableStream<HelloReply>;
};

const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO)) as unknown as {
  helloworld: { Greeter: grpc.ServiceClientConstructor & { service: grpc.ServiceDefinition } };
};
const Greeter = pkg.helloworld.Greeter;

/** A Greeter server of one version; `failNext` answers that many SayHello calls UNAVAILABLE first, `hang` never answers. */
interface Version {
  name: string;
  server: grpc.Server;
  port: number;
  calls: number;
  failNext: number;
  hang: boolean;
  cancelled: Promise<void>;
  markCancelled: () => void;
}

async function greeter(name: string): Promise<Version> {
  const server = new grpc.Server();
  const v = { name, server, port: 0, calls: 0, failNext: 0, hang: false } as Version;
  v.cancelled = new Promise((r) => (v.markCancelled = r));
  server.addService(Greeter.service, {
    SayHello: (call: grpc.ServerUnaryCall<{ name: string }, HelloReply>, cb: grpc.sendUnaryData<HelloReply>) => {
      v.calls++;
      if (v.hang) {
        call.on('cancelled', () => v.markCancelled());
        return;
      }
      if (v.failNext > 0) {
        v.failNext--;
        cb({ code: grpc.status.UNAVAILABLE, details: `${name} is warming up` });
        return;
      }
      const canary = call.metadata.get('x-canary')[0];
      cb(null, { message: `Hello ${call.request.name} from ${name}${canary ? ` (x-canary ${String(canary)})` : ''}` });
    },
    SayHelloStreamReply: (call: grpc.ServerWritableStream<{ name: string }, HelloReply>) => {
      v.calls++;
      for (let i = 0; i < 3; i++) call.write({ message: `Hello ${call.request.name} #${i} from ${name}` });
      call.end();
    },
  });
  v.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  return v;
}

function endpoint(v: Version): EndpointConfig {
  return { pod: `greeter-${v.name}-0`, project: PROJECT, workload: `greeter-${v.name}`, labels: { app: 'greeter', version: v.name }, address: '127.0.0.1', port: v.port, ready: true };
}

const vs = (http: unknown[]): ConfigSnapshot['virtualServices'] => [
  { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'greeter', namespace: PROJECT }, spec: { hosts: ['greeter'], http } },
];
const SUBSETS: ConfigSnapshot['destinationRules'] = [
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'greeter', namespace: PROJECT },
    spec: { host: 'greeter', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
  },
];
const toV1 = { route: [{ destination: { host: 'greeter', subset: 'v1' } }] };

let v1: Version;
let v2: Version;
let web: http.Server;
let proxy: NodeProxy;
let version = 0;
const LISTENER_PORT_BASE = 0;
let listenerPort = LISTENER_PORT_BASE;
const records: RequestRecord[] = [];
const clients: grpc.Client[] = [];

async function apply(http: unknown[]): Promise<void> {
  await proxy.apply({
    version: ++version,
    gatewayPort: 0,
    projects: [{ name: PROJECT, governance: false }],
    services: [
      { project: PROJECT, name: 'greeter', ports: [{ name: 'grpc', port: 50051, protocol: 'http2' }], selector: { app: 'greeter' } },
      { project: PROJECT, name: 'web', ports: [{ name: 'http', port: 8000 }], selector: { app: 'web' } },
    ],
    endpoints: [
      endpoint(v1),
      endpoint(v2),
      { pod: 'web-0', project: PROJECT, workload: 'web', labels: { app: 'web' }, address: '127.0.0.1', port: (web.address() as AddressInfo).port, ready: true },
    ],
    listeners: [{ project: PROJECT, workload: 'caller', labels: { app: 'caller' }, port: listenerPort }],
    virtualServices: vs(http),
    destinationRules: SUBSETS,
    gateways: [],
    serviceEntries: [],
  });
}

/** A Greeter client through the gateway (authority the gateway's host) or the caller's outbound listener. */
function client(via: 'gateway' | 'outbound'): GreeterClient {
  const port = via === 'gateway' ? proxy.gatewayPort : listenerPort;
  const c = new Greeter(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.default_authority': via === 'gateway' ? GATEWAY_HOST : 'greeter:50051',
  }) as unknown as GreeterClient;
  clients.push(c);
  return c;
}

function sayHello(c: GreeterClient, name: string, md = new grpc.Metadata(), opts: grpc.CallOptions = {}): Promise<HelloReply> {
  return new Promise((resolve, reject) => c.SayHello({ name }, md, opts, (err, r) => (err ? reject(err) : resolve(r!))));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  v1 = await greeter('v1');
  v2 = await greeter('v2');
  web = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`web saw HTTP/${req.httpVersion} ${req.method} ${req.url} host=${req.headers.host}\n`);
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  listenerPort = await freePort();
  proxy = new NodeProxy({ gatewayPort: 0, sinks: [(r) => records.push(r)] });
  await proxy.start();
});

beforeEach(() => {
  records.length = 0;
  v1.failNext = 0;
  v1.hang = false;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await proxy.close();
  v1.server.forceShutdown();
  v2.server.forceShutdown();
  await new Promise((r) => web.close(r));
});

/** The record of the next request matching `path` to finish. */
async function recordOf(path: string): Promise<RequestRecord> {
  for (let i = 0; i < 200; i++) {
    const r = records.find((x) => x.path === path);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`no record of ${path}`);
}

describe('gRPC through the node proxy', () => {
  it('carries a unary call through the gateway to an HTTP/2 upstream, with Istio labels for gRPC', async () => {
    await apply([toV1]);
    const reply = await sayHello(client('gateway'), 'gateway');
    expect(reply.message).toBe('Hello gateway from v1');
    const rec = await recordOf('/helloworld.Greeter/SayHello');
    expect(rec).toMatchObject({ protocol: 'HTTP/2', grpc: true, grpcStatus: 0, status: 200, flags: '-' });
  });

  it('streams a server-streaming call through a workload outbound listener', async () => {
    await apply([toV1]);
    const stream = client('outbound').SayHelloStreamReply({ name: 'outbound' });
    const got: string[] = [];
    for await (const m of stream as AsyncIterable<HelloReply>) got.push(m.message);
    expect(got).toEqual(['Hello outbound #0 from v1', 'Hello outbound #1 from v1', 'Hello outbound #2 from v1']);
  });

  it('splits calls by weight between two versions', async () => {
    await apply([
      { route: [{ destination: { host: 'greeter', subset: 'v1' }, weight: 50 }, { destination: { host: 'greeter', subset: 'v2' }, weight: 50 }] },
    ]);
    const c = client('outbound');
    const seen = { v1: 0, v2: 0 };
    for (let i = 0; i < 10; i++) {
      const r = await sayHello(c, 'w');
      seen[r.message.endsWith('v1') ? 'v1' : 'v2']++;
    }
    expect(seen).toEqual({ v1: 5, v2: 5 });
  });

  it('matches a rule on gRPC metadata', async () => {
    await apply([{ match: [{ headers: { 'x-canary': { exact: 'yes' } } }], route: [{ destination: { host: 'greeter', subset: 'v2' } }] }, toV1]);
    const c = client('gateway');
    const md = new grpc.Metadata();
    md.set('x-canary', 'yes');
    expect((await sayHello(c, 'c', md)).message).toBe('Hello c from v2 (x-canary yes)');
    expect((await sayHello(c, 'c')).message).toBe('Hello c from v1');
  });

  it('retries a call answered UNAVAILABLE', async () => {
    await apply([{ ...toV1, retries: { attempts: 2, retryOn: 'unavailable' } }]);
    v1.failNext = 1;
    const before = v1.calls;
    expect((await sayHello(client('outbound'), 'retry')).message).toBe('Hello retry from v1');
    expect(v1.calls - before).toBe(2);
    expect((await recordOf('/helloworld.Greeter/SayHello')).attempts).toBe(2);
  });

  it('answers a fault abort.grpcStatus as a trailers-only gRPC answer', async () => {
    await apply([{ ...toV1, fault: { abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 100 } } } }]);
    const err = await sayHello(client('gateway'), 'fault').then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(err).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'fault filter abort' });
    const rec = await recordOf('/helloworld.Greeter/SayHello');
    expect(rec).toMatchObject({ status: 200, grpcStatus: 14, flags: 'FI' });
  });

  it('holds a call to its grpc-timeout when that is sooner than the route timeout', async () => {
    await apply([{ ...toV1, timeout: '30s' }]);
    v1.hang = true;
    const session = http2.connect(`http://127.0.0.1:${proxy.gatewayPort}`);
    try {
      const req = session.request({
        ':method': 'POST',
        ':path': '/helloworld.Greeter/SayHello',
        ':authority': GATEWAY_HOST,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': '200m',
      });
      // An empty HelloRequest: one uncompressed message of length 0.
      req.end(Buffer.from([0, 0, 0, 0, 0]));
      const [head] = (await new Promise((resolve) => req.once('response', (h, flags) => resolve([h, flags])))) as [http2.IncomingHttpHeaders, number];
      req.resume();
      expect(head[':status']).toBe(200);
      expect(head['grpc-status']).toBe('14');
      await v1.cancelled;
      expect(await recordOf('/helloworld.Greeter/SayHello')).toMatchObject({ flags: 'UT', grpcStatus: 14 });
    } finally {
      session.close();
    }
  });
});

const execFileP = promisify(execFile);

describe('HTTP/2 beside HTTP/1.1 on one port', () => {
  it('takes curl --http2-prior-knowledge through the gateway to an HTTP/1.1 upstream', async () => {
    await apply([toV1]);
    const { stdout } = await execFileP('curl', ['-sS', '--http2-prior-knowledge', '-H', `host: web.${PROJECT}.localhost`, '-w', '%{http_version} %{response_code}', `http://127.0.0.1:${proxy.gatewayPort}/hello?x=1`]);
    expect(stdout).toBe(`web saw HTTP/1.1 GET /hello?x=1 host=web.${PROJECT}.localhost\n2 200`);
  });

  it('ends a session that sends garbage after the preface, and keeps serving HTTP/1.1', async () => {
    await apply([toV1]);
    const sock = net.connect(proxy.gatewayPort, '127.0.0.1');
    const received: Buffer[] = [];
    sock.on('data', (c: Buffer) => received.push(c));
    sock.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.alloc(64, 0xff)]));
    await new Promise((r) => sock.once('close', r));
    const all = Buffer.concat(received);
    // A GOAWAY frame (type 0x7) is among what the proxy sent before closing.
    expect(framesOf(all)).toContain(7);
    expect(await h1Get(`web.${PROJECT}.localhost`)).toBe(200);
  });

  it('refuses a stream with an oversized header list, and keeps serving HTTP/1.1 meanwhile', async () => {
    await apply([toV1]);
    const session = http2.connect(`http://127.0.0.1:${proxy.gatewayPort}`, { maxSendHeaderBlockLength: 1 << 20 });
    session.on('error', () => undefined);
    try {
      const h1 = h1Get(`web.${PROJECT}.localhost`);
      const req = session.request({ ':path': '/', ':authority': `web.${PROJECT}.localhost`, 'x-big': 'a'.repeat(64 * 1024) });
      req.on('error', () => undefined);
      const [refused] = (await new Promise((resolve) => req.once('response', (h) => resolve([h])))) as [http2.IncomingHttpHeaders];
      req.resume();
      expect(refused[':status']).toBe(431);
      expect(await h1).toBe(200);
      const ok = session.request({ ':path': '/small', ':authority': `web.${PROJECT}.localhost` });
      const [head] = (await new Promise((resolve) => ok.once('response', (h) => resolve([h])))) as [http2.IncomingHttpHeaders];
      ok.resume();
      expect(head[':status']).toBe(200);
    } finally {
      session.destroy();
    }
  });
});

/** The types of the HTTP/2 frames in `buf` (the server's SETTINGS first). */
function framesOf(buf: Buffer): number[] {
  const types: number[] = [];
  for (let at = 0; at + 9 <= buf.length; ) {
    const length = buf.readUIntBE(at, 3);
    types.push(buf[at + 3]!);
    at += 9 + length;
  }
  return types;
}

function h1Get(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: proxy.gatewayPort, path: '/', headers: { host }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}
