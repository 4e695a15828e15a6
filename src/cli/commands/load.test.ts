import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { quantile, runLoad } from './load.js';
import { treeOrder } from './telemetry.js';

describe('graymesh load', () => {
  let server: http.Server;
  let url = '';
  const hosts: string[] = [];
  const sockets = new Set<unknown>();
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hosts.push(String(req.headers.host));
      sockets.add(req.socket);
      res.statusCode = req.headers['x-fail'] === '1' ? 503 : 200;
      setTimeout(() => res.end('ok'), 5);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => server.close());

  it('sends at the rate for the duration over kept-alive connections, with the Host asked for', async () => {
    const s = await runLoad(url, { rps: 50, durationMs: 1000, concurrency: 4, headers: {}, host: 'productpage.demo.localhost' });
    expect(s.requests).toBe(50);
    expect(s.statusCodes).toEqual({ '200': 50 });
    expect(s.errors).toBe(0);
    expect(s.latencyMs.p50).toBeGreaterThanOrEqual(4);
    expect(hosts.every((h) => h === 'productpage.demo.localhost')).toBe(true);
    // At most `concurrency` connections, reused.
    expect(sockets.size).toBeLessThanOrEqual(4);
  });

  it('reaches *.localhost on the loopback, naming it in Host (RFC 6761)', async () => {
    hosts.length = 0;
    const port = new URL(url).port;
    const s = await runLoad(`http://productpage.demo.localhost:${port}/productpage`, { rps: 10, durationMs: 300, concurrency: 2, headers: {} });
    expect(s.statusCodes).toEqual({ '200': 3 });
    expect(hosts).toEqual(Array(3).fill(`productpage.demo.localhost:${port}`));
  });

  it('counts status codes and requests without an answer', async () => {
    const s = await runLoad(url, { rps: 20, durationMs: 500, concurrency: 2, headers: { 'x-fail': '1' } });
    expect(s.statusCodes).toEqual({ '503': 10 });
    const dead = await runLoad('http://127.0.0.1:1/', { rps: 10, durationMs: 300, concurrency: 2, headers: {} });
    expect(dead.errors).toBe(3);
    expect(dead.statusCodes).toEqual({});
  });

  it('takes nearest-rank quantiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(v, 0.5)).toBe(50);
    expect(quantile(v, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('graymesh trace', () => {
  it('orders spans as a tree: parents first, siblings by start', () => {
    const span = (spanId: string, parentSpanId: string, start: number) => ({
      spanId,
      parentSpanId,
      start,
      service: 's',
      operation: 'o',
      kind: 'server',
      durationMs: 1,
      tags: {},
      process: { pod: '', pid: null, node: '', workload: '', version: '' },
    });
    const order = treeOrder([span('c', 'a', 3), span('b', 'a', 2), span('a', '', 1), span('d', 'b', 4), span('x', 'missing', 0)]);
    expect(order.map((o) => `${o.depth}${o.span.spanId}`)).toEqual(['0x', '0a', '1b', '2d', '1c']);
  });
});
