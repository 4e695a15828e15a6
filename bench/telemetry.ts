/**
 * Telemetry figures for `npm run bench` (issue 7): span ingest rate into the
 * span store, trace-by-id and search latency with a million stored spans, and
 * graph query time for 100 services. In-process, on the real SQLite store and
 * the embedded metrics store, with realistic spans (Bookinfo-shaped traces,
 * proxy tags). BENCH_SPANS scales the store (default 1,000,000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SpanStore } from '../src/controlplane/telemetry/span-store.js';
import type { Span } from '../src/telemetry/query/span.js';
import { MetricsStore } from '../src/controlplane/telemetry/metrics-store.js';
import { EmbeddedSource } from '../src/controlplane/telemetry/metrics-source.js';
import { buildGraph, queryGraphTraffic, type ProjectInventory } from '../src/telemetry/query/graph.js';
import { edgeLabels, series, snapshot } from '../src/controlplane/telemetry/synthetic-stats.js';
import type { StatSeries } from '../src/telemetry/stats.js';

export interface TelemetryFigure {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
}

const SERVICES = ['productpage', 'details', 'reviews', 'ratings', 'cart', 'checkout', 'payment', 'shipping', 'email', 'currency', 'catalog', 'ads'];
const SPANS_PER_TRACE = 8;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** The i-th trace: a root and seven children, one in twenty failing, durations spread over 1–200 ms. */
function traceSpans(i: number, startUs: number): Span[] {
  const traceId = hex(i + 1, 32);
  const failing = i % 20 === 0;
  return Array.from({ length: SPANS_PER_TRACE }, (_, j) => {
    const service = SERVICES[(i + j) % SERVICES.length] as string;
    const status = failing && j === SPANS_PER_TRACE - 1 ? 503 : 200;
    return {
      traceId,
      spanId: hex(i * SPANS_PER_TRACE + j + 1, 16),
      parentSpanId: j === 0 ? '' : hex(i * SPANS_PER_TRACE + 1, 16),
      service,
      operation: `${service}.bench.svc.cluster.local:9080/*`,
      kind: j % 2 === 0 ? 'server' : 'client',
      startUs: startUs + j * 100,
      durationUs: 1000 + ((i * 7919 + j * 104729) % 199_000),
      // The tags the node proxy puts on its spans (src/dataplane/telemetry/tracer.ts).
      tags: {
        node: 'node-proxy',
        workload: `${service}-v1`,
        version: 'v1',
        'istio.namespace': 'bench',
        'istio.canonical_service': service,
        'http.method': 'GET',
        'http.url': `http://${service}:9080/${service}/${i % 1000}`,
        'http.protocol': 'HTTP/1.1',
        'http.status_code': status,
        response_flags: '-',
        request_size: 0,
        response_size: 1800 + (i % 500),
        component: 'proxy',
        pod: `${service}-v1-abcde-fghij`,
        pid: 1000 + j,
        'guid:x-request-id': `${traceId.slice(0, 8)}-${j}`,
        user_agent: 'Mozilla/5.0',
        upstream_cluster: `outbound|9080||${service}.bench.svc.cluster.local`,
        'peer.address': `127.0.0.1:${30000 + (i % 1000)}`,
        'otel.scope.name': 'graymesh-proxy',
        ...(status >= 500 ? { error: true } : {}),
      },
      resource: { 'service.name': service, 'k8s.pod.name': `${service}-v1-abcde-fghij`, 'k8s.namespace.name': 'bench', 'process.pid': 1000 + j, 'service.version': 'v1' },
      namespace: 'bench',
      error: status >= 500,
      events: [],
    };
  });
}

async function spanFigures(total: number): Promise<TelemetryFigure[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gm-bench-spans-'));
  const store = new SpanStore(path.join(dir, 'traces.db'), { maxSpans: total + 1, maxAgeMs: 365 * 86_400_000 });
  try {
    const traces = Math.ceil(total / SPANS_PER_TRACE);
    const t0Us = Date.now() * 1000 - traces * 1000;
    const BATCH = 1000 / SPANS_PER_TRACE;
    const started = performance.now();
    for (let i = 0; i < traces; i += BATCH) {
      const batch: Span[] = [];
      for (let k = i; k < Math.min(traces, i + BATCH); k++) batch.push(...traceSpans(k, t0Us + k * 1000));
      store.insert(batch);
    }
    const ingestS = (performance.now() - started) / 1000;
    const out: TelemetryFigure[] = [{ name: 'span ingest into the store (batches of 1000)', value: Math.round(store.size / ingestS), unit: 'spans/s' }];

    const time = (fn: () => unknown, n: number): number => {
      const xs: number[] = [];
      for (let r = 0; r < n; r++) {
        const t = performance.now();
        fn();
        xs.push(performance.now() - t);
      }
      return Number(median(xs).toFixed(3));
    };
    const label = `${(store.size / 1e6).toFixed(store.size >= 1e6 ? 0 : 2)}M stored spans`;
    let seed = 1;
    const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    out.push({ name: `trace by id @${label}`, value: time(() => store.trace(hex(Math.floor(rand() * traces) + 1, 32)), 200), unit: 'ms' });
    out.push({ name: `search service, limit 20 @${label}`, value: time(() => store.traces(store.findTraceIds({ service: 'reviews', limit: 20 })), 50), unit: 'ms' });
    out.push({
      name: `search service + error=true, limit 20 @${label}`,
      value: time(() => store.traces(store.findTraceIds({ service: 'ratings', tags: { error: 'true' }, limit: 20 })), 20),
      unit: 'ms',
    });
    out.push({
      name: `search project + minDuration 150ms, limit 20 @${label}`,
      value: time(() => store.traces(store.findTraceIds({ namespace: 'bench', minDurationUs: 150_000, limit: 20 })), 20),
      unit: 'ms',
    });
    return out;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 100 services, two versions each, each v1 calling the next service: a minute of stats at 2 s. */
async function graphFigure(): Promise<TelemetryFigure> {
  const N = 100;
  const ns = 'bench';
  const inv: ProjectInventory = { name: ns, workloads: [], services: [] };
  for (let s = 0; s < N; s++) {
    inv.services.push(`svc${s}`);
    for (const v of ['v1', 'v2']) inv.workloads.push({ name: `svc${s}-${v}`, app: `svc${s}`, version: v });
  }
  const at = (k: number): StatSeries[] => {
    const out: StatSeries[] = [series(edgeLabels(ns, { workload: 'istio-ingressgateway', app: 'istio-ingressgateway', version: '', namespace: 'istio-system' }, { service: 'svc0', workload: 'svc0-v1', app: 'svc0', version: 'v1' }), 10 * k, 20)];
    for (let s = 0; s < N - 1; s++) {
      for (const v of ['v1', 'v2']) {
        const src = { workload: `svc${s}-v1`, app: `svc${s}`, version: 'v1' };
        const dst = { service: `svc${s + 1}`, workload: `svc${s + 1}-${v}`, app: `svc${s + 1}`, version: v };
        out.push(series(edgeLabels(ns, src, dst, 200), 5 * k, 5 + (s % 40)));
        out.push(series(edgeLabels(ns, src, dst, 503), Math.floor(k / 10), 1));
      }
    }
    return out;
  };
  const m = new MetricsStore();
  const T = Date.now() - 60_000;
  for (let i = 0; i <= 30; i++) m.add('node-proxy', snapshot(T + i * 2000, T - 1, at(i * 2)));
  const source = new EmbeddedSource(m);
  const xs: number[] = [];
  for (let r = 0; r < 20; r++) {
    const t = performance.now();
    const g = buildGraph(inv, await queryGraphTraffic(source, 60_000, T + 60_000));
    xs.push(performance.now() - t);
    if (g.edges.length < 2 * N) throw new Error(`graph bench: ${g.edges.length} edges, expected at least ${2 * N}`);
  }
  return { name: 'graph query, 100 services × 2 versions, 60 s window', value: Number(median(xs).toFixed(2)), unit: 'ms' };
}

export async function benchTelemetry(): Promise<TelemetryFigure[]> {
  const total = Number(process.env.BENCH_SPANS ?? 1_000_000);
  return [...(await spanFigures(total)), await graphFigure()];
}
