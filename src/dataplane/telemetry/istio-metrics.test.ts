import { describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../../config/snapshot.js';
import { ISTIO_DURATION_BUCKETS_MS, ISTIO_SIZE_BUCKETS, type StatSeries } from '../../telemetry/stats.js';
import type { RequestRecord } from '../request-record.js';
import type { Source } from '../router.js';
import { requestRecord } from './fixtures.js';
import { bucketIndex, IstioMetrics } from './istio-metrics.js';
import { Peers } from './peers.js';

const listener: Source = { kind: 'outbound', project: 'demo', workload: 'productpage-v1', labels: { app: 'productpage', version: 'v1' } };
const reviewsV2: EndpointConfig = { pod: 'reviews-v2-abc', project: 'demo', workload: 'reviews-v2', labels: { app: 'reviews', version: 'v2' }, address: '127.0.0.1', port: 1, ready: true };

const record = (over: Partial<RequestRecord> = {}): RequestRecord => requestRecord({ source: listener, ...over });

/** A request routed to reviews-v2 that the pod answered. */
function served(peers: Peers, over: Partial<RequestRecord> = {}): RequestRecord {
  return record({
    destinationService: 'reviews.demo.svc.cluster.local',
    destinationServiceName: 'reviews',
    destinationProject: 'demo',
    upstreamCluster: 'outbound|9080|v2|reviews.demo.svc.cluster.local',
    upstream: reviewsV2,
    destinationPeer: peers.endpoint(reviewsV2),
    upstreamStartMs: 1,
    upstreamStatus: 200,
    ...over,
  });
}

function byReporter(series: StatSeries[], reporter: string): StatSeries[] {
  return series.filter((s) => s.labels.reporter === reporter);
}

describe('bucketIndex', () => {
  it('puts a value in the first bucket whose bound is ≥ it (Prometheus le), beyond the last in +Inf', () => {
    expect(bucketIndex(ISTIO_DURATION_BUCKETS_MS, 0)).toBe(0);
    expect(bucketIndex(ISTIO_DURATION_BUCKETS_MS, 0.5)).toBe(0);
    expect(bucketIndex(ISTIO_DURATION_BUCKETS_MS, 0.51)).toBe(1);
    expect(bucketIndex(ISTIO_DURATION_BUCKETS_MS, 250)).toBe(ISTIO_DURATION_BUCKETS_MS.indexOf(250));
    expect(bucketIndex(ISTIO_DURATION_BUCKETS_MS, 3_600_000)).toBe(ISTIO_DURATION_BUCKETS_MS.length - 1);
    expect(bucketIndex(ISTIO_DURATION_BUCKETS_MS, 3_600_001)).toBe(ISTIO_DURATION_BUCKETS_MS.length);
    expect(bucketIndex(ISTIO_SIZE_BUCKETS, 10)).toBe(1);
    expect(bucketIndex(ISTIO_SIZE_BUCKETS, 11)).toBe(2);
  });
});

describe('IstioMetrics', () => {
  it('counts a served request at both reporters with Istio values', () => {
    const peers = new Peers('node-1');
    const m = new IstioMetrics(peers);
    m.record(served(peers));
    const [src] = byReporter(m.stats(), 'source');
    const [dst] = byReporter(m.stats(), 'destination');
    expect(src?.labels).toEqual({
      reporter: 'source',
      source_workload: 'productpage-v1',
      source_workload_namespace: 'demo',
      source_principal: 'unknown',
      source_app: 'productpage',
      source_version: 'v1',
      source_cluster: 'Kubernetes',
      destination_workload: 'reviews-v2',
      destination_workload_namespace: 'demo',
      destination_principal: 'unknown',
      destination_app: 'reviews',
      destination_version: 'v2',
      destination_service: 'reviews.demo.svc.cluster.local',
      destination_service_name: 'reviews',
      destination_service_namespace: 'demo',
      destination_cluster: 'Kubernetes',
      request_protocol: 'http',
      response_code: '200',
      grpc_response_status: '',
      response_flags: '-',
      connection_security_policy: 'unknown',
    });
    expect(dst?.labels).toMatchObject({ reporter: 'destination', connection_security_policy: 'none', destination_workload: 'reviews-v2' });
    // The destination's view starts when the request was forwarded (1 ms in).
    expect(src?.durationSum).toBe(3);
    expect(dst?.durationSum).toBe(2);
  });

  it('places durations and sizes in the right cumulative buckets', () => {
    const peers = new Peers('node-1');
    const m = new IstioMetrics(peers);
    for (const [ms, sent] of [
      [0.2, 0],
      [0.5, 1],
      [7, 10],
      [7, 11],
      [4_000_000, 5_000],
    ] as const) {
      m.record(served(peers, { durationMs: ms, bytesSent: sent, upstreamStartMs: 0 }));
    }
    const [s] = byReporter(m.stats(), 'source');
    const at = (le: number): number => s?.durationBuckets[ISTIO_DURATION_BUCKETS_MS.indexOf(le)] as number;
    expect([at(0.5), at(1), at(5), at(10), at(3_600_000)]).toEqual([2, 2, 2, 4, 4]);
    expect(s?.durationBuckets.at(-1)).toBe(5);
    const size = (le: number): number => s?.responseBytesBuckets?.[ISTIO_SIZE_BUCKETS.indexOf(le)] as number;
    expect([size(1), size(10), size(100), size(10_000)]).toEqual([2, 3, 4, 5]);
    expect(s?.requests).toBe(5);
    expect(s?.responseBytesSum).toBe(5_022);
  });

  it('counts requests that never reached an upstream at the source reporter only, destination unknown', () => {
    const peers = new Peers('node-1');
    const m = new IstioMetrics(peers);
    // No healthy upstream: the route named the service, no pod was picked.
    m.record(record({ status: 503, flags: 'UH', destinationService: 'reviews.demo.svc.cluster.local', destinationServiceName: 'reviews', destinationProject: 'demo' }));
    // A subset no DestinationRule defines: no cluster at all; the service is the host asked for.
    m.record(record({ status: 503, flags: 'NR', authority: 'ratings:9080' }));
    const series = m.stats();
    expect(byReporter(series, 'destination')).toEqual([]);
    expect(series.map((s) => [s.labels.destination_service, s.labels.destination_service_name, s.labels.destination_workload, s.labels.response_flags])).toEqual([
      ['reviews.demo.svc.cluster.local', 'reviews', 'unknown', 'UH'],
      ['ratings.demo.svc.cluster.local', 'ratings', 'unknown', 'NR'],
    ]);
  });

  it('names the gateway as Istio does and reuses one series for equal labels', () => {
    const peers = new Peers('node-1');
    const m = new IstioMetrics(peers);
    const gw: Source = { kind: 'gateway' };
    for (let i = 0; i < 3; i++) m.record(served(peers, { source: gw, sourcePeer: peers.gateway }));
    // A new snapshot makes new endpoint objects: the same labels still land in the same series.
    const copy = { ...reviewsV2 };
    m.record(served(peers, { source: gw, sourcePeer: peers.gateway, upstream: copy, destinationPeer: peers.endpoint(copy) }));
    const src = byReporter(m.stats(), 'source');
    expect(src).toHaveLength(1);
    expect(src[0]?.requests).toBe(4);
    expect(src[0]?.labels).toMatchObject({ source_workload: 'istio-ingressgateway', source_workload_namespace: 'istio-system', source_app: 'istio-ingressgateway', source_version: 'unknown' });
  });

  it('splits series by response code and flags', () => {
    const peers = new Peers('node-1');
    const m = new IstioMetrics(peers);
    m.record(served(peers));
    m.record(served(peers, { status: 503, upstreamStatus: 503 }));
    m.record(served(peers, { flags: 'DI' }));
    const src = byReporter(m.stats(), 'source').map((s) => `${s.labels.response_code} ${s.labels.response_flags} ${s.requests}`);
    expect(src).toEqual(['200 - 1', '503 - 1', '200 DI 1']);
    // The destination saw no fault delay: its flags stay '-'.
    expect(byReporter(m.stats(), 'destination').map((s) => `${s.labels.response_code} ${s.labels.response_flags} ${s.requests}`)).toEqual(['200 - 2', '503 - 1']);
  });

  it('labels gRPC requests request_protocol "grpc" with their grpc-status, one series per status', () => {
    const peers = new Peers('node-1');
    const m = new IstioMetrics(peers);
    m.record(served(peers, { grpc: true, grpcStatus: 0 }));
    m.record(served(peers, { grpc: true, grpcStatus: 14 }));
    m.record(served(peers, { grpc: true, grpcStatus: 14 }));
    m.record(served(peers));
    const src = byReporter(m.stats(), 'source').map((s) => `${s.labels.request_protocol} ${s.labels.response_code} ${s.labels.grpc_response_status} ${s.requests}`);
    expect(src).toEqual(['grpc 200 0 1', 'grpc 200 14 2', 'http 200  1']);
  });

  it('sums gRPC messages per series at both reporters, and gives other series none', () => {
    const peers = new Peers('node-1');
    const m = new IstioMetrics(peers);
    m.record(served(peers, { grpc: true, grpcStatus: 0, requestMessages: 1, responseMessages: 5 }));
    m.record(served(peers, { grpc: true, grpcStatus: 0, requestMessages: 3, responseMessages: 3 }));
    m.record(served(peers));
    const counts = m.stats().map((s) => `${s.labels.reporter} ${s.labels.request_protocol} ${s.requestMessages} ${s.responseMessages}`);
    expect(counts).toEqual(['source grpc 4 8', 'destination grpc 4 8', 'source http undefined undefined', 'destination http undefined undefined']);
  });
});
