import { describe, expect, it } from 'vitest';
import { hasPromtool, parseExposition, promtoolCheck, samples } from '../../test/helpers/prometheus-text.js';
import { escapeLabelValue, renderIstioMetrics, renderTracingStats } from './prometheus-text.js';
import { ISTIO_DURATION_BUCKETS_MS, ISTIO_SIZE_BUCKETS, type StatSeries } from './stats.js';

/** Cumulative buckets with `n` observations in bucket `i` and none elsewhere. */
function buckets(len: number, i: number, n: number): number[] {
  return Array.from({ length: len + 1 }, (_, j) => (j >= i ? n : 0));
}

const plain: StatSeries = {
  labels: { reporter: 'source', source_workload: 'productpage-v1', destination_service: 'reviews.demo.svc.cluster.local', response_code: '200', grpc_response_status: '' },
  requests: 3,
  durationBuckets: buckets(ISTIO_DURATION_BUCKETS_MS.length, 2, 3),
  durationSum: 7.5,
  requestBytesSum: 0,
  responseBytesSum: 3000,
  requestBytesBuckets: buckets(ISTIO_SIZE_BUCKETS.length, 0, 3),
  responseBytesBuckets: buckets(ISTIO_SIZE_BUCKETS.length, 3, 3),
};

/** Label values a user controls (a workload or app label) can hold anything: quotes, backslashes, line feeds, non-ASCII. */
const hostile: StatSeries = {
  ...plain,
  labels: { reporter: 'destination', source_app: 'we"ird\\app\nname', destination_app: 'ünïcode ✓', response_code: '503', response_flags: 'UH' },
  requests: 1,
  durationSum: 0.25,
  durationBuckets: buckets(ISTIO_DURATION_BUCKETS_MS.length, 0, 1),
  requestBytesBuckets: undefined,
  responseBytesBuckets: undefined,
};

describe('renderIstioMetrics', () => {
  const text = renderIstioMetrics([plain, hostile]);
  const e = parseExposition(text);

  it('declares each family once, with HELP and TYPE', () => {
    expect(Object.fromEntries(e.types)).toEqual({
      istio_requests_total: 'counter',
      istio_request_duration_milliseconds: 'histogram',
      istio_request_bytes: 'histogram',
      istio_response_bytes: 'histogram',
    });
    expect(e.help.size).toBe(4);
    expect(text.match(/^# TYPE istio_requests_total /gm)).toHaveLength(1);
  });

  it('prints counters, and histograms as cumulative buckets ending in +Inf, then _sum and _count', () => {
    expect(samples(e, 'istio_requests_total', { reporter: 'source' })[0]?.value).toBe(3);
    const b = samples(e, 'istio_request_duration_milliseconds_bucket', { reporter: 'source' });
    expect(b.map((s) => s.labels.le)).toEqual([...ISTIO_DURATION_BUCKETS_MS.map(String), '+Inf']);
    // Three requests in the 5 ms bucket: 0 below it, 3 from it on.
    expect(b.map((s) => s.value)).toEqual(buckets(ISTIO_DURATION_BUCKETS_MS.length, 2, 3));
    expect(samples(e, 'istio_request_duration_milliseconds_sum', { reporter: 'source' })[0]?.value).toBe(7.5);
    expect(samples(e, 'istio_request_duration_milliseconds_count', { reporter: 'source' })[0]?.value).toBe(3);
    expect(samples(e, 'istio_response_bytes_bucket', { reporter: 'source', le: '100' })[0]?.value).toBe(0);
    expect(samples(e, 'istio_response_bytes_bucket', { reporter: 'source', le: '1000' })[0]?.value).toBe(3);
  });

  it('escapes label values so they parse back unchanged', () => {
    const s = samples(e, 'istio_requests_total', { reporter: 'destination' })[0];
    expect(s?.labels.source_app).toBe('we"ird\\app\nname');
    expect(s?.labels.destination_app).toBe('ünïcode ✓');
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it('prints a size histogram without buckets (an older proxy) as +Inf only', () => {
    const b = samples(e, 'istio_request_bytes_bucket', { reporter: 'destination' });
    expect(b.map((s) => [s.labels.le, s.value])).toEqual([['+Inf', 1]]);
  });

  it('keeps labels in Istio order and keeps empty values (grpc_response_status="")', () => {
    expect(text).toContain('istio_requests_total{reporter="source",source_workload="productpage-v1",destination_service="reviews.demo.svc.cluster.local",response_code="200",grpc_response_status=""} 3\n');
  });

  it('is accepted by promtool check metrics (skipped without promtool)', (ctx) => {
    if (!hasPromtool()) {
      ctx.skip('promtool not installed: apt-get install -y prometheus to run this check');
      return;
    }
    const r = promtoolCheck(text + renderTracingStats({ exported: 4, dropped: 1, failedExports: 1, queued: 0 }));
    expect(r.code, r.output).not.toBe(1);
    expect(r.problems, r.output).toEqual([]);
  });
});

describe('gRPC message counters', () => {
  const grpc: StatSeries = { ...plain, labels: { ...plain.labels, request_protocol: 'grpc', grpc_response_status: '0' }, requestMessages: 2, responseMessages: 7 };

  it('prints istio_request_messages_total and istio_response_messages_total for the series that have them', () => {
    const e = parseExposition(renderIstioMetrics([plain, grpc]));
    expect([e.types.get('istio_request_messages_total'), e.types.get('istio_response_messages_total')]).toEqual(['counter', 'counter']);
    expect(samples(e, 'istio_request_messages_total').map((x) => [x.labels.request_protocol, x.value])).toEqual([['grpc', 2]]);
    expect(samples(e, 'istio_response_messages_total').map((x) => [x.labels.request_protocol, x.value])).toEqual([['grpc', 7]]);
  });

  it('prints no message families without a gRPC series', () => {
    expect(renderIstioMetrics([plain])).not.toContain('messages_total');
  });
});
