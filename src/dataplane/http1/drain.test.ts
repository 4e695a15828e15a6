import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Server } from './server.js';

const DEADLINE_MS = 10_000;

/** A raw keep-alive client: sends requests, collects what comes back, notes the close. */
class RawClient {
  received = '';
  closed = false;
  ended = false;
  private readonly socket: net.Socket;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => (this.received += d));
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('end', () => (this.ended = true));
    this.socket.on('error', () => undefined);
  }

  connected(): Promise<void> {
    return new Promise((r) => (this.socket.connecting ? this.socket.once('connect', () => r()) : r()));
  }

  get(path: string): void {
    this.socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
  }

  answers(): number {
    return this.received.split('HTTP/1.1 200').length - 1;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const servers: Http1Server[] = [];
const clients: RawClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) s.closeAllConnections();
});

async function serve(): Promise<{ server: Http1Server; port: number; hold: (() => void)[] }> {
  const hold: (() => void)[] = [];
  const server = new Http1Server((req, res) => {
    const answer = (): void => {
      res.writeHead(200, { 'content-length': 2 });
      res.end('ok');
    };
    if (req.url === '/slow') hold.push(answer);
    else if (req.url === '/begun') {
      // The head leaves at once (keep-alive), the body when the test says.
      res.writeHead(200, { 'content-length': 2 });
      res.write('o');
      hold.push(() => res.end('k'));
    }
    else answer();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, hold };
}

function client(port: number): RawClient {
  const c = new RawClient(port);
  clients.push(c);
  return c;
}

describe('Http1Server.drain', () => {
  it('stops accepting, answers the request in flight with connection: close, and resolves once every connection is closed', async () => {
    const { server, port, hold } = await serve();
    const c = client(port);
    c.get('/slow');
    await until(() => hold.length === 1, 'the request to arrive');
    let drained = false;
    const draining = server.drain(60_000).then(() => (drained = true));
    expect(server.listening).toBe(false);
    hold[0]!();
    await until(() => c.closed, 'the connection to close after its answer');
    expect(c.received).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n/i);
    await draining;
    expect(drained).toBe(true);
  });

  it('answers the next request of an idle keep-alive connection, with the close, instead of resetting it', async () => {
    const { server, port } = await serve();
    const c = client(port);
    c.get('/one');
    await until(() => c.answers() === 1, 'the first answer');
    expect(c.received).not.toMatch(/connection: close/i);
    const draining = server.drain(60_000);
    c.get('/two');
    await until(() => c.closed, 'the close after the second answer');
    expect(c.answers()).toBe(2);
    expect(c.received.slice(c.received.lastIndexOf('HTTP/1.1'))).toMatch(/connection: close\r\n/i);
    await draining;
  });

  it('closes a connection that stays idle for the grace period', async () => {
    const { server, port } = await serve();
    const c = client(port);
    await c.connected();
    c.get('/one');
    await until(() => c.answers() === 1, 'the first answer');
    await server.drain(50);
    await until(() => c.closed, 'the idle connection to close');
    expect(c.answers()).toBe(1);
  });

  it('answers the next request of a connection whose answer began before the drain, rather than closing it unannounced', async () => {
    const { server, port, hold } = await serve();
    const c = client(port);
    c.get('/begun');
    await until(() => hold.length === 1 && c.received.includes('\r\n\r\no'), 'the head and the first byte');
    expect(c.received).not.toMatch(/connection: close/i);
    const draining = server.drain(60_000);
    hold[0]!();
    await until(() => c.received.endsWith('ok'), 'the end of the first answer');
    // A keep-alive client reuses the connection the moment the answer ends.
    c.get('/two');
    await until(() => c.ended, 'the close');
    expect(c.answers()).toBe(2);
    expect(c.received.slice(c.received.lastIndexOf('HTTP/1.1'))).toMatch(/connection: close\r\n/i);
    await draining;
  });
});
