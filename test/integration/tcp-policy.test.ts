/**
 * A DestinationRule's TCP settings on byte streams through a real node proxy and real sockets:
 * a Gateway `protocol: TCP` port routed by a VirtualService tcp route to tcp-echo servers;
 * `connectionPool.tcp.maxConnections` refuses a connection beyond the open ones (closed
 * unanswered) and admits one again once a connection closes; `connectTimeout` ends a connect
 * the endpoint never completes (a listener whose accept queue is full); `outlierDetection` ejects an
 * endpoint whose connects fail, so the next connections all reach the healthy one. An HTTP
 * Gateway server on another port is bound as written and closed when it goes; a Gateway port
 * that cannot be bound refuses the whole snapshot, and the previous config stays.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigSnapshot, EndpointConfig } from '../../src/config/snapshot.js';
import { dr, gw, snapshot, vs } from '../../src/dataplane/istio/fixtures.js';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import { startEcho, type EchoServer } from '../../samples/tcp-echo/echo.js';
import { freePort } from '../helpers/instance.js';
import { countAnswers, tcpLine } from '../helpers/tcp.js';

const NS = 'demo';
let proxy: NodeProxy | undefined;
const echoes: EchoServer[] = [];
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await Promise.all(echoes.splice(0).map((e) => e.close()));
});

function endpoint(port: number, version: string): EndpointConfig {
  return { pod: `tcp-echo-${version}-${port}`, project: NS, workload: `tcp-echo-${version}`, labels: { app: 'tcp-echo', version }, address: '127.0.0.1', port, ready: true };
}

function config(gatewayTcpPort: number, endpoints: EndpointConfig[], trafficPolicy: unknown, version = 1): ConfigSnapshot {
  return {
    ...snapshot({
      services: [{ project: NS, name: 'tcp-echo', ports: [{ name: 'tcp', port: 9000, protocol: 'tcp' }], selector: { app: 'tcp-echo' } }],
      endpoints,
      gateways: [gw(NS, 'tcp-gw', { servers: [{ port: { number: gatewayTcpPort, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }] })],
      destinationRules: [dr(NS, 'tcp-echo', { host: 'tcp-echo', trafficPolicy })],
      virtualServices: [vs(NS, 'tcp-echo', { hosts: ['*'], gateways: ['tcp-gw'], tcp: [{ match: [{ port: gatewayTcpPort }], route: [{ destination: { host: 'tcp-echo', port: { number: 9000 } } }] }] })],
    }),
    version,
    gatewayPort: 0,
  };
}

async function start(s: ConfigSnapshot): Promise<NodeProxy> {
  proxy = new NodeProxy({ gatewayPort: 0 });
  await proxy.start();
  await proxy.apply(s);
  return proxy;
}

async function echo(prefix: string): Promise<EchoServer> {
  const e = await startEcho({ port: 0, prefix });
  echoes.push(e);
  return e;
}

/** A connection kept open once it has been answered (the proxy counts it). */
async function held(port: number): Promise<net.Socket> {
  const s = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.once('data', () => resolve());
    s.write('hold\n');
  });
  return s;
}

/** GET / with a Host header (fetch cannot set one). */
function get(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

describe('DestinationRule TCP settings on byte streams', () => {
  it('maxConnections: a connection beyond the open ones is closed unanswered; one closing admits the next', async () => {
    const one = await echo('one');
    const port = await freePort();
    await start(config(port, [endpoint(one.port, 'v1')], { connectionPool: { tcp: { maxConnections: 1 } } }));
    const first = await held(port);
    // Closed by the proxy unanswered (a FIN, or a reset when the line was already in its buffer).
    expect(await tcpLine(port, 'hello').catch(() => '')).toBe('');
    const closed = new Promise((r) => first.once('close', r));
    first.end();
    await closed;
    // The proxy counts the connection closed once the upstream side closes too: a bounded number of tries.
    let answer = '';
    for (let i = 0; i < 50 && answer === ''; i++) answer = await tcpLine(port, 'hello').catch(() => '');
    expect(answer).toBe('one hello\n');
  });

  it('connectTimeout: a connect the endpoint never completes fails within it, and the connection is closed unanswered', async () => {
    // A listener that never accepts, its accept queue full: the kernel drops the next SYNs, so a connect hangs.
    const stuck = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const stuckPort = await new Promise<number>((resolve) => stuck.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
      const fillers = [net.connect(stuckPort, '127.0.0.1'), net.connect(stuckPort, '127.0.0.1')];
      for (const f of fillers) f.on('error', () => undefined);
      await new Promise((r) => fillers[0]!.once('connect', r));
      const port = await freePort();
      await start(config(port, [endpoint(stuckPort, 'v1')], { connectionPool: { tcp: { connectTimeout: '200ms' } } }));
      // Without the timeout the connect would wait 10 s, beyond this test's bound.
      expect(await tcpLine(port, 'hello').catch(() => '')).toBe('');
      for (const f of fillers) f.destroy();
    } finally {
      stuck.kill('SIGKILL');
    }
  }, 5_000);

  it('outlierDetection: an endpoint whose connects fail is ejected; every next connection reaches the healthy one', async () => {
    const one = await echo('one');
    const dead = await freePort();
    const port = await freePort();
    await start(config(port, [endpoint(dead, 'v0'), endpoint(one.port, 'v1')], { outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '60s', maxEjectionPercent: 100 } }));
    const counts = await countAnswers(20, () => tcpLine(port, 'hello'));
    // Round robin reaches the dead endpoint at most once before it is ejected.
    expect(counts.one).toBeGreaterThanOrEqual(19);
    expect(await countAnswers(20, () => tcpLine(port, 'hello'))).toEqual({ one: 20 });
  });

  it('an HTTP Gateway server on another port is bound as written and routes by Host as the main port does; removed, it is closed', async () => {
    const up = http.createServer((_req, res) => res.end('from web'));
    await new Promise<void>((r) => up.listen(0, '127.0.0.1', r));
    try {
      const webPort = (up.address() as net.AddressInfo).port;
      const httpPort = await freePort();
      const base = config(await freePort(), [endpoint(webPort, 'v1')], {});
      const web = (v: number, gateways: ConfigSnapshot['gateways']): ConfigSnapshot => ({
        ...base,
        version: v,
        services: [...base.services, { project: NS, name: 'web', ports: [{ name: 'http', port: 80 }], selector: { app: 'tcp-echo' } }],
        gateways,
        virtualServices: [vs(NS, 'web', { hosts: ['web.example.com'], gateways: ['web-gw'], http: [{ route: [{ destination: { host: 'web' } }] }] })],
      });
      const p = await start(web(1, [gw(NS, 'web-gw', { servers: [{ port: { number: httpPort, name: 'http', protocol: 'HTTP' }, hosts: ['web.example.com'] }] })]));
      expect(await get(httpPort, 'web.example.com')).toBe('from web');
      await p.apply(web(2, []));
      await expect(get(httpPort, 'web.example.com')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      up.close();
    }
  });

  it('a Gateway port taken by something else refuses the snapshot whole; the previous config stays in force', async () => {
    const one = await echo('one');
    const port = await freePort();
    const p = await start(config(port, [endpoint(one.port, 'v1')], {}));
    const holder = net.createServer();
    const taken = await new Promise<number>((r) => holder.listen(0, '127.0.0.1', () => r((holder.address() as net.AddressInfo).port)));
    try {
      await expect(p.apply(config(taken, [endpoint(one.port, 'v1')], {}, 2))).rejects.toThrow(/gateway port: .*EADDRINUSE/);
      expect(p.version).toBe(1);
      expect(await tcpLine(port, 'still')).toBe('one still\n');
    } finally {
      holder.close();
    }
  });
});
