import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { ConfigSnapshot } from '../../config/snapshot.js';
import { GatewayTlsListener } from './listener.js';

let dir: string;
let listener: GatewayTlsListener;
let port = 0;
const seen: string[] = [];

function snapshot(cert: string, key: string): ConfigSnapshot {
  const gw = (name: string, hosts: string[], t: Record<string, unknown>) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: 'demo' },
    spec: { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts, tls: t }] },
  });
  return {
    version: 1, gatewayPort: 0, projects: [], services: [], endpoints: [], listeners: [], virtualServices: [], destinationRules: [], serviceEntries: [],
    gateways: [
      gw('a', ['a.example', '*.wild.example'], { mode: 'SIMPLE', credentialName: 'a-cred' }),
      gw('b', ['b.example'], { mode: 'SIMPLE', credentialName: 'missing' }),
      // MUTUAL with the CAs to verify clients, and without them (never served as SIMPLE).
      gw('m', ['m.example'], { mode: 'MUTUAL', credentialName: 'm-cred' }),
      gw('n', ['n.example'], { mode: 'MUTUAL', credentialName: 'a-cred' }),
    ],
    tlsCredentials: [{ namespace: 'demo', name: 'a-cred', cert, key }, { namespace: 'demo', name: 'm-cred', cert, key, ca: cert }],
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-gw-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1', '-subj', '/CN=a.example',
    '-addext', 'subjectAltName=DNS:a.example,DNS:*.wild.example'], { cwd: dir, stdio: 'pipe' });
  const end = (s: tls.TLSSocket, what: string): void => {
    seen.push(`${what} ${s.servername as string}`);
    s.end();
  };
  listener = new GatewayTlsListener({ http1: (s) => end(s, 'http1'), http2: (s) => end(s, 'h2'), passthrough: (_n, _s, sock) => sock.destroy() }, 443);
  listener.configure(snapshot(readFileSync(path.join(dir, 'c.pem'), 'utf8'), readFileSync(path.join(dir, 'k.pem'), 'utf8')));
  await new Promise<void>((r) => listener.server.listen(0, '127.0.0.1', r));
  port = (listener.server.address() as net.AddressInfo).port;
});

afterAll(() => {
  listener.close(true);
  rmSync(dir, { recursive: true, force: true });
});

/** Sends bytes and reads until the listener closes the connection. */
function raw(bytes: Buffer | string): Promise<Buffer> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(Buffer.concat(got)));
  });
}

function handshake(servername: string, alpn: string[], client = false): Promise<string> {
  return new Promise((resolve) => {
    const own = client ? { cert: readFileSync(path.join(dir, 'c.pem')), key: readFileSync(path.join(dir, 'k.pem')) } : {};
    const c = tls.connect({ port, host: '127.0.0.1', servername, ALPNProtocols: alpn, ca: readFileSync(path.join(dir, 'c.pem')), checkServerIdentity: () => undefined, ...own });
    // TLS 1.3 reports a refused client certificate after the handshake, on the first read.
    c.on('secureConnect', () => c.write('x'));
    c.on('data', () => undefined);
    c.on('error', (e: Error) => resolve(`error ${e.message}`));
    c.on('end', () => resolve(`ok ${c.alpnProtocol as string}`));
  });
}

it('terminates TLS by SNI, exact and wildcard, with ALPN picking the HTTP/1.1 or HTTP/2 side', async () => {
  expect(await handshake('a.example', ['h2', 'http/1.1'])).toBe('ok h2');
  expect(await handshake('x.wild.example', ['http/1.1'])).toBe('ok http/1.1');
  await vi.waitFor(() => expect(seen).toEqual(expect.arrayContaining(['h2 a.example', 'http1 x.wild.example'])));
});

it('requires a client certificate the Secret\'s ca.crt signed on a MUTUAL server, and refuses MUTUAL without one', async () => {
  expect(await handshake('m.example', ['http/1.1'], true)).toBe('ok http/1.1');
  expect(await handshake('m.example', ['http/1.1'])).toMatch(/^error .*certificate required|^error .*handshake failure/i);
  expect(await handshake('n.example', ['http/1.1'], true)).toMatch(/^error .*unrecognized name/i);
});

it('refuses a name nobody serves, and one whose Secret did not resolve, with unrecognized_name', async () => {
  expect(await handshake('nobody.example', ['http/1.1'])).toMatch(/^error .*unrecognized name/i);
  expect(await handshake('b.example', ['http/1.1'])).toMatch(/^error .*unrecognized name/i);
});

it('answers plaintext HTTP 400 and closes; garbage that looks like TLS is closed without a crash', async () => {
  const r = (await raw('GET / HTTP/1.1\r\nHost: a.example\r\n\r\n')).toString();
  expect(r).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
  expect(r).toContain('this port speaks TLS');
  // A handshake record header claiming 16 KiB, then noise: not a ClientHello.
  const noise = Buffer.concat([Buffer.from([22, 3, 1, 0x40, 0x00]), Buffer.alloc(16_384, 0xab)]);
  expect((await raw(noise)).length).toBeGreaterThan(0);
  expect(await handshake('a.example', ['http/1.1'])).toBe('ok http/1.1');
});
