/**
 * The Kubernetes engine's control plane serves the telemetry routes from the cluster's
 * Prometheus and Jaeger, in graymesh's contract shapes (issue 5), to the API and to the built
 * CLI (`graymesh graph`, `traces`, `trace` with GRAYMESH_URL at the control plane). Prometheus and
 * Jaeger are real HTTP servers on 127.0.0.1 answering with recorded JSON; the cluster is the fake
 * API server holding Bookinfo.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/telemetry/query/graph.js';
import type { MetricsPoint } from '../../src/telemetry/query/project-queries.js';
import type { TraceSummary, TraceView } from '../../src/telemetry/query/trace-views.js';
import { ClusterControlPlane } from '../../src/kubernetes/control-plane.js';
import { exportProject } from '../../src/config/export/export.js';
import { CLI } from '../helpers/instance.js';
import { FakeApiServer } from './fake-apiserver.js';
import { liveCanaryProject, NS } from './fixtures.js';

const TOKEN = 'test-token-0123456789';

/**
 * `rate(istio_requests_total{reporter="source"}[60s])` as Prometheus records it for Bookinfo:
 * the gateway sends 10 rps to productpage, productpage 10 to details and 10 to reviews v1, and
 * reviews v1 gets 1 of its 10 as a 503. The stand-in sums these by each query's `sum by` labels,
 * as Prometheus would.
 */
const SERIES: { labels: Record<string, string>; rate: number }[] = [
  ['istio-ingressgateway', 'istio-system', 'istio-ingressgateway', 'unknown', 'productpage', 'productpage-v1', 'productpage', 'v1', '200', 10],
  ['productpage-v1', NS, 'productpage', 'v1', 'details', 'details-v1', 'details', 'v1', '200', 10],
  ['productpage-v1', NS, 'productpage', 'v1', 'reviews', 'reviews-v1', 'reviews', 'v1', '200', 9],
  ['productpage-v1', NS, 'productpage', 'v1', 'reviews', 'reviews-v1', 'reviews', 'v1', '503', 1],
].map(([sw, sns, sa, sv, svc, dw, da, dv, code, rate]) => ({
  labels: {
    source_workload: String(sw), source_workload_namespace: String(sns), source_app: String(sa), source_version: String(sv),
    destination_service_name: String(svc), destination_service_namespace: NS, destination_workload: String(dw),
    destination_workload_namespace: NS, destination_app: String(da), destination_version: String(dv), response_code: String(code),
  },
  rate: Number(rate),
}));

/** An Istio trace in Jaeger's /api/traces JSON: the gateway's span, then productpage's. */
const TRACE = {
  traceID: 'abc123',
  spans: [
    {
      traceID: 'abc123', spanID: 's1', operationName: 'productpage.demo-project.svc.cluster.local:9080/productpage', references: [],
      flags: 1, startTime: 1_700_000_000_000_000, duration: 50_000, processID: 'p1', warnings: null, logs: [],
      tags: [{ key: 'span.kind', type: 'string', value: 'client' }, { key: 'node_id', type: 'string', value: 'router~10.1.0.2~istio-ingressgateway-6b7d5c9f8d-q2w3e.istio-system~istio-system.svc.cluster.local' }],
    },
    {
      traceID: 'abc123', spanID: 's2', operationName: 'productpage.demo-project.svc.cluster.local:9080/productpage', references: [{ refType: 'CHILD_OF', traceID: 'abc123', spanID: 's1' }],
      flags: 1, startTime: 1_700_000_000_002_000, duration: 45_000, processID: 'p2', warnings: null, logs: [],
      tags: [{ key: 'span.kind', type: 'string', value: 'server' }, { key: 'istio.canonical_revision', type: 'string', value: 'v1' }, { key: 'node_id', type: 'string', value: 'sidecar~10.1.0.5~productpage-v1-7d9c8f6b5d-x2x9k.demo-project~demo-project.svc.cluster.local' }],
    },
  ],
  processes: { p1: { serviceName: 'istio-ingressgateway.istio-system', tags: [] }, p2: { serviceName: 'productpage.demo-project', tags: [] } },
  warnings: null,
};

/**
 * Answers the PromQL graymesh asks from SERIES: `sum by (...)` of the rate, and 20 ms for every
 * latency quantile. Bookinfo speaks no plain TCP, so the istio_tcp_* series are empty.
 */
function prometheusAnswer(u: URL): unknown {
  const query = u.searchParams.get('query') ?? '';
  if (query.includes('istio_tcp_')) return { status: 'success', data: { resultType: u.pathname === '/api/v1/query_range' ? 'matrix' : 'vector', result: [] } };
  const by = (/sum by \(([^)]*)\)/.exec(query)?.[1] ?? '').split(',').filter((l) => l && l !== 'le');
  const groups = new Map<string, { metric: Record<string, string>; rate: number }>();
  for (const s of SERIES) {
    const metric = Object.fromEntries(by.map((l) => [l, s.labels[l] ?? '']));
    const key = JSON.stringify(metric);
    const g = groups.get(key) ?? { metric, rate: 0 };
    g.rate += s.rate;
    groups.set(key, g);
  }
  const value = (g: { rate: number }): string => (query.startsWith('histogram_quantile') ? '20' : String(g.rate));
  const range = u.pathname === '/api/v1/query_range';
  const end = Number(u.searchParams.get('end') ?? 0);
  const result = [...groups.values()].map((g) =>
    range ? { metric: g.metric, values: [[end, value(g)]] } : { metric: g.metric, value: [Number(u.searchParams.get('time')), value(g)] },
  );
  return { status: 'success', data: { resultType: range ? 'matrix' : 'vector', result } };
}

function jaegerAnswer(u: URL): { status: number; body: unknown } {
  if (u.pathname === '/api/services') return { status: 200, body: { data: ['istio-ingressgateway.istio-system', 'productpage.demo-project', 'details.demo-project', 'other.elsewhere'], total: 4 } };
  if (u.pathname === '/api/traces') {
    const service = u.searchParams.get('service');
    const has = Object.values(TRACE.processes).some((p) => p.serviceName === service);
    return { status: 200, body: { data: has ? [TRACE] : [], total: has ? 1 : 0 } };
  }
  if (u.pathname === '/api/traces/abc123') return { status: 200, body: { data: [TRACE], total: 1 } };
  return { status: 404, body: { data: null, errors: [{ code: 404, msg: 'trace not found' }] } };
}

async function listen(handler: (u: URL) => { status: number; body: unknown }): Promise<{ server: http.Server; url: string; asked: URL[] }> {
  const asked: URL[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    asked.push(u);
    const { status, body } = handler(u);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

function cli(url: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, GRAYMESH_URL: url, GRAYMESH_TOKEN: TOKEN } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('kubernetes engine control plane: telemetry routes', () => {
  let fake: FakeApiServer;
  let prom: Awaited<ReturnType<typeof listen>>;
  let jaeger: Awaited<ReturnType<typeof listen>>;
  let cp: ClusterControlPlane;
  let bare: ClusterControlPlane;
  const get = async <T>(base: string, path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    fake = await new FakeApiServer().start();
    const p = liveCanaryProject();
    p.objects = p.objects.filter((o) => !(o.kind === 'Release' || o.metadata.annotations?.['graymesh.dev/release'] || o.metadata.labels?.['graymesh.dev/release']));
    for (const o of exportProject(p, { crds: false }).items) if (['Namespace', 'Deployment', 'Service'].includes(o.kind)) fake.seed(o);
    prom = await listen((u) => ({ status: 200, body: prometheusAnswer(u) }));
    jaeger = await listen(jaegerAnswer);
    const base = { conn: { context: 'fake', server: fake.url, namespace: NS }, token: TOKEN, adminPassword: 'telemetry-test-password', port: 0, listen: '127.0.0.1', settleMs: 10, log: () => {} };
    cp = new ClusterControlPlane({ ...base, prometheus: prom.url, jaeger: jaeger.url });
    bare = new ClusterControlPlane(base);
    await cp.start();
    await bare.start();
  }, 30_000);

  afterAll(async () => {
    await cp.stop();
    await bare.stop();
    for (const s of [prom.server, jaeger.server]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await fake.stop();
  });

  it("builds the project's graph from Kiali's PromQL: gateway → productpage → details and reviews, with reviews degraded by its 10% of 503s (Kiali: above 10% is failure)", async () => {
    const { status, body } = await get<Graph>(cp.url, `/api/v1/projects/${NS}/graph?window=60s`);
    expect(status).toBe(200);
    expect(body.edges.map((e) => [e.source, e.target, e.rps, e.successRate])).toEqual([
      ['gateway:istio-ingressgateway', 'service:productpage', 10, 100],
      ['service:details', 'workload:details-v1', 10, 100],
      ['service:productpage', 'workload:productpage-v1', 10, 100],
      ['service:reviews', 'workload:reviews-v1', 10, 90],
      ['workload:productpage-v1', 'service:details', 10, 100],
      ['workload:productpage-v1', 'service:reviews', 10, 90],
    ]);
    const reviews = body.nodes.find((n) => n.id === 'workload:reviews-v1');
    expect(reviews).toEqual({ id: 'workload:reviews-v1', kind: 'workload', app: 'reviews', version: 'v1', workload: 'reviews-v1', rps: 10, successRate: 90, p50: 20, p95: 20, p99: 20, health: 'degraded' });
    // ratings-v1 is deployed but gets no traffic: an idle node from the cluster's Deployments.
    expect(body.nodes.find((n) => n.id === 'workload:ratings-v1')?.health).toBe('idle');
    const queries = prom.asked.map((u) => u.searchParams.get('query'));
    expect(queries).toContain(
      'sum by (destination_service_name,destination_service_namespace,response_code) (rate(istio_requests_total{reporter="source"}[60s]))',
    );
  });

  it('answers chart series from query_range', async () => {
    const { status, body } = await get<{ points: MetricsPoint[] }>(cp.url, `/api/v1/projects/${NS}/metrics?service=reviews&window=60s&step=10s`);
    expect(status).toBe(200);
    expect(body.points).toHaveLength(6);
    expect(body.points.at(-1)).toMatchObject({ rps: 30, p95: 20 });
    const range = prom.asked.filter((u) => u.pathname === '/api/v1/query_range').map((u) => u.searchParams.get('query'));
    expect(range).toContain(`sum by (response_code) (rate(istio_requests_total{reporter="source",destination_service_namespace="${NS}",destination_service_name="reviews"}[30s]))`);
  });

  it("searches every Jaeger service of the project, and reads one trace, in graymesh's shapes", async () => {
    const { body } = await get<{ items: TraceSummary[] }>(cp.url, `/api/v1/projects/${NS}/traces?limit=5&tag=error%3Dtrue&minDuration=100`);
    expect(body.items).toEqual([
      { traceId: 'abc123', rootService: 'istio-ingressgateway.istio-system', rootOperation: TRACE.spans[0]!.operationName, start: 1_700_000_000_000, durationMs: 50, spanCount: 2, errorCount: 0, services: { 'istio-ingressgateway.istio-system': 1, 'productpage.demo-project': 1 } },
    ]);
    const searched = jaeger.asked.filter((u) => u.pathname === '/api/traces');
    expect(searched.map((u) => u.searchParams.get('service')).sort()).toEqual(['details.demo-project', 'productpage.demo-project']);
    expect(searched[0]!.searchParams.get('tags')).toBe('{"error":"true"}');
    expect(searched[0]!.searchParams.get('minDuration')).toBe('100ms');

    await get(cp.url, `/api/v1/projects/${NS}/traces?service=productpage`);
    expect(jaeger.asked.at(-1)!.searchParams.get('service')).toBe('productpage.demo-project');

    const view = await get<TraceView>(cp.url, '/api/v1/traces/ABC123');
    expect(view.body.spans.map((s) => [s.spanId, s.parentSpanId, s.service, s.process.pod, s.process.version])).toEqual([
      ['s1', '', 'istio-ingressgateway.istio-system', 'istio-ingressgateway-6b7d5c9f8d-q2w3e', ''],
      ['s2', 's1', 'productpage.demo-project', 'productpage-v1-7d9c8f6b5d-x2x9k', 'v1'],
    ]);
    expect((await get(cp.url, '/api/v1/traces/ffff')).status).toBe(404);
    expect((await get(cp.url, '/api/v1/projects/nope/graph')).status).toBe(404);
  });

  it('answers 503 naming the flag when no Prometheus or Jaeger was given', async () => {
    const graph = await get<{ error: { code: string; message: string } }>(bare.url, `/api/v1/projects/${NS}/graph`);
    expect(graph.status).toBe(503);
    expect(graph.body.error.code).toBe('GM_ERR_UNAVAILABLE');
    expect(graph.body.error.message).toContain('--prometheus URL');
    expect((await get<{ error: { message: string } }>(bare.url, `/api/v1/projects/${NS}/metrics`)).body.error.message).toContain('--prometheus URL');
    const traces = await get<{ error: { message: string } }>(bare.url, `/api/v1/projects/${NS}/traces`);
    expect(traces.status).toBe(503);
    expect(traces.body.error.message).toContain('--jaeger URL');
    expect((await get(bare.url, '/api/v1/traces/abc123')).status).toBe(503);
    expect(graph.body.error.message).not.toContain('\n');
  });

  it('serves the CLI: graymesh graph, traces and trace with GRAYMESH_URL at the control plane', async () => {
    const g = await cli(cp.url, ['graph', '-p', NS, '-o', 'json']);
    expect(g.code, g.stderr).toBe(0);
    const graph = JSON.parse(g.stdout) as Graph;
    expect(graph.edges.find((e) => e.target === 'service:reviews')).toMatchObject({ source: 'workload:productpage-v1', rps: 10, successRate: 90, share: 50, health: 'degraded' });
    const t = await cli(cp.url, ['traces', '-p', NS, '-o', 'json']);
    expect(t.code, t.stderr).toBe(0);
    expect((JSON.parse(t.stdout) as { items: TraceSummary[] }).items.map((i) => i.traceId)).toEqual(['abc123']);
    const one = await cli(cp.url, ['trace', 'abc123', '-o', 'json']);
    expect(one.code, one.stderr).toBe(0);
    expect((JSON.parse(one.stdout) as TraceView).spans).toHaveLength(2);
    const none = await cli(bare.url, ['graph', '-p', NS]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('--prometheus URL');
  });
});
