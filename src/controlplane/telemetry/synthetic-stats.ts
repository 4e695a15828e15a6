/**
 * Synthetic proxy stats for tests and benchmarks: cumulative series built the
 * way a proxy counts them, from request counts and latencies.
 */
import { ISTIO_DURATION_BUCKETS_MS, type IstioLabel, type StatSeries, type StatsSnapshot } from '../../telemetry/stats.js';

/** One edge's labels, reporter=source, in project `ns`. */
export function edgeLabels(
  ns: string,
  src: { workload: string; app: string; version: string; namespace?: string },
  dst: { service: string; workload: string; app: string; version: string },
  code = 200,
): Partial<Record<IstioLabel, string>> {
  return {
    reporter: 'source',
    source_workload: src.workload,
    source_workload_namespace: src.namespace ?? ns,
    source_app: src.app,
    source_version: src.version,
    destination_workload: dst.workload,
    destination_workload_namespace: ns,
    destination_app: dst.app,
    destination_version: dst.version,
    destination_service: `${dst.service}.${ns}.svc.cluster.local`,
    destination_service_name: dst.service,
    destination_service_namespace: ns,
    request_protocol: 'http',
    response_code: String(code),
    response_flags: '-',
  };
}

/** A series of `requests` requests that each took `latencyMs`. */
export function series(labels: Partial<Record<IstioLabel, string>>, requests: number, latencyMs: number): StatSeries {
  return {
    labels,
    requests,
    durationBuckets: [...ISTIO_DURATION_BUCKETS_MS.map((b) => (latencyMs <= b ? requests : 0)), requests],
    durationSum: requests * latencyMs,
    requestBytesSum: 0,
    responseBytesSum: requests * 100,
  };
}

export function snapshot(timeMs: number, startMs: number, s: StatSeries[]): StatsSnapshot {
  return { timeMs, startMs, series: s };
}
