/**
 * The engine's telemetry adapters against small HTTP stand-ins for a cluster's Prometheus and
 * Jaeger: the PromQL asked is Kiali's, and Istio's Envoy spans from Jaeger become graymesh's trace
 * summaries and views, with the pod and version of each span.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JaegerTraceSource, clusterTelemetry } from '../../src/kubernetes/telemetry.js';

const TRACE = {
  traceID: 'abc123',
  spans: [
    {
      traceID: 'abc123', spanID: 's1', operationName: 'productpage.demo-project.svc.cluster.local:9080/productpage', references: [],
      flags: 1, startTime: 1_700_000_000_000_000, duration: 50_000, processID: 'p1', warnings: null, logs: [],
      tags: [{ key: 'span.kind', type: 'string', value: 'server' }, { key: 'istio.canonical_revision', type: 'string', value: 'v1' }, { key: 'node_id', type: 'string', value: 'sidecar~10.1.0.5~productpage-v1-7d9c8f6b5d-x2x9k.demo-project~demo-project.svc.cluster.local' }],
    },
    {
      traceID: 'abc123', spanID: 's2', operationName: 'reviews.demo-project.svc.cluster.local:9080/*', references: [{ refType: 'CHILD_OF', traceID: 'abc123', spanID: 's1' }],
      flags: 1, startTime: 1_700_000_000_010_000, duration: 30_000, processID: 'p2', warnings: null, logs: [],
      tags: [{ key: 'span.kind', type: 'string', value: 'server' }, { key: 'error', type: 'bool', value: true }, { key: 'istio.canonical_revision', type: 'string', value: 'v2' }, { key: 'node_id', type: 'string', value: 'sidecar~10.1.0.9~reviews-v2-5f7c9d8b4f-abcde.demo-project~demo-project.svc.cluster.local' }],
    },
  ],
  processes: { p1: { serviceName: 'productpage.demo-project', tags: [] }, p2: { serviceName: 'reviews.demo-project', tags: [] } },
  warnings: null,
};

describe('cluster telemetry adapters', () => {
  const asked: URL[] = [];
  let server: http.Server;
  let url = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      asked.push(u);
      res.setHeader('content-type', 'application/json');
      if (u.pathname === '/api/v1/query') {
        const q = u.searchParams.get('query') ?? '';
        const result = q.startsWith('sum by')
          ? [{ metric: { destination_version: 'v2', response_code: '200' }, value: [0, '3'] }, { metric: { destination_version: 'v2', response_code: '503' }, value: [0, '1'] }]
          : [{ metric: { destination_version: 'v2' }, value: [0, '12.5'] }];
        res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
      } else if (u.pathname === '/api/services') {
        res.end(JSON.stringify({ data: ['reviews.demo-project', 'productpage.demo-project'], total: 2 }));
      } else if (u.pathname === '/api/traces') {
        res.end(JSON.stringify({ data: [TRACE], total: 1 }));
      } else if (u.pathname === '/api/traces/abc123') {
        res.end(JSON.stringify({ data: [TRACE], total: 1 }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ data: null, errors: [{ code: 404, msg: 'trace not found' }] }));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("asks the cluster's Prometheus Kiali's PromQL, per version", async () => {
    const { metrics } = clusterTelemetry({ prometheus: url });
    const rows = await metrics!.traffic({ windowMs: 60_000, groupBy: ['destination_version'], match: { reporter: 'source', destination_service_name: 'reviews' } });
    expect(rows).toEqual([{ labels: { destination_version: 'v2' }, rps: 4, rps4xx: 0, rps5xx: 1, p50: 12.5, p95: 12.5, p99: 12.5 }]);
    const queries = asked.filter((u) => u.pathname === '/api/v1/query').map((u) => u.searchParams.get('query'));
    expect(queries).toContain('sum by (destination_version,response_code) (rate(istio_requests_total{reporter="source",destination_service_name="reviews"}[60s]))');
    expect(queries).toContain('histogram_quantile(0.95, sum by (destination_version,le) (rate(istio_request_duration_milliseconds_bucket{reporter="source",destination_service_name="reviews"}[60s])))');
  });

  it("searches Jaeger's query API and reads Istio's spans as graymesh traces", async () => {
    const traces = new JaegerTraceSource(url);
    expect(await traces.services()).toEqual(['productpage.demo-project', 'reviews.demo-project']);
    const found = await traces.search({ service: 'reviews.demo-project', tags: { error: 'true' }, minDurationMs: 100, startMs: 1_000, endMs: 2_000, limit: 5 });
    const q = asked.filter((u) => u.pathname === '/api/traces').at(-1)!.searchParams;
    expect(Object.fromEntries(q)).toEqual({ service: 'reviews.demo-project', tags: '{"error":"true"}', minDuration: '100ms', start: '1000000', end: '2000000', limit: '5' });
    expect(found).toEqual([{ traceId: 'abc123', rootService: 'productpage.demo-project', rootOperation: TRACE.spans[0]!.operationName, start: 1_700_000_000_000, durationMs: 50, spanCount: 2, errorCount: 1, services: { 'productpage.demo-project': 1, 'reviews.demo-project': 1 } }]);
    const view = await traces.trace('abc123');
    expect(view?.spans.map((s) => [s.spanId, s.parentSpanId, s.process.pod, s.process.workload, s.process.version])).toEqual([
      ['s1', '', 'productpage-v1-7d9c8f6b5d-x2x9k', 'productpage-v1', 'v1'],
      ['s2', 's1', 'reviews-v2-5f7c9d8b4f-abcde', 'reviews-v2', 'v2'],
    ]);
    expect(await traces.trace('nope')).toBeUndefined();
    // A project is searched per Istio service name.
    expect((await traces.searchProject('demo-project', { service: 'reviews', limit: 5 })).map((t) => t.traceId)).toEqual(['abc123']);
  });
});
