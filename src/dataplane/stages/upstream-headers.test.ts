import { afterEach, describe, expect, it } from 'vitest';
import type { Span } from '../../telemetry/span.js';
import { vs } from '../istio/fixtures.js';
import { Peers } from '../telemetry/peers.js';
import { Tracer } from '../telemetry/tracer.js';
import { closeAll, endpointAt, front, GATEWAY, PROJECT, rawClient, reviews, send } from './fixtures.js';
import { UpstreamHeaders } from './upstream-headers.js';

afterEach(closeAll);

const withRule = (rule: unknown): ReturnType<typeof reviews> =>
  reviews([endpointAt(1)], { virtualServices: [vs(PROJECT, 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], ...(rule as object) }] })] });

function tracer(): Tracer {
  const peers = new Peers('node-1', 7);
  const snapshot = { projects: [{ name: PROJECT, governance: true }], endpoints: [endpointAt(1)] };
  peers.apply(snapshot);
  const spans: Span[] = [];
  const t = new Tracer({ proxyName: 'node-1', peers, samplingPercent: 100, emit: (s) => spans.push(s) });
  t.apply(snapshot);
  return t;
}

describe('UpstreamHeaders', () => {
  it('sends end-to-end fields only: no hop-by-hop ones, none the Connection field names, no Expect', async () => {
    const f = await front([new UpstreamHeaders(undefined)], reviews([endpointAt(1)]));
    const s = await rawClient(
      f.port,
      'POST /r?x=1 HTTP/1.1\r\nhost: reviews:9080\r\nconnection: keep-alive, x-secret\r\nx-secret: s\r\nkeep-alive: timeout=5\r\nte: trailers\r\nupgrade: h2c\r\n' +
        'expect: 100-continue\r\nx-kept: k\r\ncontent-length: 2\r\n\r\nhi',
    );
    const x = await f.closed(0);
    s.destroy();
    expect(x.headers).toEqual({ host: 'reviews:9080', 'x-kept': 'k', 'content-length': '2' });
    expect(x.path).toBe('/r?x=1');
  });

  it('applies the route’s authority and path rewrites and its header operations', async () => {
    const rule = {
      match: [{ uri: { prefix: '/old' } }],
      rewrite: { uri: '/new', authority: 'reviews.internal:9080' },
      headers: { request: { set: { 'x-set': 'route' }, add: { 'x-multi': 'second' }, remove: ['x-drop'] } },
    };
    const f = await front([new UpstreamHeaders(undefined)], withRule(rule));
    await send(f.port, { path: '/old/1?q', headers: { 'x-set': 'client', 'x-multi': 'first', 'x-drop': 'gone' } });
    const x = await f.closed(0);
    expect(x.path).toBe('/new/1?q');
    expect(x.headers).toMatchObject({ host: 'reviews.internal:9080', 'x-set': 'route', 'x-multi': ['first', 'second'] });
    expect(x.headers!['x-drop']).toBeUndefined();
    expect(x.rr.path).toBe('/old/1?q');
  });

  it('at the gateway, appends the client to X-Forwarded-For and sets the proto and external address', async () => {
    const f = await front([new UpstreamHeaders(undefined)], reviews([endpointAt(1)]), { source: GATEWAY });
    const host = `reviews.${PROJECT}.localhost`;
    await send(f.port, { headers: { host, 'x-forwarded-for': '203.0.113.9' } });
    await send(f.port, { headers: { host } });
    expect((await f.closed(0)).headers).toMatchObject({ 'x-forwarded-for': '203.0.113.9, 127.0.0.1', 'x-forwarded-proto': 'http', 'x-envoy-external-address': '127.0.0.1' });
    expect((await f.closed(1)).headers!['x-forwarded-for']).toBe('127.0.0.1');
    const inside = await front([new UpstreamHeaders(undefined)], reviews([endpointAt(1)]));
    await send(inside.port, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect((await inside.closed(0)).headers).not.toHaveProperty('x-forwarded-proto');
  });

  it('writes the trace context after the route’s header operations, so a route cannot overwrite it', async () => {
    const t = tracer();
    const f = await front([new UpstreamHeaders(t)], withRule({ headers: { request: { set: { traceparent: 'forged', 'x-b3-traceid': 'forged' } } } }), { telemetry: t });
    await send(f.port);
    const x = await f.closed(0);
    expect(x.rec.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(x.headers!.traceparent).toBe(`00-${x.rec.traceId}-${x.rec.serverSpanId}-01`);
    expect(x.headers!['x-b3-traceid']).toBe(x.rec.traceId);
  });
});
