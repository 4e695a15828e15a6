/**
 * The release analysis' reading of a metrics source (the engine's AnalysisMetrics port,
 * src/engine/releases/analysis/metrics.ts): each version's requests, 5xx answers and p99
 * of a service in a window, as its callers saw them (reporter=source), and a PromQL
 * expression's value when the source is Prometheus.
 */
import type { MetricsSource, TrafficRow } from './metrics.js';

export interface VersionCounts {
  requests: number;
  errors: number;
  p99: number | null;
}

export interface ReleaseMetrics {
  readonly kind: 'embedded' | 'prometheus';
  refresh?(): Promise<void>;
  versions(q: { namespace: string; service: string; fromMs: number; toMs: number }): Promise<Record<string, VersionCounts>>;
  query?(promql: string, atMs: number): Promise<number | null>;
}

/** Counts from a row: the source's own where it keeps them, else rate × window. */
function counts(row: TrafficRow, windowMs: number): VersionCounts {
  const s = windowMs / 1000;
  return {
    requests: Math.round(row.requests ?? row.rps * s),
    errors: Math.round(row.requests5xx ?? row.rps5xx * s),
    p99: row.p99,
  };
}

export function releaseMetrics(source: MetricsSource, refresh?: () => Promise<void>): ReleaseMetrics {
  const out: ReleaseMetrics = {
    kind: source.kind,
    async versions(q) {
      const windowMs = Math.max(1, q.toMs - q.fromMs);
      const rows = await source.traffic({
        windowMs,
        endMs: q.toMs,
        match: { reporter: 'source', destination_service_name: q.service, destination_service_namespace: q.namespace },
        groupBy: ['destination_version'],
      });
      const byVersion: Record<string, VersionCounts> = {};
      for (const row of rows) byVersion[row.labels.destination_version ?? ''] = counts(row, windowMs);
      return byVersion;
    },
    ...(refresh ? { refresh } : {}),
  };
  if (source.instant) {
    const instant = source.instant.bind(source);
    out.query = (promql, atMs) => instant(promql, atMs);
  }
  return out;
}
