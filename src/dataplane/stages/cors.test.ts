import { afterEach, describe, expect, it } from 'vitest';
import { outbound, routed, vs } from '../istio/fixtures.js';
import { Cors, corsAllowed } from './cors.js';
import { closeAll, endpointAt, front, PROJECT, reviews, send } from './fixtures.js';

afterEach(closeAll);

const CORS = {
  allowOrigins: [{ exact: 'https://shop.example' }, { regex: 'https://[a-z]+\\.partner\\.example' }],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['x-token', 'content-type'],
  exposeHeaders: ['x-trace', 'x-left'],
  maxAge: '90s',
  allowCredentials: true,
};

const withCors = (corsPolicy: unknown): ReturnType<typeof reviews> =>
  reviews([endpointAt(1)], { virtualServices: [vs(PROJECT, 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], corsPolicy }] })] });

const preflight = (origin: string): Record<string, string> => ({ origin, 'access-control-request-method': 'POST' });

describe('Cors', () => {
  it('answers a preflight from an allowed origin itself, with the policy’s fields', async () => {
    const f = await front([new Cors()], withCors(CORS));
    const r = await send(f.port, { method: 'OPTIONS', headers: preflight('https://eu.partner.example') });
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.headers).toMatchObject({
      'access-control-allow-origin': 'https://eu.partner.example',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'x-token,content-type',
      'access-control-max-age': '90',
      'access-control-allow-credentials': 'true',
    });
    expect((await f.closed(0)).rec.status).toBe(200);
  });

  it('lets a preflight from another origin, and a plain OPTIONS, go on untouched', async () => {
    const f = await front([new Cors()], withCors(CORS));
    const other = await send(f.port, { method: 'OPTIONS', headers: preflight('https://evil.example') });
    expect(other.body).toBe('reached\n');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const plain = await send(f.port, { method: 'OPTIONS', headers: { origin: 'https://shop.example' } });
    expect(plain.body).toBe('reached\n');
    expect((await f.closed(0)).corsOrigin).toBeUndefined();
    expect((await f.closed(1)).corsOrigin).toBe('https://shop.example');
  });

  it('marks a request from an allowed origin for allow-origin on its answer; others, and routes without a policy, not', async () => {
    const f = await front([new Cors()], withCors(CORS));
    await send(f.port, { headers: { origin: 'https://shop.example' } });
    await send(f.port, { headers: { origin: 'https://shop.example.evil' } });
    await send(f.port);
    expect([(await f.closed(0)).corsOrigin, (await f.closed(1)).corsOrigin, (await f.closed(2)).corsOrigin]).toEqual(['https://shop.example', undefined, undefined]);
    const none = await front([new Cors()], reviews([endpointAt(1)]));
    await send(none.port, { method: 'OPTIONS', headers: preflight('https://shop.example') });
    expect((await none.closed(0)).corsOrigin).toBeUndefined();
  });

  it('allows every origin for exact "*", as Envoy’s CORS filter; other matchers test the origin itself', async () => {
    const f = await front([new Cors()], withCors({ allowOrigins: [{ exact: '*' }] }));
    const r = await send(f.port, { method: 'OPTIONS', headers: preflight('https://anyone.example') });
    expect(r.headers['access-control-allow-origin']).toBe('https://anyone.example');
    expect(r.headers['access-control-allow-methods']).toBeUndefined();
    const policy = routed(withCors({ allowOrigins: [{ prefix: 'https://' }] }).route(outbound('reviews'))).cors!;
    expect([corsAllowed(policy, 'https://a'), corsAllowed(policy, 'http://a')]).toEqual([true, false]);
  });
});
