import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Collector } from './collector.js';
import { OtlpExporter } from './otlp-exporter.js';
import { SpanStore } from './span-store.js';
import type { Span } from '../../telemetry/query/span.js';
import type { OtlpTraceRequest } from './otlp-json.js';

const span = (spanId: string, service: string, namespace = ''): Span => ({
  traceId: 'ab'.repeat(16),
  spanId,
  parentSpanId: '',
  service,
  operation: 'op',
  kind: 'server',
  startUs: Date.now() * 1000,
  durationUs: 10,
  tags: {},
  resource: { 'service.name': service },
  namespace,
  error: false,
  events: [],
});

describe('Collector', () => {
  let dir: string;
  let store: SpanStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gm-collector-'));
    store = new SpanStore(path.join(dir, 'traces.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts concurrent requests in one batch, searchable once ingest resolves, and fills in the project', async () => {
    const projects: Record<string, string[]> = { reviews: ['demo'], ratings: ['demo', 'books'] };
    const c = new Collector({ store, projectsOf: (s) => projects[s] ?? [], log: () => undefined });
    await Promise.all([
      c.ingest([span('0000000000000001', 'reviews')]),
      // Istio's `name.namespace` service naming picks the project even when the name is in two.
      c.ingest([span('0000000000000002', 'ratings.books')]),
      c.ingest([span('0000000000000003', 'ratings'), span('0000000000000004', 'mystery', 'own')]),
    ]);
    const got = Object.fromEntries(store.trace('ab'.repeat(16)).map((s) => [s.spanId.slice(-1), s.namespace]));
    expect(got).toEqual({ '1': 'demo', '2': 'books', '3': '', '4': 'own' });
    expect(c.received).toBe(4);
    await c.close();
  });
});

describe('OtlpExporter', () => {
  let server: http.Server;
  let bodies: OtlpTraceRequest[] = [];
  let status = 200;
  let url = '';
  beforeEach(async () => {
    bodies = [];
    server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') bodies.push(JSON.parse(data) as OtlpTraceRequest);
        res.statusCode = status;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => server.close());

  it('sends batches as OTLP JSON to /v1/traces', async () => {
    const e = new OtlpExporter({ url, batchSize: 2, log: () => undefined });
    e.enqueue([span('0000000000000001', 'a'), span('0000000000000002', 'a'), span('0000000000000003', 'b')]);
    await e.close();
    expect(bodies.length).toBe(2);
    const spans = bodies.flatMap((b) => b.resourceSpans ?? []).flatMap((r) => r.scopeSpans ?? []).flatMap((s) => s.spans ?? []);
    expect(spans.map((s) => s.spanId)).toEqual(['0000000000000001', '0000000000000002', '0000000000000003']);
    expect(e.stats).toEqual({ exported: 3, failed: 0, dropped: 0 });
  });

  it('logs a failing endpoint once and drops the batch instead of failing ingest', async () => {
    status = 503;
    const logs: string[] = [];
    const e = new OtlpExporter({ url, log: (m) => logs.push(m) });
    e.enqueue([span('0000000000000001', 'a')]);
    await e.flush();
    e.enqueue([span('0000000000000002', 'a')]);
    await e.flush();
    expect(e.stats.failed).toBe(2);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/span export to .*\/v1\/traces failed \(the endpoint answered 503\)/);
    status = 200;
  });
});
