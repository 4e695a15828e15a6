import { afterEach, describe, expect, it } from 'vitest';
import { STICKY_ANNOTATION } from '../../config/release/types.js';
import { dr, vs } from '../istio/fixtures.js';
import { OutlierDetector } from '../outlier.js';
import { Attempts } from './attempts.js';
import { Cors } from './cors.js';
import { Destination } from './destination.js';
import { closeAll, testPools, endpointAt, front, PROJECT, rawClient, reviews, send, upstream, type Upstream } from './fixtures.js';
import { HashKey } from './hash-key.js';
import { RequestBody } from './request-body.js';
import { Respond } from './response.js';
import type { Stage } from './stage.js';
import { UpstreamHeaders } from './upstream-headers.js';

afterEach(closeAll);

function stages(): Stage[] {
  const p = testPools();
  return [new Cors(), new Destination(), new UpstreamHeaders(undefined), new HashKey(), new RequestBody(), new Attempts(p, new OutlierDetector(), undefined), new Respond()];
}

/** reviews v1 on `up` with one rule made of `rule`, and the DestinationRule's traffic policy. */
function mesh(up: Upstream, rule: object = {}, trafficPolicy?: object): ReturnType<typeof reviews> {
  return reviews([endpointAt(up.port)], {
    virtualServices: [vs(PROJECT, 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], ...rule }] })],
    destinationRules: trafficPolicy ? [dr(PROJECT, 'reviews', { host: 'reviews', trafficPolicy })] : [],
  });
}

describe('Respond', () => {
  it('passes the upstream’s status and fields on, with the upstream service time', async () => {
    const up = await upstream('a');
    const f = await front(stages(), mesh(up));
    const r = await send(f.port, { path: '/status/201' });
    expect(r.status).toBe(201);
    expect(r.headers['x-upstream']).toBe('a');
    expect(r.headers['x-envoy-upstream-service-time']).toMatch(/^\d+$/);
    const x = await f.closed(0);
    expect(x.rec).toMatchObject({ status: 201, upstreamStatus: 201, bytesSent: 0, upstream: x.upstream });
    expect(x.rec.upstreamMs).toBe(Number(r.headers['x-envoy-upstream-service-time']));
  });

  it('counts the bytes of a body of unknown length as they are sent', async () => {
    const up = await upstream('a');
    const f = await front(stages(), mesh(up));
    const r = await send(f.port, { path: '/chunked' });
    expect([r.body, r.headers['transfer-encoding']]).toEqual(['chunked a\n', 'chunked']);
    expect((await f.closed(0)).rec.bytesSent).toBe(10);
  });

  it('applies the route’s response header operations', async () => {
    const up = await upstream('a');
    const f = await front(stages(), mesh(up, { headers: { response: { set: { 'x-set': 's' }, add: { 'x-set': 't' }, remove: ['x-upstream'] } } }));
    const r = await send(f.port);
    expect(r.headers).toMatchObject({ 'x-set': 's, t', 'content-type': 'text/plain' });
    expect(r.headers['x-upstream']).toBeUndefined();
    expect(r.body).toBe('ok a\n');
  });

  it('adds CORS fields for an allowed origin, and none for another', async () => {
    const up = await upstream('a');
    const f = await front(stages(), mesh(up, { corsPolicy: { allowOrigins: [{ exact: 'https://shop.example' }], exposeHeaders: ['x-upstream'], allowCredentials: true } }));
    const allowed = await send(f.port, { headers: { origin: 'https://shop.example' } });
    expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': 'https://shop.example', 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'x-upstream' });
    const other = await send(f.port, { headers: { origin: 'https://other.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sets the hash cookie made for a client without one, and a sticky release’s cookie', async () => {
    const up = await upstream('a');
    const f = await front(stages(), mesh(up, {}, { loadBalancer: { consistentHash: { httpCookie: { name: 'user', ttl: '0s' } } } }));
    const r = await send(f.port);
    expect(r.headers['set-cookie']).toEqual([`user=${(await f.closed(0)).hashKey}; Path=/; HttpOnly`]);
    const sticky = vs(PROJECT, 'reviews', { hosts: ['reviews'], http: [{ route: ['v1', 'v2'].map((v) => ({ destination: { host: 'reviews', subset: v }, weight: 50 })) }] });
    sticky.metadata.annotations = { [STICKY_ANNOTATION]: 'cookie:gm-version' };
    const split = reviews([endpointAt(up.port, 'v1'), endpointAt(up.port, 'v2')], {
      virtualServices: [sticky],
      destinationRules: [dr(PROJECT, 'reviews', { host: 'reviews', subsets: ['v1', 'v2'].map((v) => ({ name: v, labels: { version: v } })) })],
    });
    const g = await front(stages(), split);
    const s = await send(g.port);
    expect(String(s.headers['set-cookie'])).toMatch(/^gm-version=[^;]+; Path=\/$/);
  });

  it('cuts an answer off when the route’s timeout runs out during its body', async () => {
    const up = await upstream('a');
    const f = await front(stages(), mesh(up, { timeout: '0.1s' }));
    const s = await rawClient(f.port, 'GET /stall HTTP/1.1\r\nhost: reviews:9080\r\n\r\n');
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString('latin1')));
    await new Promise<void>((r) => s.on('close', () => r()));
    expect(got).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\npart$/);
    const x = await f.closed(0);
    expect([x.rec.status, x.res.writableFinished]).toEqual([200, false]);
    await up.cutOff(0);
  });
});
