/**
 * Sources of telemetry as the shared telemetry query routes (src/apiserver/routes/telemetry-queries.ts)
 * ask them: a MetricsSource for graphs and charts, a TraceSource for trace search and view. The
 * local engine gives its embedded stores (or a Prometheus with `up --prometheus`); the
 * Kubernetes engine the cluster's Prometheus and Jaeger.
 */
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

/** A search of one project's traces; without a service, every service of the project. */
export type ProjectTraceSearch = Omit<TraceSearch, 'service'> & { service?: string };

export interface TraceSource {
  readonly kind: 'embedded' | 'jaeger';
  /** The project's traces matching the search, most recent first. */
  searchProject(project: string, q: ProjectTraceSearch): Promise<TraceSummary[]>;
  /** One trace, or undefined when the source has none with this id. */
  trace(id: string): Promise<TraceView | undefined>;
  /** Why a trace may be missing, for the 404: `never received, or past retention`. */
  readonly missing: string;
}

/** The telemetry an engine serves its graph, chart and trace routes from; a source left out answers 503. */
export interface TelemetrySources {
  metrics?: MetricsSource;
  traces?: TraceSource;
  /** Brings the metrics up to now before a query (the embedded store reads every proxy once more). */
  refresh?(): Promise<void>;
  /** The end every query of one graph uses (the embedded store's latest reading), else now. */
  latestMs?(): number | undefined;
}

/** What a per-service trace source offers (Jaeger's query API), for a project search over it. */
export interface ServiceTraceSearch {
  services(): Promise<string[]>;
  search(q: TraceSearch): Promise<TraceSummary[]>;
}

/**
 * A project's traces from a source searching one service at a time, named as Istio names it
 * (`reviews.demo-project`); without a service every service of the project is searched and the
 * most recent traces kept.
 */
export async function searchByService(source: ServiceTraceSearch, project: string, q: ProjectTraceSearch): Promise<TraceSummary[]> {
  const suffix = `.${project}`;
  const { service, ...rest } = q;
  const services = service ? [service.includes('.') ? service : `${service}${suffix}`] : (await source.services()).filter((s) => s.endsWith(suffix));
  const found = await Promise.all(services.map((s) => source.search({ ...rest, service: s })));
  const byId = new Map<string, TraceSummary>();
  for (const t of found.flat()) byId.set(t.traceId, t);
  return [...byId.values()].sort((a, b) => b.start - a.start).slice(0, q.limit);
}
