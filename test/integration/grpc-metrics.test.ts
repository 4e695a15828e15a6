/**
 * Istio's gRPC message counters through a real NodeProxy: @grpc/grpc-js
 * server-streaming and bidirectional calls through the gateway to a real
 * Greeter server, counted into istio_request_messages_total and
 * istio_response_messages_total at both reporters, exactly.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigSnapshot } from '../../src/config/snapshot.js';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import { ProxyTelemetry } from '../../src/dataplane/telemetry/proxy-telemetry.js';
import { greeterService, type HelloReply, type HelloRequest } from '../../samples/grpc-greeter/proto.js';
import { parseExposition, samples } from '../helpers/prometheus-text.js';

const PROJECT = 'demo';
const Greeter = greeterService();

type Client = grpc.Client & {
  SayHelloStreamReply(req: HelloRequest): grpc.ClientReadableStream<HelloReply>;
  SayHelloBidiStream(): grpc.ClientDuplexStream<HelloRequest, HelloReply>;
};

let server: grpc.Server;
let telemetry: ProxyTelemetry;
let proxy: NodeProxy;
let client: Client;

/** The Greeter: a streamed reply of as many messages as the name says; the bidi stream answers each message with one. */
async function startServer(): Promise<number> {
  server = new grpc.Server();
  server.addService(Greeter.service, {
    SayHelloStreamReply: (call: grpc.ServerWritableStream<HelloRequest, HelloReply>) => {
      for (let i = 0; i < Number(call.request.name); i++) call.write({ message: `reply ${i}` });
      call.end();
    },
    SayHelloBidiStream: (call: grpc.ServerDuplexStream<HelloRequest, HelloReply>) => {
      call.on('data', (req: HelloRequest) => call.write({ message: `Hello ${req.name}` }));
      call.on('end', () => call.end());
    },
  });
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
}

function snapshot(port: number): ConfigSnapshot {
  return {
    version: 1,
    gatewayPort: 0,
    projects: [{ name: PROJECT, governance: true }],
    services: [{ project: PROJECT, name: 'greeter', ports: [{ name: 'grpc', port: 50051, protocol: 'http2' }], selector: { app: 'greeter' } }],
    endpoints: [{ pod: 'greeter-v1-0', project: PROJECT, workload: 'greeter-v1', labels: { app: 'greeter', version: 'v1' }, address: '127.0.0.1', port, ready: true }],
    listeners: [],
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    serviceEntries: [],
  };
}

/** Reads a stream to its end: the replies it carried. */
function replies(stream: grpc.ClientReadableStream<HelloReply> | grpc.ClientDuplexStream<HelloRequest, HelloReply>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const got: string[] = [];
    stream.on('data', (r: HelloReply) => got.push(r.message));
    stream.on('error', reject);
    stream.on('end', () => resolve(got));
  });
}

/** The message counters of the Greeter's gRPC series at one reporter, once `calls` requests are counted there. */
async function counted(reporter: string, calls: number): Promise<{ requests: number; request: number | undefined; response: number | undefined }> {
  const labels = { reporter, destination_workload: 'greeter-v1', request_protocol: 'grpc', grpc_response_status: '0' };
  for (let i = 0; i < 250; i++) {
    const e = parseExposition(telemetry.prometheus());
    const requests = samples(e, 'istio_requests_total', labels)[0]?.value ?? 0;
    if (requests >= calls) {
      return { requests, request: samples(e, 'istio_request_messages_total', labels)[0]?.value, response: samples(e, 'istio_response_messages_total', labels)[0]?.value };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${reporter}: fewer than ${calls} gRPC requests counted`);
}

beforeAll(async () => {
  const port = await startServer();
  telemetry = new ProxyTelemetry({ proxyName: 'node-1' });
  proxy = new NodeProxy({ gatewayPort: 0, telemetry });
  await proxy.start();
  await proxy.apply(snapshot(port));
  client = new Greeter(`127.0.0.1:${proxy.gatewayPort}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': `greeter.${PROJECT}.localhost` }) as unknown as Client;
});

afterAll(async () => {
  client.close();
  await proxy.close();
  await telemetry.close();
  server.forceShutdown();
});

describe('gRPC message counters', () => {
  it('counts each direction’s messages at both reporters, in Prometheus text', async () => {
    expect(await replies(client.SayHelloStreamReply({ name: '5' }))).toHaveLength(5);
    expect(await replies(client.SayHelloStreamReply({ name: '0' }))).toEqual([]);
    const bidi = client.SayHelloBidiStream();
    const got = replies(bidi);
    for (const name of ['a', 'b', 'c']) bidi.write({ name });
    bidi.end();
    expect(await got).toEqual(['Hello a', 'Hello b', 'Hello c']);

    // Three calls: the client sent 1 + 1 + 3 messages and was answered 5 + 0 + 3.
    for (const reporter of ['source', 'destination']) expect(await counted(reporter, 3)).toEqual({ requests: 3, request: 5, response: 8 });
    expect(telemetry.prometheus()).toContain('# TYPE istio_response_messages_total counter');
  });
});
