import { afterEach, describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../../config/snapshot.js';
import { vs } from '../istio/fixtures.js';
import { OutlierDetector } from '../outlier.js';
import { Attempts } from './attempts.js';
import { Destination } from './destination.js';
import { closeAll, testPools, closedPort, endpointAt, front, PROJECT, rawClient, reviews, send, upstream } from './fixtures.js';
import { HashKey } from './hash-key.js';
import { RequestBody } from './request-body.js';
import { Respond } from './response.js';
import type { Stage } from './stage.js';
import { UpstreamHeaders } from './upstream-headers.js';

afterEach(closeAll);

/** The request path from the destination to the answer, as the executor runs it. */
function stages(): Stage[] {
  const p = testPools();
  return [new Destination(), new UpstreamHeaders(undefined), new HashKey(), new RequestBody(), new Attempts(p, new OutlierDetector(), undefined), new Respond()];
}

/** reviews on `endpoints`, its one rule carrying `policy` (retries, timeout); without a policy no VirtualService (Istio's default retries). */
const mesh = (endpoints: EndpointConfig[], policy?: object): ReturnType<typeof reviews> =>
  reviews(endpoints, policy ? { virtualServices: [vs(PROJECT, 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], ...policy }] })] } : {});

describe('Attempts', () => {
  it('sends one try and passes its answer on; the endpoint is in flight until the body has ended', async () => {
    const up = await upstream('a');
    const f = await front(stages(), mesh([endpointAt(up.port)]));
    const r = await send(f.port, { path: '/r/1?x=2' });
    expect([r.status, r.body]).toEqual([200, 'ok a\n']);
    expect((await up.seen(0)).url).toBe('/r/1?x=2');
    const x = await f.closed(0);
    expect(x.rec).toMatchObject({ attempts: 1, flags: '-', status: 200 });
    expect(x.upstream?.port).toBe(up.port);
    expect(x.cluster!.active.size).toBe(0);
  });

  it('retries a 503 on another endpoint with the same body (Istio’s default policy): the client sees the second answer', async () => {
    const [bad, good] = [await upstream('bad', 503), await upstream('good')];
    const f = await front(stages(), mesh([endpointAt(bad.port), endpointAt(good.port)]));
    const r = await send(f.port, { method: 'POST', body: 'again' });
    expect([r.status, r.headers['x-upstream']]).toEqual([200, 'good']);
    expect([(await bad.seen(0)).body, (await good.seen(0)).body]).toEqual(['again', 'again']);
    const x = await f.closed(0);
    expect([x.rec.attempts, x.rec.flags, x.upstream?.port, x.cluster!.active.size]).toEqual([2, '-', good.port, 0]);
  });

  it('passes the last retriable answer on once tries run out, flagged URX', async () => {
    const up = await upstream('down', 503);
    const f = await front(stages(), mesh([endpointAt(up.port)]));
    expect((await send(f.port)).status).toBe(503);
    const x = await f.closed(0);
    expect([x.rec.attempts, x.rec.flags, x.rec.upstreamStatus]).toEqual([3, 'URX', 503]);
    expect((await up.seen(2)).method).toBe('GET');
  });

  it('passes a non-retriable answer on at once', async () => {
    const up = await upstream('err', 500);
    const f = await front(stages(), mesh([endpointAt(up.port)]));
    expect((await send(f.port)).status).toBe(500);
    expect((await f.closed(0)).rec).toMatchObject({ attempts: 1, flags: '-' });
  });

  it('retries a refused connection elsewhere; with nowhere else, answers 503 UF,URX after every try', async () => {
    const [dead, up] = [await closedPort(), await upstream('up')];
    const f = await front(stages(), mesh([endpointAt(dead), endpointAt(up.port)]));
    expect((await send(f.port)).body).toBe('ok up\n');
    expect((await f.closed(0)).rec.attempts).toBe(2);
    const alone = await front(stages(), mesh([endpointAt(dead)]));
    const r = await send(alone.port);
    expect([r.status, r.body]).toEqual([503, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure\n']);
    expect((await alone.closed(0)).rec).toMatchObject({ attempts: 3, flags: 'UF,URX', upstreamStatus: undefined });
  });

  it('gives up on a try after the per-try timeout and retries it when retryOn says so, then answers 504 UT', async () => {
    const up = await upstream('slow');
    const f = await front(stages(), mesh([endpointAt(up.port)], { retries: { attempts: 1, perTryTimeout: '0.05s', retryOn: '5xx' } }));
    const r = await send(f.port, { path: '/hang' });
    expect([r.status, r.body]).toEqual([504, 'upstream request timeout\n']);
    expect((await f.closed(0)).rec).toMatchObject({ attempts: 2, flags: 'UT,URX' });
    await Promise.all([up.cutOff(0), up.cutOff(1)]);
  });

  it('answers 504 UT once the route’s timeout has run out between tries', async () => {
    const up = await upstream('down', 503);
    const f = await front(stages(), mesh([endpointAt(up.port)], { timeout: '0.03s', retries: { attempts: 9 } }));
    const r = await send(f.port);
    expect(r.status).toBe(504);
    const x = await f.closed(0);
    expect(x.rec.flags.split(',')).toContain('UT');
  });

  it('answers 503 UH when the cluster has no endpoint left', async () => {
    const f = await front(stages(), mesh([]));
    const r = await send(f.port);
    expect([r.status, r.body]).toEqual([503, 'no healthy upstream\n']);
    expect((await f.closed(0)).rec).toMatchObject({ flags: 'UH', attempts: 0 });
  });

  it('stops the try when the client goes away: the upstream sees its request cut off, nothing stays in flight', async () => {
    const up = await upstream('slow');
    const f = await front(stages(), mesh([endpointAt(up.port)]));
    const s = await rawClient(f.port, 'GET /hang HTTP/1.1\r\nhost: reviews:9080\r\n\r\n');
    await up.seen(0);
    s.destroy();
    await up.cutOff(0);
    const x = await f.closed(0);
    expect([x.clientGone, x.rec.status, x.head]).toEqual([true, 0, undefined]);
    await x.attempt!.head;
    expect(x.cluster!.active.size).toBe(0);
  });
});
