import { afterEach, describe, expect, it } from 'vitest';
import { dr, vs } from '../istio/fixtures.js';
import { Destination } from './destination.js';
import { closeAll, testPools, endpointAt, front, PROJECT, reviews, send, upstream, type Upstream } from './fixtures.js';
import { Mirrors, shadowHost } from './mirror.js';
import { RequestBody } from './request-body.js';
import type { BodySource } from '../downstream.js';
import { STOP, type Stage } from './stage.js';
import { UpstreamHeaders } from './upstream-headers.js';

afterEach(closeAll);

const SUBSETS = { host: 'reviews', subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })) };

/** reviews v1 on `main`, v2 on `shadow`, v3 without pods; `http` the VirtualService's rules. */
function mesh(main: Upstream, shadow: Upstream, http: unknown[]): ReturnType<typeof reviews> {
  return reviews([endpointAt(main.port, 'v1'), endpointAt(shadow.port, 'v2')], {
    destinationRules: [dr(PROJECT, 'reviews', SUBSETS)],
    virtualServices: [vs(PROJECT, 'reviews', { hosts: ['reviews'], http })],
  });
}

/** The stages up to the mirrors; one connection per endpoint, so the copies reach an upstream in the order they were sent. */
function stages(): Stage[] {
  const p = testPools({ connections: 1 });
  return [new Destination(), new UpstreamHeaders(undefined), new RequestBody(), new Mirrors(p)];
}

const toV1 = [{ destination: { host: 'reviews', subset: 'v1' } }];
const toV2 = { host: 'reviews', subset: 'v2' };

describe('Mirrors', () => {
  it('sends a copy to the mirror with Host suffixed -shadow, the rewritten path and the body, and goes on', async () => {
    const [main, shadow] = [await upstream('v1'), await upstream('v2')];
    const f = await front(stages(), mesh(main, shadow, [{ route: toV1, mirror: toV2, rewrite: { uri: '/copied/' }, headers: { request: { set: { 'x-route': 'r' } } } }]));
    const r = await send(f.port, { method: 'POST', path: '/orig?q=1', body: 'the body' });
    expect(r.body).toBe('reached\n');
    const copy = await shadow.seen(0);
    expect(copy).toMatchObject({ method: 'POST', url: '/copied/orig?q=1', body: 'the body' });
    expect(copy.headers).toMatchObject({ host: 'reviews-shadow:9080', 'x-route': 'r' });
    expect((await f.closed(0)).headers!.host).toBe('reviews:9080');
  });

  it('mirrors at the percentage: 0 sends nothing', async () => {
    const [main, shadow] = [await upstream('v1'), await upstream('v2')];
    const rules = [
      { match: [{ headers: { 'x-case': { exact: 'none' } } }], route: toV1, mirror: toV2, mirrorPercentage: { value: 0 } },
      { route: toV1, mirror: toV2 },
    ];
    const f = await front(stages(), mesh(main, shadow, rules));
    await send(f.port, { headers: { 'x-case': 'none' } });
    await send(f.port, { headers: { 'x-case': 'all' } });
    expect((await shadow.seen(0)).headers['x-case']).toBe('all');
  });

  it('streams a body of unknown length (chunked) to the mirror as it arrives', async () => {
    const [main, shadow] = [await upstream('v1'), await upstream('v2')];
    // The main request reads its body to the end before it is answered, as its attempt would.
    const readBody: Stage = {
      name: 'read-body',
      run: (x) => {
        (x.body as BodySource).pipeTo({ data: () => true, end: () => x.resume(), error: () => undefined });
        return STOP;
      },
    };
    const f = await front([...stages(), readBody], mesh(main, shadow, [{ route: toV1, mirror: toV2 }]));
    expect((await send(f.port, { method: 'POST', headers: { 'x-case': 'chunked', 'transfer-encoding': 'chunked' }, body: 'streamed' })).body).toBe('reached\n');
    expect(await shadow.seen(0)).toMatchObject({ method: 'POST', body: 'streamed', headers: expect.objectContaining({ 'x-case': 'chunked' }) });
  });

  it('skips a mirror cluster without endpoints, and the request goes on', async () => {
    const [main, shadow] = [await upstream('v1'), await upstream('v2')];
    const f = await front(stages(), mesh(main, shadow, [{ route: toV1, mirrors: [{ destination: { host: 'reviews', subset: 'v3' } }, { destination: toV2 }] }]));
    expect((await send(f.port)).body).toBe('reached\n');
    expect((await shadow.seen(0)).headers.host).toBe('reviews-shadow:9080');
  });
});

describe('shadowHost', () => {
  it('suffixes the host, keeping the port', () => {
    expect(['httpbin:8000', 'httpbin', 'reviews.demo.svc.cluster.local:9080', ''].map(shadowHost)).toEqual(['httpbin-shadow:8000', 'httpbin-shadow', 'reviews.demo.svc.cluster.local-shadow:9080', '-shadow']);
  });
});
