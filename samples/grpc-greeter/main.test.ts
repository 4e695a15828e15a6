/** The Greeter entry point as a real process: env in, graceful exit on SIGTERM. */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { startEntry } from '../lib/entry-process.js';
import { greeterService, type HelloReply } from './proto.js';

type Client = grpc.Client & { SayHello(req: { name: string }, cb: (err: grpc.ServiceError | null, r?: HelloReply) => void): void };

describe('greeter main', () => {
  it('reads PORT, SERVICE_NAME and SERVICE_VERSION, and exits 0 on SIGTERM', async () => {
    const proc = await startEntry('samples/grpc-greeter/main.ts', [], { PORT: '0', SERVICE_NAME: 'greeter', SERVICE_VERSION: 'v2' });
    const Greeter = greeterService();
    const client = new Greeter(`127.0.0.1:${proc.port}`, grpc.credentials.createInsecure()) as unknown as Client;
    try {
      const reply = await new Promise<HelloReply>((resolve, reject) => client.SayHello({ name: 'main' }, (e, r) => (e ? reject(e) : resolve(r!))));
      expect(reply.message).toBe('Hello main from greeter-v2');
      expect(proc.stdout()).toMatch(/^greeter greeter-v2 listening on 127\.0\.0\.1:\d+$/m);
      client.close();
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(proc.stdout()).toContain('drained, exiting');
    } finally {
      client.close();
      proc.child.kill('SIGKILL');
    }
  });

  it('refuses a PORT that is not a port number, naming the variable and the fix', async () => {
    await expect(startEntry('samples/grpc-greeter/main.ts', [], { PORT: 'abc' })).rejects.toThrow(
      /PORT=abc: not a port number; set PORT to an integer from 0 to 65535/,
    );
  });
});
