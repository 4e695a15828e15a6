import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { gw, pod, snapshot, vs } from '../istio/fixtures.js';
import { passthrough, passthroughTarget } from './passthrough.js';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

const service = (project: string) => ({ project, name: 'secure', ports: [{ name: 'tls', port: 9443, protocol: 'tcp' as const }], selector: { app: 'secure' } });
const gateway = gw('demo', 'tls-gateway', { servers: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['secure.example'], tls: { mode: 'PASSTHROUGH' } }] });
const route = (ns: string, gateways: string[]) => vs(ns, 'secure', { hosts: ['secure.example'], gateways, tls: [{ match: [{ sniHosts: ['secure.example'] }], route: [{ destination: { host: 'secure', port: { number: 9443 } } }] }] });

function snap(vss: unknown[], allowRoutesFrom?: string[]) {
  return snapshot({
    projects: [{ name: 'demo', governance: false, ...(allowRoutesFrom ? { allowRoutesFrom } : {}) }, { name: 'evil', governance: false }],
    services: [service('demo'), service('evil')],
    endpoints: [pod('demo', 'secure', 'v1'), pod('evil', 'secure', 'v1')],
    gateways: [gateway] as never,
    virtualServices: vss as never,
  });
}

describe('passthroughTarget', () => {
  it("routes a name by the Gateway's project's tls route", () => {
    expect(passthroughTarget(snap([route('demo', ['tls-gateway'])]), 'secure.example', 'demo/tls-gateway')?.project).toBe('demo');
  });

  it("another project's tls route bound to the Gateway takes none of its connections, unless that project is let in", () => {
    const hijack = route('evil', ['demo/tls-gateway']);
    expect(passthroughTarget(snap([hijack, route('demo', ['tls-gateway'])]), 'secure.example', 'demo/tls-gateway')?.project).toBe('demo');
    expect(passthroughTarget(snap([hijack]), 'secure.example', 'demo/tls-gateway')).toBeUndefined();
    expect(passthroughTarget(snap([hijack], ['evil']), 'secure.example', 'demo/tls-gateway')?.project).toBe('evil');
  });
});

describe('passthrough', () => {
  it('a client gone before the workload answered the connect: the workload connection is closed, not left open', async () => {
    // The workload: accepts and never closes on its own; resolves when the gateway's connection to it closes.
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const workload = net.createServer((s) => s.once('close', upstreamClosed));
    closers.push(() => workload.close());
    await new Promise<void>((resolve) => workload.listen(0, '127.0.0.1', resolve));
    const ep = { ...pod('demo', 'secure', 'v1'), port: (workload.address() as net.AddressInfo).port };
    const s = snapshot({ projects: [{ name: 'demo', governance: false }], services: [service('demo')], endpoints: [ep], gateways: [gateway] as never, virtualServices: [route('demo', ['tls-gateway'])] as never });
    // The client's connection at the gateway, already closed by the client when passthrough runs.
    const front = net.createServer();
    closers.push(() => front.close());
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<net.Socket>((resolve) => front.once('connection', resolve));
    const client = net.connect((front.address() as net.AddressInfo).port, '127.0.0.1');
    const socket = await accepted;
    socket.on('error', () => undefined);
    const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    client.destroy();
    socket.resume();
    await gone;
    passthrough(s, 'secure.example', { pattern: 'secure.example', mode: 'PASSTHROUGH', gateway: 'demo/tls-gateway' }, socket, Buffer.from([22, 3, 1, 0, 0]));
    await closed;
    expect(socket.destroyed).toBe(true);
  }, 5000);
});
