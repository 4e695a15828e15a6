import { describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../../config/snapshot.js';
import { encodeOtlpTraces, encodeOtlpTracesJson, keyValuesJson } from '../../telemetry/otlp-json.js';
import { SpanKind, type Span } from '../../telemetry/span.js';
import type { HeaderMap } from '../hop-by-hop.js';
import type { RequestRecord } from '../request-record.js';
import type { RouteDecision, RouteRequest, Source } from '../router.js';
import { requestRecord } from './fixtures.js';
import { Peers } from './peers.js';
import { ProxySpan } from './proxy-span.js';
import { Tracer } from './tracer.js';

const PROJECT = 'demo';
const reviews: EndpointConfig = { pod: 'reviews-v2-abc', project: PROJECT, workload: 'reviews-v2', labels: { app: 'reviews', version: 'v2' }, address: '127.0.0.1', port: 31001, ready: true, pid: 4242 };
const productpage: Source = { kind: 'outbound', project: PROJECT, workload: 'productpage-v1', labels: { app: 'productpage', version: 'v1' } };
const gateway: Source = { kind: 'gateway' };
const CLUSTER = `outbound|9080||reviews.${PROJECT}.svc.cluster.local`;

function setup(governance = true): { tracer: Tracer; spans: Span[] } {
  const peers = new Peers('node-1', 7);
  const snapshot = { projects: [{ name: PROJECT, governance }], endpoints: [reviews] };
  peers.apply(snapshot);
  const spans: Span[] = [];
  const tracer = new Tracer({ proxyName: 'node-1', peers, samplingPercent: 100, slowMs: 500, emit: (s) => spans.push(s) });
  tracer.apply(snapshot);
  return { tracer, spans };
}

function record(source: Source, over: Partial<RequestRecord> = {}): RequestRecord {
  return requestRecord({ startTime: 1_700_000_000_000, durationMs: 0, status: 0, bytesSent: 0, userAgent: 'curl/8.5', requestId: 'req-1', source, attempts: 0, downstreamRemote: '127.0.0.1:40001', ...over });
}

/** One request through every hook, as the executor calls them; `answer` sets what the response left in the record. */
function run(tracer: Tracer, rec: RequestRecord, headers: HeaderMap, answer: Partial<RequestRecord>): HeaderMap {
  const rr: RouteRequest = { source: rec.source, authority: rec.authority, host: rec.authority.split(':')[0] as string, port: 9080, method: rec.method, path: rec.path, scheme: 'http', headers, remoteAddress: '127.0.0.1' };
  const decision = { kind: 'respond', status: 404, body: '', flags: 'NR' } as RouteDecision;
  tracer.begin(rec, rr, decision);
  const out: HeaderMap = {};
  tracer.inject(out, rec);
  tracer.attempt(rec, reviews);
  Object.assign(rec, { upstream: reviews, upstreamCluster: CLUSTER, destinationService: `reviews.${PROJECT}.svc.cluster.local`, durationMs: 3.5, ...answer });
  tracer.finish(rec);
  return out;
}

describe('Tracer spans', () => {
  it('carries Envoy’s tags in Envoy’s order, on a client and a server span', () => {
    const { tracer, spans } = setup();
    const rec = record(productpage);
    run(tracer, rec, {}, { status: 200, upstreamStatus: 200, bytesSent: 1800, flags: '-' });
    expect(spans).toHaveLength(2);
    const [client, server] = spans as [Span, Span];
    expect(client).toMatchObject({ kind: SpanKind.CLIENT, traceId: rec.traceId, spanId: rec.spanId, name: `reviews.${PROJECT}.svc.cluster.local:9080/*`, error: false });
    expect(client.parentSpanId).toBeUndefined();
    expect(server).toMatchObject({ kind: SpanKind.SERVER, traceId: rec.traceId, spanId: rec.serverSpanId, parentSpanId: rec.spanId, error: false });
    const common = { 'http.method': 'GET', 'http.url': 'http://reviews:9080/reviews/0', 'http.protocol': 'HTTP/1.1', 'http.status_code': 200, response_flags: '-', request_size: 0, response_size: 1800, component: 'proxy' };
    expect(Object.entries(client.attributes)).toEqual(
      Object.entries({
        node: 'node-1',
        workload: 'productpage-v1',
        version: 'v1',
        'istio.namespace': PROJECT,
        'istio.canonical_service': 'productpage',
        ...common,
        'guid:x-request-id': 'req-1',
        user_agent: 'curl/8.5',
        upstream_cluster: CLUSTER,
        'peer.address': '127.0.0.1:31001',
      }),
    );
    expect(Object.entries(server.attributes)).toEqual(
      Object.entries({
        node: 'node-1',
        workload: 'reviews-v2',
        version: 'v2',
        'istio.namespace': PROJECT,
        'istio.canonical_service': 'reviews',
        ...common,
        pod: 'reviews-v2-abc',
        pid: 4242,
        'guid:x-request-id': 'req-1',
        user_agent: 'curl/8.5',
        upstream_cluster: 'inbound|31001||',
        'peer.address': '127.0.0.1:40001',
      }),
    );
    expect(server.resource.attributes).toEqual({
      'service.name': 'reviews',
      'service.version': 'v2',
      'k8s.namespace.name': PROJECT,
      'k8s.deployment.name': 'reviews-v2',
      'host.name': 'node-1',
      'k8s.pod.name': 'reviews-v2-abc',
      'process.pid': 4242,
    });
  });

  it('marks errors, and the gateway as its own pod', () => {
    const { tracer, spans } = setup();
    run(tracer, record(gateway, { authority: `reviews.${PROJECT}.localhost`, userAgent: undefined, requestId: undefined }), {}, { status: 503, upstreamStatus: 503, flags: 'URX' });
    const [client, server] = spans as [Span, Span];
    expect(client.error).toBe(true);
    expect(client.attributes).toMatchObject({ workload: 'istio-ingressgateway', pod: 'node-1', pid: 7, error: true, 'http.status_code': 503, response_flags: 'URX' });
    expect(client.attributes).not.toHaveProperty('user_agent');
    expect(client.attributes).not.toHaveProperty('guid:x-request-id');
    expect(server.attributes).toMatchObject({ error: true, 'http.status_code': 503 });
  });

  it('writes the same OTLP JSON as the object form, for plain values and for values that need escaping', () => {
    const { tracer, spans } = setup();
    const odd: Partial<RequestRecord>[] = [
      {},
      { userAgent: 'Mozilla "quoted" \\ back\tslash' },
      { userAgent: 'ünïcødé ✓ 😀', path: '/é?q="x"' },
      { userAgent: 'lone \ud800 surrogate', requestId: 'ctl\u0001' },
      { bytesReceived: 1.5 },
      { authority: 'a"b:9080' },
    ];
    for (const over of odd) {
      run(tracer, record(productpage, over), {}, { status: 200, upstreamStatus: 200, bytesSent: 10 });
      run(tracer, record(productpage, over), {}, { status: 503, upstreamStatus: undefined, flags: 'UH', upstream: undefined });
    }
    expect(spans.length).toBeGreaterThan(odd.length * 2);
    // The plain ones write their own attributes; the others are written from the object form.
    const own = spans.map((s) => (s as ProxySpan).otlpJsonAttributes());
    expect(own.slice(0, 3).every((a) => a !== undefined)).toBe(true);
    expect(own.filter((a) => a === undefined).length).toBeGreaterThan(4);
    spans.forEach((s, i) => {
      if (own[i] !== undefined) expect(own[i]).toBe(keyValuesJson(s.attributes));
    });
    const body = encodeOtlpTracesJson(spans).toString('utf8');
    expect(body).toBe(JSON.stringify(encodeOtlpTraces(spans)));
    expect(JSON.parse(body)).toEqual(encodeOtlpTraces(spans));
  });

  it('gives every span its own 16-hex id and every new trace a 32-hex id, and sends the server span upstream', () => {
    const { tracer } = setup();
    const ids = new Set<string>();
    const traces = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const rec = record(productpage);
      const out = run(tracer, rec, {}, { status: 200, upstreamStatus: 200 });
      expect(rec.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(rec.serverSpanId).toMatch(/^[0-9a-f]{16}$/);
      expect(rec.traceId).toMatch(/^[0-9a-f]{32}$/);
      // Past the budget of new traces per second most are not sampled: the flag says which.
      expect(out.traceparent).toBe(`00-${rec.traceId}-${rec.serverSpanId}-${rec.sampled ? '01' : '00'}`);
      if (i < 100) expect(rec.sampled).toBe(true);
      ids.add(rec.spanId as string).add(rec.serverSpanId as string);
      traces.add(rec.traceId as string);
    }
    expect(ids.size).toBe(10_000);
    expect(traces.size).toBe(5000);
  });

  it('keeps every trace within the budget, then failed and slow requests, not the rest', () => {
    const { tracer, spans } = setup();
    for (let i = 0; i < 100; i++) run(tracer, record(productpage), {}, { status: 200, upstreamStatus: 200 });
    expect(spans).toHaveLength(200);
    spans.length = 0;
    // The budget is spent: of a burst of fast successes about 1% are kept; every failure and every slow one is.
    for (let i = 0; i < 1000; i++) run(tracer, record(productpage), {}, { status: 200, upstreamStatus: 200 });
    expect(spans.length).toBeLessThan(100);
    spans.length = 0;
    const failed = record(productpage);
    run(tracer, failed, {}, { status: 503, upstreamStatus: 503 });
    const reset = record(productpage);
    run(tracer, reset, {}, { status: 503, upstreamStatus: undefined, flags: 'UC' });
    const slow = record(productpage);
    run(tracer, slow, {}, { status: 200, upstreamStatus: 200, durationMs: 750 });
    expect([failed, reset, slow].map((r) => r.sampled)).toEqual([false, false, false]);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([failed.traceId, reset.traceId, slow.traceId]));
    expect(spans.filter((s) => s.traceId === failed.traceId).map((s) => s.error)).toEqual([true, true]);
  });

  it('keeps no failed request of a project that does not trace (governance off, no caller’s context)', () => {
    const { tracer, spans } = setup(false);
    run(tracer, record(productpage), {}, { status: 503, upstreamStatus: 503, durationMs: 2000 });
    expect(spans).toHaveLength(0);
    // A caller's context that said no is still a trace: its failures are kept.
    const rec = record(productpage);
    run(tracer, rec, { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-00` }, { status: 503, upstreamStatus: 503 });
    expect(spans.map((s) => s.traceId)).toEqual(['ab'.repeat(16), 'ab'.repeat(16)]);
  });
});
