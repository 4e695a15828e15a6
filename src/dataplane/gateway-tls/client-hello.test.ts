import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { readClientHello } from './client-hello.js';

const servers: net.Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** The first bytes Node's TLS client sends to a server (its real ClientHello), with the servername given. */
function helloFrom(servername: string | undefined): Promise<Buffer> {
  return new Promise((resolve) => {
    const server = net.createServer((sock) => {
      sock.once('data', (d: Buffer) => {
        resolve(d);
        sock.destroy();
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      const c = tls.connect({ port, host: '127.0.0.1', ...(servername ? { servername } : {}), rejectUnauthorized: false });
      c.on('error', () => undefined);
    });
  });
}

describe('readClientHello', () => {
  it('reads the server name of a real ClientHello, lowercased', async () => {
    const hello = await helloFrom('Bookinfo.Example');
    expect(readClientHello(hello)).toEqual({ kind: 'hello', sni: 'bookinfo.example' });
  });

  it('reads a ClientHello without a server name', async () => {
    expect(readClientHello(await helloFrom(undefined))).toEqual({ kind: 'hello' });
  });

  it('asks for more while the record is incomplete, at any cut', async () => {
    const hello = await helloFrom('a.example');
    for (const n of [1, 4, 5, 40, hello.length - 1]) expect(readClientHello(hello.subarray(0, n))).toEqual({ kind: 'partial' });
  });

  it('tells plaintext HTTP from TLS at the first byte', () => {
    expect(readClientHello(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'not-tls' });
    expect(readClientHello(Buffer.from('PRI * HTTP/2.0\r\n'))).toEqual({ kind: 'not-tls' });
  });

  it('takes a truncated or garbled hello for one without a name, never throwing', async () => {
    const hello = Buffer.from(await helloFrom('a.example'));
    // Claim a session id longer than the record.
    hello[5 + 4 + 34] = 0xff;
    expect(readClientHello(hello)).toEqual({ kind: 'hello' });
  });
});
