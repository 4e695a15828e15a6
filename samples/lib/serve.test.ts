import { describe, expect, it } from 'vitest';
import { meshRequest } from './mesh-request.js';
import { serve } from './serve.js';

describe('serve', () => {
  it('answers /health, routes the rest to the handler and logs each request', async () => {
    const lines: string[] = [];
    const server = await serve({
      port: 0,
      log: (l) => lines.push(l),
      handler: (_req, res, url) => {
        res.writeHead(url.pathname === '/teapot' ? 418 : 200).end(url.pathname);
      },
    });
    try {
      const health = await meshRequest(`http://127.0.0.1:${server.port}/health`, { proxy: '' });
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
      const tea = await meshRequest(`http://127.0.0.1:${server.port}/teapot?x=1`, { proxy: '' });
      expect(tea.status).toBe(418);
      expect(tea.body).toBe('/teapot');
      expect(lines[0]).toMatch(/^GET \/health 200 \d+ms$/);
      expect(lines[1]).toMatch(/^GET \/teapot\?x=1 418 \d+ms$/);
    } finally {
      await server.close();
    }
  });

  it('answers 500 when the handler throws', async () => {
    const server = await serve({
      port: 0,
      log: () => {},
      handler: () => {
        throw new Error('boom');
      },
    });
    try {
      const res = await meshRequest(`http://127.0.0.1:${server.port}/x`, { proxy: '' });
      expect(res.status).toBe(500);
    } finally {
      await server.close();
    }
  });

  it('finishes in-flight requests on close and then refuses new ones', async () => {
    let release: () => void = () => {};
    let arrived: () => void = () => {};
    const handlerEntered = new Promise<void>((r) => (arrived = r));
    const server = await serve({
      port: 0,
      log: () => {},
      handler: (_req, res) =>
        new Promise<void>((done) => {
          release = () => {
            res.end('finished');
            done();
          };
          arrived();
        }),
    });
    const inFlight = meshRequest(`http://127.0.0.1:${server.port}/slow`, { proxy: '' });
    await handlerEntered;
    let closedYet = false;
    const closed = server.close().then(() => (closedYet = true));
    await new Promise((r) => setTimeout(r, 50));
    // Still draining: the in-flight request holds the close open.
    expect(closedYet).toBe(false);
    release();
    const res = await inFlight;
    expect(res.body).toBe('finished');
    // Keep-alive clients are told not to reuse a connection to a draining server.
    expect(res.headers.connection).toBe('close');
    await closed;
    await expect(meshRequest(`http://127.0.0.1:${server.port}/again`, { proxy: '' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
