import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpanStore } from './span-store.js';
import type { Span } from '../../telemetry/query/span.js';
import { summarize, traceView } from '../../telemetry/query/trace-views.js';

const T0 = 1_714_557_600_000_000;

function span(over: Partial<Span> & { traceId: string; spanId: string }): Span {
  return {
    parentSpanId: '',
    service: 'productpage',
    operation: 'GET /productpage',
    kind: 'server',
    startUs: T0,
    durationUs: 1000,
    tags: {},
    resource: { 'service.name': over.service ?? 'productpage' },
    namespace: 'demo',
    error: false,
    events: [],
    ...over,
  };
}

const tid = (n: number): string => n.toString(16).padStart(32, '0');
const sid = (n: number): string => n.toString(16).padStart(16, '0');

describe('SpanStore', () => {
  let dir: string;
  let store: SpanStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gm-spans-'));
    store = new SpanStore(path.join(dir, 'traces.db'), { maxSpans: 100, maxAgeMs: 3_600_000, batch: 7 });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a trace and summarizes it from its root', () => {
    store.insert([
      span({ traceId: tid(1), spanId: sid(1), durationUs: 30_000, resource: { 'service.name': 'productpage', 'k8s.pod.name': 'productpage-v1-a', 'process.pid': 11 } }),
      span({ traceId: tid(1), spanId: sid(2), parentSpanId: sid(1), service: 'reviews', kind: 'client', startUs: T0 + 1000, durationUs: 20_000 }),
      span({ traceId: tid(1), spanId: sid(3), parentSpanId: sid(2), service: 'ratings', startUs: T0 + 2000, durationUs: 5000, error: true, tags: { error: true } }),
    ]);
    const spans = store.trace(tid(1));
    expect(spans.map((s) => s.spanId)).toEqual([sid(1), sid(2), sid(3)]);
    expect(summarize(tid(1), spans)).toEqual({
      traceId: tid(1),
      rootService: 'productpage',
      rootOperation: 'GET /productpage',
      start: T0 / 1000,
      durationMs: 30,
      spanCount: 3,
      errorCount: 1,
      services: { productpage: 1, reviews: 1, ratings: 1 },
    });
    const v = traceView(tid(1), spans);
    expect(v.spans[0]?.process).toEqual({ pod: 'productpage-v1-a', pid: 11, node: '', workload: '', version: '' });
    expect(v.spans[1]).toMatchObject({ parentSpanId: sid(1), kind: 'client', durationMs: 20 });
  });

  it('searches like Jaeger: one span matches every condition, most recent traces first', () => {
    for (let i = 1; i <= 10; i++) {
      store.insert([
        span({ traceId: tid(i), spanId: sid(i * 10), startUs: T0 + i * 1_000_000, durationUs: i * 10_000 }),
        span({
          traceId: tid(i),
          spanId: sid(i * 10 + 1),
          parentSpanId: sid(i * 10),
          service: 'ratings',
          operation: 'GET /ratings',
          startUs: T0 + i * 1_000_000 + 10,
          tags: { 'http.status_code': i % 3 === 0 ? 503 : 200, ...(i % 3 === 0 ? { error: true } : {}) },
          error: i % 3 === 0,
          namespace: i === 10 ? 'other' : 'demo',
        }),
      ]);
    }
    expect(store.findTraceIds({ service: 'productpage', limit: 3 })).toEqual([tid(10), tid(9), tid(8)]);
    expect(store.findTraceIds({ service: 'ratings', tags: { 'http.status_code': '503' } })).toEqual([tid(9), tid(6), tid(3)]);
    expect(store.findTraceIds({ tags: { error: 'true', 'http.status_code': '503' }, limit: 2 })).toEqual([tid(9), tid(6)]);
    // The tags are on the ratings span, the duration on the productpage one: no single span matches both.
    expect(store.findTraceIds({ tags: { error: 'true' }, minDurationUs: 50_000 })).toEqual([]);
    expect(store.findTraceIds({ service: 'productpage', minDurationUs: 50_000, maxDurationUs: 70_000 })).toEqual([tid(7), tid(6), tid(5)]);
    expect(store.findTraceIds({ startUs: T0 + 2_000_000, endUs: T0 + 4_000_000, service: 'productpage' })).toEqual([tid(4), tid(3), tid(2)]);
    expect(store.findTraceIds({ operation: 'GET /ratings', namespace: 'other' })).toEqual([tid(10)]);
    expect(store.findTraceIds({ service: ['nope', 'ratings'], limit: 1 })).toEqual([tid(10)]);
    // Tags kept out of the index (per-request values, long values) are searched from the span itself.
    store.insert([
      span({ traceId: tid(99), spanId: sid(990), startUs: T0, tags: { 'http.url': 'http://x/a?b=1', request_size: 42, long: 'v'.repeat(300), flag: false } }),
    ]);
    expect(store.findTraceIds({ tags: { 'http.url': 'http://x/a?b=1' } })).toEqual([tid(99)]);
    expect(store.findTraceIds({ tags: { request_size: '42', long: 'v'.repeat(300) } })).toEqual([tid(99)]);
    expect(store.findTraceIds({ tags: { flag: 'false', 'http.url': 'http://x/a?b=1' } })).toEqual([tid(99)]);
    expect(store.findTraceIds({ tags: { 'http.url': 'http://x/other' } })).toEqual([]);
    expect(store.services()).toEqual(['productpage', 'ratings']);
    expect(store.operations('ratings')).toEqual([{ name: 'GET /ratings', kind: 'server' }]);
  });

  it('keeps at most maxSpans, dropping the oldest in batches', () => {
    for (let i = 0; i < 15; i++) {
      store.insert(Array.from({ length: 10 }, (_, j) => span({ traceId: tid(i), spanId: sid(i * 100 + j), startUs: T0 + i * 1000 + j })));
    }
    expect(store.size).toBe(100);
    // The five oldest traces are gone, the newest ten complete.
    expect(store.trace(tid(4))).toHaveLength(0);
    expect(store.trace(tid(5))).toHaveLength(10);
    expect(store.trace(tid(14))).toHaveLength(10);
    // Their tag rows went with them: a tag search finds only live spans.
    expect(store.findTraceIds({ limit: 100 })).toHaveLength(10);
  });

  it('drops spans older than maxAge, keeping newer ones and the service list in step', () => {
    const now = T0 / 1000 + 10 * 3_600_000;
    store.insert([
      span({ traceId: tid(1), spanId: sid(1), service: 'old', startUs: T0 }),
      span({ traceId: tid(2), spanId: sid(2), startUs: (now - 60_000) * 1000 }),
    ]);
    expect(store.trimByAge(now)).toBe(1);
    expect(store.size).toBe(1);
    expect(store.trace(tid(1))).toHaveLength(0);
    expect(store.services()).toEqual(['productpage']);
  });

  it('survives a restart: the count and spans are read back from the file', () => {
    store.insert([span({ traceId: tid(1), spanId: sid(1) })]);
    store.close();
    store = new SpanStore(path.join(dir, 'traces.db'));
    expect(store.size).toBe(1);
    expect(store.trace(tid(1))).toHaveLength(1);
  });
});
