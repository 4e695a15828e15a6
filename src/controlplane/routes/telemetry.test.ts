/**
 * The local engine's telemetry in-process (Fastify inject): its own routes (ingest in every
 * format, Jaeger's query API, /metrics) and the shared graph, chart and trace routes over its
 * embedded stores, from a fake proxy admin endpoint on a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../store.js';
import { Distributor } from '../distributor.js';
import { OpenApi } from '../../apiserver/openapi.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { registerTelemetryRoutes } from './telemetry.js';
import { registerTelemetryQueryRoutes } from '../../apiserver/routes/telemetry-queries.js';
import { SqliteObjectStore } from '../object-store.js';
import { storeProjects } from '../projects.js';
import { edgeLabels, series } from '../telemetry/synthetic-stats.js';
import type { StatsSnapshot } from '../../telemetry/stats.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const NOW_NS = BigInt(Date.now()) * 1_000_000n;

function otlpSpan(spanId: string, parent: string | undefined, name: string, kind: number, startOffsetMs: number, durMs: number, attrs: Record<string, string | number | boolean> = {}) {
  const start = NOW_NS + BigInt(startOffsetMs) * 1_000_000n;
  return {
    traceId: TRACE,
    spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name,
    kind,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + BigInt(durMs) * 1_000_000n).toString(),
    attributes: Object.entries(attrs).map(([key, v]) => ({
      key,
      value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : { intValue: String(v) },
    })),
    ...(attrs.error === true ? { status: { code: 2 } } : {}),
  };
}

function resourceSpans(service: string, pod: string, spans: unknown[]) {
  return {
    resource: {
      attributes: [
        { key: 'service.name', value: { stringValue: service } },
        { key: 'k8s.pod.name', value: { stringValue: pod } },
        { key: 'k8s.namespace.name', value: { stringValue: 'demo' } },
        { key: 'process.pid', value: { intValue: '77' } },
      ],
    },
    scopeSpans: [{ scope: { name: 'graymesh-proxy' }, spans }],
  };
}

describe('telemetry routes', () => {
  let dir: string;
  let store: Store;
  let distributor: Distributor;
  let telemetry: Telemetry;
  let app: FastifyInstance;
  let admin: http.Server;
  let requests = 0;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gm-telemetry-'));
    store = new Store(path.join(dir, 'graymesh.db'));
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'productpage', namespace: 'demo' }, spec: { ports: [{ port: 9080 }] } });
    distributor = new Distributor();
    // A fake proxy admin endpoint: 10 requests more on every read, each read a later instant than the one before
    // (reads here come back to back, where a real proxy's are seconds apart).
    const started = Date.now();
    let readAt = started;
    admin = http.createServer((req, res) => {
      requests += 10;
      const labels = edgeLabels('demo', { workload: 'istio-ingressgateway', app: 'istio-ingressgateway', version: '', namespace: 'istio-system' }, {
        service: 'productpage',
        workload: 'productpage-v1',
        app: 'productpage',
        version: 'v1',
      });
      if (req.url === '/stats/json') {
        readAt = Math.max(Date.now(), readAt + 1);
        const snap: StatsSnapshot = { timeMs: readAt, startMs: started, series: [series(labels, requests, 30)] };
        res.end(JSON.stringify(snap));
      } else if (req.url === '/stats/prometheus') {
        res.end(`# HELP istio_requests_total Total requests.\n# TYPE istio_requests_total counter\nistio_requests_total{reporter="source",destination_version="v1"} ${requests}\n`);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => admin.listen(0, '127.0.0.1', r));
    const fakeStream = { writeHead: () => undefined, flushHeaders: () => undefined, write: () => true, end: () => undefined, on: () => undefined } as unknown as ServerResponse;
    distributor.connect('node-proxy', 1, 0, fakeStream, (admin.address() as AddressInfo).port);
    telemetry = new Telemetry({ homeDir: dir, store, distributor, pollMs: 60_000, log: () => undefined });
    app = Fastify();
    const api = new OpenApi();
    registerTelemetryRoutes(app, api, { telemetry });
    registerTelemetryQueryRoutes(app, api, { telemetry: telemetry.sources, store: new SqliteObjectStore(store), projects: storeProjects(store) });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await telemetry.close();
    distributor.close();
    store.close();
    admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests OTLP JSON (gzip too), OTLP protobuf and Zipkin into one trace', async () => {
    const json = {
      resourceSpans: [
        resourceSpans('productpage', 'productpage-v1-aaaaa-bbbbb', [
          otlpSpan('a000000000000001', undefined, 'productpage.demo.svc.cluster.local:9080/*', 2, 0, 50, { 'http.status_code': 200, node: 'node-proxy' }),
          otlpSpan('a000000000000002', 'a000000000000001', 'reviews.demo.svc.cluster.local:9080/*', 3, 5, 30, { 'http.status_code': 503, error: true }),
        ]),
      ],
    };
    const r1 = await app.inject({ method: 'POST', url: '/v1/traces', payload: json });
    expect(r1.statusCode).toBe(200);
    expect(r1.json()).toEqual({ partialSuccess: {} });

    const gz = gzipSync(JSON.stringify({ resourceSpans: [resourceSpans('reviews', 'reviews-v2-ccccc-ddddd', [otlpSpan('a000000000000003', 'a000000000000002', 'reviews.demo.svc.cluster.local:9080/*', 2, 6, 28, { 'http.status_code': 503, error: true })])] }));
    const r2 = await app.inject({ method: 'POST', url: '/v1/traces', payload: gz, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(r2.statusCode).toBe(200);

    // An empty protobuf request is valid and answers an empty protobuf response.
    const r3 = await app.inject({ method: 'POST', url: '/v1/traces', payload: Buffer.alloc(0), headers: { 'content-type': 'application/x-protobuf' } });
    expect(r3.statusCode).toBe(200);
    expect(r3.headers['content-type']).toBe('application/x-protobuf');

    const z = await app.inject({
      method: 'POST',
      url: '/api/v2/spans',
      payload: [{ traceId: TRACE, id: 'a000000000000004', parentId: 'a000000000000003', name: 'get-ratings', kind: 'CLIENT', timestamp: Number(NOW_NS / 1000n) + 7000, duration: 2000, localEndpoint: { serviceName: 'reviews' } }],
    });
    expect(z.statusCode).toBe(202);

    const bad = await app.inject({ method: 'POST', url: '/v1/traces', payload: { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }] }] }] } });
    expect(bad.statusCode).toBe(400);
  });

  it('searches a project and shows a trace in the contract shapes', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/v1/projects/demo/traces?service=productpage&limit=5' });
    expect(list.statusCode).toBe(200);
    const { items } = list.json() as { items: Record<string, unknown>[] };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ traceId: TRACE, rootService: 'productpage', spanCount: 4, errorCount: 2, services: { productpage: 2, reviews: 2 } });
    expect(items[0]?.durationMs).toBeCloseTo(50);

    const tagged = await app.inject({ method: 'GET', url: '/api/v1/projects/demo/traces?tag=http.status_code=503&tag=error=true&minDuration=20ms' });
    expect((tagged.json() as { items: unknown[] }).items).toHaveLength(1);
    const none = await app.inject({ method: 'GET', url: '/api/v1/projects/demo/traces?minDuration=1s' });
    expect((none.json() as { items: unknown[] }).items).toHaveLength(0);
    expect((await app.inject({ method: 'GET', url: '/api/v1/projects/nope/traces' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/projects/demo/traces?minDuration=soon' })).statusCode).toBe(400);

    const one = await app.inject({ method: 'GET', url: `/api/v1/traces/${TRACE}` });
    const trace = one.json() as { traceId: string; spans: { spanId: string; parentSpanId: string; kind: string; process: Record<string, unknown>; tags: Record<string, unknown> }[] };
    expect(trace.traceId).toBe(TRACE);
    expect(trace.spans.map((s) => [s.spanId, s.parentSpanId, s.kind])).toEqual([
      ['a000000000000001', '', 'server'],
      ['a000000000000002', 'a000000000000001', 'client'],
      ['a000000000000003', 'a000000000000002', 'server'],
      ['a000000000000004', 'a000000000000003', 'client'],
    ]);
    expect(trace.spans[0]?.process).toEqual({ pod: 'productpage-v1-aaaaa-bbbbb', pid: 77, node: 'node-proxy', workload: '', version: '' });
    expect(trace.spans[1]?.tags).toMatchObject({ 'http.status_code': 503, error: true });
    expect((await app.inject({ method: 'GET', url: `/api/v1/traces/${'0'.repeat(31)}1` })).statusCode).toBe(404);
  });

  it('answers the Jaeger query API', async () => {
    const services = (await app.inject({ method: 'GET', url: '/api/services' })).json();
    expect(services).toEqual({ data: ['productpage', 'reviews'], total: 2, limit: 0, offset: 0, errors: null });
    const ops = (await app.inject({ method: 'GET', url: '/api/services/reviews/operations' })).json() as { data: string[] };
    expect(ops.data.sort()).toEqual(['get-ratings', 'reviews.demo.svc.cluster.local:9080/*']);
    const found = (await app.inject({ method: 'GET', url: `/api/traces?service=reviews&tags=${encodeURIComponent('{"error":"true"}')}&lookback=1h&limit=20` })).json() as {
      data: { traceID: string; spans: unknown[]; processes: Record<string, { serviceName: string }> }[];
    };
    expect(found.data).toHaveLength(1);
    expect(found.data[0]?.spans).toHaveLength(4);
    expect(Object.values(found.data[0]?.processes ?? {}).map((p) => p.serviceName).sort()).toEqual(['productpage', 'reviews', 'reviews']);
    const byId = await app.inject({ method: 'GET', url: `/api/traces/${TRACE}` });
    expect((byId.json() as { data: { traceID: string }[] }).data[0]?.traceID).toBe(TRACE);
    const missing = await app.inject({ method: 'GET', url: '/api/traces/abc' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ data: null, errors: [{ code: 404 }] });
  });

  it('builds the graph and chart series from the proxies\' stats, and serves /metrics', async () => {
    await telemetry.poller.poll();
    const graph = (await app.inject({ method: 'GET', url: '/api/v1/projects/demo/graph?window=60s' })).json() as {
      nodes: { id: string; kind: string; health: string }[];
      edges: { source: string; target: string; rps: number; successRate: number; share: number; health: string }[];
    };
    expect(graph.nodes.map((n) => n.id)).toEqual(['gateway:istio-ingressgateway', 'service:productpage', 'workload:productpage-v1']);
    const e = graph.edges.find((x) => x.source === 'gateway:istio-ingressgateway');
    expect(e?.rps).toBeGreaterThan(0);
    expect(e).toMatchObject({ target: 'service:productpage', successRate: 100, share: 100, health: 'healthy' });

    const m = (await app.inject({ method: 'GET', url: '/api/v1/projects/demo/metrics?workload=productpage-v1&window=10s&step=2s' })).json() as {
      points: { t: number; rps: number; successRate: number | null; p50: number | null }[];
    };
    expect(m.points).toHaveLength(5);
    expect(m.points.at(-1)?.successRate).toBe(100);
    expect((await app.inject({ method: 'GET', url: '/api/v1/projects/demo/metrics?window=2h' })).statusCode).toBe(400);

    const deps = (await app.inject({ method: 'GET', url: '/api/dependencies?endTs=0&lookback=60000' })).json() as { data: { parent: string; child: string; callCount: number }[] };
    expect(deps.data).toHaveLength(1);
    expect(deps.data[0]).toMatchObject({ parent: 'istio-ingressgateway', child: 'productpage' });
    expect(deps.data[0]?.callCount).toBeGreaterThan(0);

    const text = await app.inject({ method: 'GET', url: '/metrics' });
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body).toMatch(/^istio_requests_total\{reporter="source",destination_version="v1"\} \d+$/m);
    expect(text.body).toContain('graymesh_spans_received_total 4');
  });
});
