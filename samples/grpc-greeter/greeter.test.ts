/** The Greeter over real sockets, called by @grpc/grpc-js as any gRPC client would. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greeting, startGreeter, type RunningGreeter } from './greeter.js';
import { greeterService, protoPath, type HelloReply } from './proto.js';

type Client = grpc.Client & {
  SayHello(req: { name: string }, cb: (err: grpc.ServiceError | null, r?: HelloReply) => void): void;
  SayHelloStreamReply(req: { name: string }): grpc.ClientReadableStream<HelloReply>;
  SayHelloBidiStream(): grpc.ClientDuplexStream<{ name: string }, HelloReply>;
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('greeter', () => {
  let server: RunningGreeter;
  let client: Client;
  const lines: string[] = [];

  beforeAll(async () => {
    server = await startGreeter({ port: 0, from: 'greeter-v7', log: (l) => lines.push(l) });
    const Greeter = greeterService();
    client = new Greeter(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as unknown as Client;
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  it('answers SayHello naming the workload, and logs the call', async () => {
    const reply = await new Promise<HelloReply>((resolve, reject) => client.SayHello({ name: 'kim' }, (e, r) => (e ? reject(e) : resolve(r!))));
    expect(reply.message).toBe('Hello kim from greeter-v7');
    expect(lines.some((l) => /^SayHello OK \d+ms$/.test(l))).toBe(true);
  });

  it('streams one reply per SayHelloStreamReply, and one per message of SayHelloBidiStream', async () => {
    const one: string[] = [];
    for await (const m of client.SayHelloStreamReply({ name: 'ana' }) as AsyncIterable<HelloReply>) one.push(m.message);
    expect(one).toEqual(['Hello ana from greeter-v7']);
    const bidi = client.SayHelloBidiStream();
    const got: string[] = [];
    bidi.on('data', (m: HelloReply) => got.push(m.message));
    const ended = new Promise((r) => bidi.on('end', r));
    bidi.write({ name: 'a' });
    bidi.write({ name: 'b' });
    bidi.end();
    await ended;
    expect(got).toEqual(['Hello a from greeter-v7', 'Hello b from greeter-v7']);
  });

  it('greets "world" when no name is given', () => {
    expect(greeting('', 'greeter-v1')).toBe('Hello world from greeter-v1');
  });

  it('finds the proto from the source tree and from dist/', () => {
    const source = path.join(ROOT, 'samples', 'grpc-greeter', 'helloworld.proto');
    expect(protoPath()).toBe(source);
    expect(protoPath(path.join(ROOT, 'dist', 'samples', 'grpc-greeter'))).toBe(source);
    expect(() => protoPath('/')).toThrow(/samples\/grpc-greeter\/helloworld\.proto: not found above \//);
  });
});
