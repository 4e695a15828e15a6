/** Sources of telemetry an engine reads rather than keeps: the shapes the shared telemetry query routes ask of them. */
import type { MetricsSource } from './metrics.js';
import type { TraceSummary, TraceView } from './trace-views.js';

/** A trace search, as `graymesh traces` takes it. */
export interface TraceSearch {
  /** Jaeger searches one service at a time (as named by Istio: `reviews.demo-project`). */
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Epoch ms. */
  startMs?: number;
  endMs?: number;
  limit?: number;
}

/** Where traces come from when the engine does not keep them itself (Jaeger's query API on a cluster). */
export interface TraceSource {
  readonly kind: 'jaeger';
  services(): Promise<string[]>;
  search(q: TraceSearch): Promise<TraceSummary[]>;
  /** One trace, or undefined when Jaeger has none with this id. */
  trace(id: string): Promise<TraceView | undefined>;
}

/** The telemetry adapters of an engine reading a Prometheus and a Jaeger. */
export interface ClusterTelemetry {
  metrics?: MetricsSource;
  traces?: TraceSource;
}
