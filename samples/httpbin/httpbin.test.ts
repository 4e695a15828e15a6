/** httpbin over real sockets; reached once through the test proxy to see the Host it logs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startForwardProxy, type ForwardProxy } from '../lib/forward-proxy.js';
import { meshRequest, type MeshRequestOptions, type MeshResponse } from '../lib/mesh-request.js';
import type { RunningServer } from '../lib/serve.js';
import { startHttpbin } from './httpbin.js';

let httpbin: RunningServer;
let proxy: ForwardProxy;
const lines: string[] = [];
let coin = 0;

beforeAll(async () => {
  httpbin = await startHttpbin({ port: 0, version: 'v2', pod: 'httpbin-v2-abc', log: (l) => lines.push(l), random: () => coin });
  proxy = await startForwardProxy({ httpbin: httpbin.port });
});

afterAll(async () => {
  await httpbin.close();
  await proxy.close();
});

function call(path: string, options: MeshRequestOptions = {}): Promise<MeshResponse> {
  return meshRequest(`http://127.0.0.1:${httpbin.port}${path}`, { proxy: '', ...options });
}

type Json = Record<string, unknown>;
const body = (res: MeshResponse): Json => JSON.parse(res.body) as Json;

describe('httpbin', () => {
  it('/get echoes args, headers, origin and url, and names version and pod', async () => {
    const res = await call('/get?a=1&a=2&b=x', { headers: { 'x-request-id': 'r-1' } });
    expect(res.status).toBe(200);
    const json = body(res);
    expect(json.args).toEqual({ a: ['1', '2'], b: 'x' });
    expect(json.headers).toMatchObject({ 'X-Request-Id': 'r-1', Host: `127.0.0.1:${httpbin.port}` });
    expect(json.origin).toBe('127.0.0.1');
    expect(json.url).toBe(`http://127.0.0.1:${httpbin.port}/get?a=1&a=2&b=x`);
    expect(json).toMatchObject({ version: 'v2', pod: 'httpbin-v2-abc' });
  });

  it('logs method, path and the Host the caller used', async () => {
    await meshRequest('http://httpbin:8000/get', { proxy: proxy.url, noProxy: '' });
    expect(lines.some((l) => /^GET \/get host=httpbin:8000 200 \d+ms$/.test(l))).toBe(true);
  });

  it('/anything echoes any method with data and parsed JSON', async () => {
    const res = await call('/anything/deep/path?q=1', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    expect(body(res)).toMatchObject({
      method: 'PUT',
      args: { q: '1' },
      data: '{"hello":"world"}',
      json: { hello: 'world' },
      version: 'v2',
      pod: 'httpbin-v2-abc',
    });
    const form = body(await call('/anything', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'k=v&k=w',
    }));
    expect(form).toMatchObject({ method: 'POST', form: { k: ['v', 'w'] }, data: '', json: null });
  });

  it('/headers, /ip and /user-agent', async () => {
    expect(body(await call('/headers', { headers: { 'x-b3-traceid': 'abc' } })).headers).toMatchObject({ 'X-B3-Traceid': 'abc' });
    expect(body(await call('/ip'))).toMatchObject({ origin: '127.0.0.1', version: 'v2' });
    expect(body(await call('/user-agent', { headers: { 'user-agent': 'probe/2' } }))).toMatchObject({ 'user-agent': 'probe/2' });
  });

  it('/status answers the code asked for, or draws from a weighted list', async () => {
    const teapot = await call('/status/418');
    expect(teapot.status).toBe(418);
    expect(body(teapot)).toEqual({ status: 418, version: 'v2', pod: 'httpbin-v2-abc' });
    coin = 0.1;
    expect((await call('/status/200,503')).status).toBe(200);
    coin = 0.9;
    expect((await call('/status/200,503')).status).toBe(503);
    // Weights: 503 owns the first 90 % of the range.
    coin = 0.5;
    expect((await call('/status/503:9,200:1')).status).toBe(503);
    expect((await call('/status/204')).body).toBe('');
    const bad = await call('/status/abc');
    expect(bad.status).toBe(400);
  });

  it('/delay waits and then echoes the request', async () => {
    const res = await call('/delay/0.05?x=1');
    expect(body(res)).toMatchObject({ args: { x: '1' }, version: 'v2' });
    expect((await call('/delay/nope')).status).toBe(400);
  });

  it('/delay is capped', async () => {
    // With the cap lowered to 50 ms, asking for 60 s must still answer well within the client's 5 s.
    const capped = await startHttpbin({ port: 0, version: 'v1', pod: 'p', log: () => {}, maxDelaySeconds: 0.05 });
    try {
      const res = await meshRequest(`http://127.0.0.1:${capped.port}/delay/60`, { proxy: '', timeoutMs: 5_000 });
      expect(res.status).toBe(200);
    } finally {
      await capped.close();
    }
  });

  it('/cookies/set sets cookies and redirects to /cookies, which lists them', async () => {
    const set = await call('/cookies/set?flavour=oat&n=1');
    expect(set.status).toBe(302);
    expect(set.headers.location).toBe('/cookies');
    expect(set.headers['set-cookie']).toEqual(['flavour=oat; Path=/', 'n=1; Path=/']);
    const list = await call('/cookies', { headers: { cookie: 'flavour=oat; n=1' } });
    expect(body(list)).toMatchObject({ cookies: { flavour: 'oat', n: '1' }, pod: 'httpbin-v2-abc' });
  });

  it('/response-headers sets the headers it is given', async () => {
    const res = await call('/response-headers?x-canary=yes&cache-control=no-store');
    expect(res.headers['x-canary']).toBe('yes');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(body(res)).toMatchObject({ 'x-canary': 'yes', version: 'v2' });
  });

  it('/health is ok and unknown paths are 404', async () => {
    expect(body(await call('/health'))).toEqual({ status: 'ok', version: 'v2', pod: 'httpbin-v2-abc' });
    expect((await call('/nope')).status).toBe(404);
  });

  it('/websocket/echo sends every message back as it came and answers a close with its code; a plain GET there is 400', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${httpbin.port}/websocket/echo`);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const back = (data: string | Buffer): Promise<[string, boolean]> =>
      new Promise((r) => {
        ws.once('message', (d, isBinary) => r([d.toString(), isBinary]));
        ws.send(data);
      });
    expect(await back('hi')).toEqual(['hi', false]);
    expect(await back(Buffer.from('bytes'))).toEqual(['bytes', true]);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.close(4002);
    expect(await closed).toBe(4002);
    expect((await call('/websocket/echo')).status).toBe(400);
  });

  it('/websocket/echo closes a message over max_message_size with 1009', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${httpbin.port}/websocket/echo?max_message_size=4`);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('longer than four');
    expect(await closed).toBe(1009);
  });
});
