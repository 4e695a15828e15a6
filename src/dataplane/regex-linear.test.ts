/**
 * A rule regex that would backtrack exponentially, over real sockets: RE2 answers it in one
 * pass, so the request that carries it and every other tenant's requests are served.
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../config/snapshot.js';
import { dr, service, snapshot, vs } from './istio/fixtures.js';
import { NodeProxy } from './node-proxy.js';

const PROJECT = 'demo';

let proxy: NodeProxy | undefined;
const servers: Server[] = [];

/** A real upstream that answers with its own name. */
async function upstream(name: string): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(name));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function endpoint(app: string, version: string, port: number): EndpointConfig {
  return { pod: `${app}-${version}`, project: PROJECT, workload: `${app}-${version}`, labels: { app, version }, address: '127.0.0.1', port, ready: true };
}

/** GET through the gateway to `svc`; the status and body of the answer. */
function get(port: number, svc: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host: `${svc}.${PROJECT}.localhost`, ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('error', reject);
  });
}

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe('a header regex that backtracking engines take exponential time on', () => {
  it('routes requests carrying it, and another service is answered alongside', async () => {
    const [v1, v2, ratings] = await Promise.all([upstream('reviews-v1'), upstream('reviews-v2'), upstream('ratings')]);
    proxy = new NodeProxy({ gatewayPort: 0 });
    await proxy.start();
    await proxy.apply({
      ...snapshot({
        services: [service(PROJECT, 'reviews'), service(PROJECT, 'ratings')],
        endpoints: [endpoint('reviews', 'v1', v1), endpoint('reviews', 'v2', v2), endpoint('ratings', 'v1', ratings)],
        destinationRules: [dr(PROJECT, 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] })],
        virtualServices: [
          vs(PROJECT, 'reviews', {
            hosts: ['reviews'],
            http: [
              { match: [{ headers: { 'x-probe': { regex: '(a+)+b' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
              { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
            ],
          }),
        ],
      }),
      gatewayPort: 0,
    });
    const port = proxy.gatewayPort;
    // 30 a's took V8's backtracking engine about 2^30 steps; 5,000 would never end.
    const answers = await Promise.all([
      get(port, 'reviews', { 'x-probe': 'a'.repeat(30) }),
      get(port, 'reviews', { 'x-probe': 'a'.repeat(5000) }),
      get(port, 'ratings'),
      get(port, 'reviews', { 'x-probe': `${'a'.repeat(5000)}b` }),
    ]);
    expect(answers).toEqual(['200 reviews-v1', '200 reviews-v1', '200 ratings', '200 reviews-v2']);
  });
});
