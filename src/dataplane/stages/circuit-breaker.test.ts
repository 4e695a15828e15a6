import { afterEach, describe, expect, it } from 'vitest';
import { dr } from '../istio/fixtures.js';
import { OutlierDetector } from '../outlier.js';
import { Attempts } from './attempts.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { Destination } from './destination.js';
import { closeAll, testPools, endpointAt, front, PROJECT, reviews, send, upstream } from './fixtures.js';
import { RequestBody } from './request-body.js';
import { Respond } from './response.js';
import type { Stage } from './stage.js';
import { UpstreamHeaders } from './upstream-headers.js';

afterEach(closeAll);

function stages(): Stage[] {
  const p = testPools();
  return [new Destination(), new CircuitBreaker(), new UpstreamHeaders(undefined), new RequestBody(), new Attempts(p, new OutlierDetector(), undefined), new Respond()];
}

const limited = (port: number, http: object, tcp: object = {}): ReturnType<typeof reviews> =>
  reviews([endpointAt(port)], { destinationRules: [dr(PROJECT, 'reviews', { host: 'reviews', trafficPolicy: { connectionPool: { http, tcp } } })] });

describe('CircuitBreaker', () => {
  it('overflows a request beyond the cluster’s capacity (503 UO), passing those within it', async () => {
    const up = await upstream('a');
    const f = await front(stages(), limited(up.port, { http2MaxRequests: 1 }));
    const held = send(f.port, { path: '/hold' });
    await up.seen(0);
    const over = await send(f.port, { method: 'POST', body: 'dropped' });
    expect([over.status, over.body]).toEqual([503, 'upstream connect error or disconnect/reset before headers. reset reason: overflow\n']);
    expect((await f.closed(1)).rec).toMatchObject({ flags: 'UO', status: 503 });
    up.release();
    expect((await held).body).toBe('held\n');
    expect((await send(f.port)).status).toBe(200);
  });

  it('counts maxConnections plus http1MaxPendingRequests as the capacity', async () => {
    const up = await upstream('a');
    const f = await front(stages(), limited(up.port, { http1MaxPendingRequests: 1 }, { maxConnections: 1 }));
    const held = [send(f.port, { path: '/hold' }), send(f.port, { path: '/hold' })];
    await up.seen(0);
    await f.arrived(1);
    expect((await send(f.port)).status).toBe(503);
    expect((await f.closed(2)).rec.flags).toBe('UO');
    up.release();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
  });

  it('lets everything through for a cluster without limits', async () => {
    const up = await upstream('a');
    const f = await front(stages(), reviews([endpointAt(up.port)]));
    const held = [send(f.port, { path: '/hold' }), send(f.port, { path: '/hold' })];
    await Promise.all([up.seen(0), up.seen(1)]);
    up.release();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
  });
});
