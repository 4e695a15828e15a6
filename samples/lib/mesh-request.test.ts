import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForwardProxy, type ForwardProxy } from './forward-proxy.js';
import { meshRequest } from './mesh-request.js';

// A backend that echoes what it received, so each test can see the request as it arrived.
let backend: http.Server;
let backendPort = 0;
let proxy: ForwardProxy;

beforeAll(async () => {
  backend = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url?.startsWith('/slow')) {
        setTimeout(() => res.end('late'), 1_000);
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'x-backend': 'yes' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendPort = (backend.address() as AddressInfo).port;
  proxy = await startForwardProxy({ reviews: backendPort });
});

afterAll(async () => {
  await proxy.close();
  backend.closeAllConnections();
  await new Promise((r) => backend.close(r));
});

describe('meshRequest', () => {
  it('sends absolute-form to the proxy with Host naming the origin', async () => {
    const res = await meshRequest('http://reviews:9080/reviews/0?x=1', {
      proxy: proxy.url,
      noProxy: '127.0.0.1,localhost',
      headers: { 'x-request-id': 'abc' },
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-backend']).toBe('yes');
    const seen = proxy.seen.at(-1);
    expect(seen?.target).toBe('http://reviews:9080/reviews/0?x=1');
    expect(seen?.headers.host).toBe('reviews:9080');
    expect(seen?.headers['x-request-id']).toBe('abc');
    const echoed = JSON.parse(res.body) as { url: string };
    expect(echoed.url).toBe('/reviews/0?x=1');
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const before = proxy.seen.length;
    const res = await meshRequest(`http://127.0.0.1:${backendPort}/direct`, {
      proxy: proxy.url,
      noProxy: '127.0.0.1,localhost',
      method: 'post',
      body: 'héllo',
    });
    expect(proxy.seen.length).toBe(before);
    const echoed = JSON.parse(res.body) as { method: string; url: string; body: string; headers: Record<string, string> };
    expect(echoed).toMatchObject({ method: 'POST', url: '/direct', body: 'héllo' });
    expect(echoed.headers['content-length']).toBe(String(Buffer.byteLength('héllo')));
  });

  it('reads HTTP_PROXY from the environment at call time', async () => {
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = proxy.url;
    try {
      const before = proxy.seen.length;
      await meshRequest('http://reviews:9080/env');
      expect(proxy.seen.length).toBe(before + 1);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
  });

  it('rejects with a timeout error when the deadline passes', async () => {
    await expect(
      meshRequest(`http://127.0.0.1:${backendPort}/slow`, { proxy: '', timeoutMs: 100 }),
    ).rejects.toThrow(/timeout/);
  });

  it('rejects when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(meshRequest(`http://127.0.0.1:${port}/`, { proxy: '' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
