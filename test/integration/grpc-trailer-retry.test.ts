/**
 * Retries on a grpc-status that arrives only in the trailers, through a real
 * NodeProxy to real @grpc/grpc-js servers: a unary call answered with
 * headers first and UNAVAILABLE in the trailers is held back and retried
 * while tries are left; past the hold's bound, or once a streaming answer
 * has sent a message, the answer streams through unretried; a
 * server-streaming call under Istio's default retry policy still arrives
 * message by message.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { greeterService, type HelloReply } from '../../samples/grpc-greeter/proto.js';
import type { ConfigSnapshot } from '../../src/config/snapshot.js';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import type { RequestRecord } from '../../src/dataplane/request-record.js';

const PROJECT = 'demo';
const Greeter = greeterService();
type Client = grpc.Client & {
  SayHello(req: { name: string }, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, r?: HelloReply) => void): void;
  SayHelloStreamReply(req: { name: string }): grpc.ClientReadableStream<HelloReply>;
};

/** What the server does: fail this many SayHello calls with UNAVAILABLE after sending headers; stream replies on cue. */
const server = {
  calls: 0,
  failAfterHeaders: 0,
  /** A SayHello reply this large (bytes of its message) before the trailers say UNAVAILABLE, on the stream method. */
  bigThenFail: 0,
  /** Cues the streaming method's next reply; set while a stream waits. */
  next: undefined as (() => void) | undefined,
};
let grpcServer: grpc.Server;
let port = 0;
let proxy: NodeProxy;
let version = 0;
const records: RequestRecord[] = [];
const clients: grpc.Client[] = [];

beforeAll(async () => {
  grpcServer = new grpc.Server();
  grpcServer.addService(Greeter.service, {
    SayHello: (call: grpc.ServerUnaryCall<{ name: string }, HelloReply>, cb: grpc.sendUnaryData<HelloReply>) => {
      server.calls++;
      if (server.failAfterHeaders > 0) {
        server.failAfterHeaders--;
        call.sendMetadata(new grpc.Metadata());
        setTimeout(() => cb({ code: grpc.status.UNAVAILABLE, details: 'warming up' }), 20);
        return;
      }
      cb(null, { message: `Hello ${call.request.name}` });
    },
    SayHelloStreamReply: async (call: grpc.ServerWritableStream<{ name: string }, HelloReply>) => {
      server.calls++;
      if (server.bigThenFail > 0) {
        call.write({ message: 'x'.repeat(server.bigThenFail) });
        setTimeout(() => call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'gone' }), 20);
        return;
      }
      for (let i = 0; i < 3; i++) {
        // The next reply waits until the client has the one before: a held stream would stall here.
        if (i > 0) await new Promise<void>((r) => (server.next = r));
        call.write({ message: `#${i}` });
      }
      call.end();
    },
  });
  port = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  proxy = new NodeProxy({ gatewayPort: 0, sinks: [(r) => records.push(r)] });
  await proxy.start();
});

beforeEach(() => {
  records.length = 0;
  server.calls = 0;
  server.failAfterHeaders = 0;
  server.bigThenFail = 0;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await proxy.close();
  grpcServer.forceShutdown();
});

async function apply(http: unknown[]): Promise<void> {
  await proxy.apply({
    version: ++version,
    gatewayPort: 0,
    projects: [{ name: PROJECT, governance: false }],
    services: [{ project: PROJECT, name: 'greeter', ports: [{ name: 'grpc', port: 50051, protocol: 'http2' }], selector: { app: 'greeter' } }],
    endpoints: [{ pod: 'greeter-0', project: PROJECT, workload: 'greeter-v1', labels: { app: 'greeter' }, address: '127.0.0.1', port, ready: true }],
    listeners: [],
    virtualServices: [
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'greeter', namespace: PROJECT }, spec: { hosts: ['greeter'], http } },
    ] as ConfigSnapshot['virtualServices'],
    destinationRules: [],
    gateways: [],
    serviceEntries: [],
  });
}

function client(): Client {
  const c = new Greeter(`127.0.0.1:${proxy.gatewayPort}`, grpc.credentials.createInsecure(), {
    'grpc.default_authority': `greeter.${PROJECT}.localhost`,
  }) as unknown as Client;
  clients.push(c);
  return c;
}

function sayHello(c: Client, name: string): Promise<HelloReply> {
  return new Promise((resolve, reject) => c.SayHello({ name }, new grpc.Metadata(), (err, r) => (err ? reject(err) : resolve(r!))));
}

async function recordOf(path: string): Promise<RequestRecord> {
  for (let i = 0; i < 400; i++) {
    const r = records.find((x) => x.path === path);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`no record of ${path}`);
}

const route = { route: [{ destination: { host: 'greeter' } }] };

describe('retries on a grpc-status in the trailers', () => {
  it('retries a unary call answered headers first, then UNAVAILABLE in the trailers, until it succeeds', async () => {
    await apply([{ ...route, retries: { attempts: 3, retryOn: 'unavailable' } }]);
    server.failAfterHeaders = 2;
    expect((await sayHello(client(), 'kim')).message).toBe('Hello kim');
    expect(server.calls).toBe(3);
    expect(await recordOf('/helloworld.Greeter/SayHello')).toMatchObject({ attempts: 3, grpcStatus: 0, status: 200 });
  });

  it('retries under Istio default policy (no retries on the route) and passes the last failure on once the tries are spent', async () => {
    await apply([route]);
    server.failAfterHeaders = 5;
    const err = await sayHello(client(), 'kim').then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(err).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'warming up' });
    expect(server.calls).toBe(3);
    // The last try is not held (no retry could follow it), so it passes on as it streams.
    expect(await recordOf('/helloworld.Greeter/SayHello')).toMatchObject({ attempts: 3, grpcStatus: 14 });
  });

  it('does not retry a status retryOn does not name', async () => {
    await apply([{ ...route, retries: { attempts: 3, retryOn: 'cancelled' } }]);
    server.failAfterHeaders = 1;
    await expect(sayHello(client(), 'kim')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(server.calls).toBe(1);
  });

  it('streams an answer past the hold bound through, unretried, its trailers intact', async () => {
    await apply([{ ...route, retries: { attempts: 3, retryOn: 'unavailable' } }]);
    server.bigThenFail = 100 * 1024;
    const got: number[] = [];
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      const s = client().SayHelloStreamReply({ name: 'big' });
      s.on('data', (m: HelloReply) => got.push(m.message.length));
      s.on('error', resolve);
    });
    expect(got).toEqual([100 * 1024]);
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(server.calls).toBe(1);
  });

  it('streams a server-streaming call message by message under the default retry policy', async () => {
    await apply([route]);
    const s = client().SayHelloStreamReply({ name: 'stream' });
    const got: string[] = [];
    s.on('data', (m: HelloReply) => {
      got.push(m.message);
      // Only once this reply reached the client does the server send the next.
      queueMicrotask(() => server.next?.());
    });
    await new Promise((r) => s.on('end', r));
    expect(got).toEqual(['#0', '#1', '#2']);
    expect(server.calls).toBe(1);
  });
});
