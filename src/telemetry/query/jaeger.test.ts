import { describe, expect, it } from 'vitest';
import { envelope, jaegerTrace } from './jaeger.js';
import type { Span } from './span.js';

const base: Omit<Span, 'spanId' | 'parentSpanId' | 'service'> = {
  traceId: 'ab'.repeat(16),
  operation: 'op',
  kind: 'server',
  startUs: 1_714_557_600_000_000,
  durationUs: 1500,
  tags: { 'http.status_code': 200, 'http.method': 'GET', ratio: 0.25, error: false },
  resource: { 'service.name': 'productpage', 'k8s.pod.name': 'productpage-v1-x' },
  namespace: 'demo',
  error: false,
  events: [{ timeUs: 1_714_557_600_000_500, name: 'retry', attributes: { attempt: 2 } }],
};

describe('Jaeger query API shapes', () => {
  it('writes traces as Jaeger UI reads them', () => {
    const t = jaegerTrace(base.traceId, [
      { ...base, spanId: '01'.repeat(8), parentSpanId: '', service: 'productpage' },
      { ...base, spanId: '02'.repeat(8), parentSpanId: '01'.repeat(8), service: 'productpage', kind: 'client' },
      { ...base, spanId: '03'.repeat(8), parentSpanId: '02'.repeat(8), service: 'reviews', resource: { 'service.name': 'reviews' } },
    ]);
    expect(Object.keys(t.processes)).toEqual(['p1', 'p2']);
    expect(t.processes.p1).toEqual({ serviceName: 'productpage', tags: [{ key: 'k8s.pod.name', type: 'string', value: 'productpage-v1-x' }] });
    const s = t.spans[1];
    expect(s).toMatchObject({
      traceID: base.traceId,
      spanID: '02'.repeat(8),
      operationName: 'op',
      references: [{ refType: 'CHILD_OF', traceID: base.traceId, spanID: '01'.repeat(8) }],
      startTime: base.startUs,
      duration: 1500,
      processID: 'p1',
      warnings: null,
    });
    expect(s?.tags).toEqual(
      expect.arrayContaining([
        { key: 'http.status_code', type: 'int64', value: 200 },
        { key: 'ratio', type: 'float64', value: 0.25 },
        { key: 'error', type: 'bool', value: false },
        { key: 'span.kind', type: 'string', value: 'client' },
      ]),
    );
    expect(s?.logs[0]).toEqual({ timestamp: 1_714_557_600_000_500, fields: [{ key: 'event', type: 'string', value: 'retry' }, { key: 'attempt', type: 'int64', value: 2 }] });
    expect(t.spans[0]?.references).toEqual([]);
    expect(t.spans[2]?.processID).toBe('p2');
  });

  it('wraps answers in the envelope', () => {
    expect(envelope(['a'], 1)).toEqual({ data: ['a'], total: 1, limit: 0, offset: 0, errors: null });
  });
});
