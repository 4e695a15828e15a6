import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayTlsListener } from './listener.js';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

/** A listener on a free port, with the promise of the server side of its next connection closing. */
function listen(helloTimeoutMs?: number): Promise<{ port: number; released: Promise<void> }> {
  const l = new GatewayTlsListener({ http1: (s) => s.destroy(), http2: (s) => s.destroy(), passthrough: (_n, _s, socket) => socket.destroy() }, 8443, helloTimeoutMs);
  closers.push(() => l.close());
  const released = new Promise<void>((resolve) => l.server.once('connection', (s: net.Socket) => s.once('close', () => resolve())));
  return new Promise((resolve) => l.server.listen(0, '127.0.0.1', () => resolve({ port: (l.server.address() as net.AddressInfo).port, released })));
}

/** A real ClientHello of Node's TLS client for `servername`. */
function hello(servername: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const server = net.createServer((sock) => sock.once('data', (d: Buffer) => (resolve(d), sock.destroy())));
    closers.push(() => server.close());
    server.listen(0, '127.0.0.1', () => {
      const c = tls.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1', servername, rejectUnauthorized: false });
      c.on('error', () => undefined);
    });
  });
}

/** Sends `first` and reads the refusal to its end, keeping its own side open as a client that never closes would. */
function refusal(port: number, first: Buffer | string): Promise<Buffer> {
  return new Promise((resolve) => {
    const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    closers.push(() => c.destroy());
    const got: Buffer[] = [];
    c.on('data', (d: Buffer) => got.push(d));
    c.once('end', () => resolve(Buffer.concat(got)));
    c.on('error', () => undefined);
    c.write(first);
  });
}

describe('GatewayTlsListener refusals', () => {
  it('plaintext HTTP: a 400, then the connection is released though the client never closes', async () => {
    const { port, released } = await listen();
    const got = await refusal(port, 'GET / HTTP/1.1\r\nhost: a.example\r\n\r\n');
    expect(got.toString()).toMatch(/^HTTP\/1\.1 400 /);
    await released;
  }, 5000);

  it('a name no server serves: the unrecognized_name alert, then the connection is released', async () => {
    const { port, released } = await listen();
    const got = await refusal(port, await hello('nobody.example'));
    expect([...got]).toEqual([21, 3, 1, 0, 2, 2, 112]);
    await released;
  }, 5000);
});

describe('GatewayTlsListener hello deadline', () => {
  it('a ClientHello dripped a byte at a time is cut at the deadline, however often a byte comes', async () => {
    const { port, released } = await listen(300);
    const bytes = await hello('a.example');
    const c = net.connect({ port, host: '127.0.0.1' });
    closers.push(() => c.destroy());
    c.on('error', () => undefined);
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < bytes.length - 1) c.write(bytes.subarray(sent, ++sent));
    }, 50);
    closers.push(() => clearInterval(drip));
    await released;
    expect(sent).toBeLessThan(bytes.length - 1);
  }, 5000);
});
