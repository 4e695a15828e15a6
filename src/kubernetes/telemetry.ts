/**
 * Telemetry on a cluster, from what the cluster runs: metrics from its Prometheus and traces from
 * its Jaeger, by URL (`--prometheus URL --jaeger URL`).
 *
 * Metrics: the shared PrometheusSource (src/telemetry/query/metrics.ts), asking Kiali's PromQL.
 * Traces: the shared TraceSource (src/telemetry/query/trace-source.ts) with Jaeger's query API
 * behind it (jaeger-query /api/services, /api/traces, /api/traces/{id}), in graymesh's shapes
 * (TraceSummary, TraceView); a project is searched one Istio service name at a time.
 */
import { unavailable } from '../api/errors.js';
import { PrometheusSource } from '../telemetry/query/metrics.js';
import { searchByService, type ProjectTraceSearch, type TelemetrySources, type TraceSearch, type TraceSource } from '../telemetry/query/trace-source.js';
import type { JaegerTrace } from '../telemetry/query/jaeger.js';
import type { TraceSpanView, TraceSummary, TraceView } from '../telemetry/query/trace-views.js';
import type { TagValue } from '../telemetry/query/span.js';

/** Adapters for the URLs given; each is left out when its URL is. */
export function clusterTelemetry(urls: { prometheus?: string; jaeger?: string }): TelemetrySources {
  return {
    ...(urls.prometheus ? { metrics: new PrometheusSource(urls.prometheus) } : {}),
    ...(urls.jaeger ? { traces: new JaegerTraceSource(urls.jaeger) } : {}),
  };
}

const tagMap = (tags: { key: string; value: TagValue }[] | undefined): Record<string, TagValue> =>
  Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]));

/**
 * Istio's Envoy names itself in `node_id` (`sidecar~10.1.2.3~reviews-v2-5f7c-abcde.demo-project~demo-project.svc.cluster.local`)
 * and tags its spans with the canonical service and revision; this is the pod, workload and version.
 */
function istioProcess(tags: Record<string, TagValue>, processTags: Record<string, TagValue>): TraceSpanView['process'] {
  const all = { ...processTags, ...tags };
  const nodeId = String(all.node_id ?? '');
  const podPart = nodeId.split('~')[2] ?? '';
  const pod = podPart.split('.')[0] ?? '';
  const workload = pod.replace(/-[a-z0-9]{8,10}-[a-z0-9]{5}$/, '');
  return {
    pod,
    pid: null,
    node: String(all.hostname ?? all.ip ?? nodeId.split('~')[1] ?? ''),
    workload: workload || String(all['istio.canonical_service'] ?? ''),
    version: String(all['istio.canonical_revision'] ?? ''),
  };
}

/** A Jaeger trace in the control plane's trace view. */
export function traceView(t: JaegerTrace): TraceView {
  const spans = t.spans
    .map((s): TraceSpanView => {
      const proc = t.processes[s.processID];
      const tags = tagMap(s.tags);
      return {
        spanId: s.spanID,
        parentSpanId: s.references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? '',
        service: proc?.serviceName ?? '',
        operation: s.operationName,
        kind: String(tags['span.kind'] ?? ''),
        start: s.startTime / 1000,
        durationMs: s.duration / 1000,
        tags,
        process: istioProcess(tags, tagMap(proc?.tags)),
      };
    })
    .sort((a, b) => a.start - b.start);
  return { traceId: t.traceID, spans };
}

/** The search-result summary of a trace. */
export function traceSummary(t: JaegerTrace): TraceSummary {
  const v = traceView(t);
  const ids = new Set(v.spans.map((s) => s.spanId));
  const root = v.spans.find((s) => !s.parentSpanId || !ids.has(s.parentSpanId)) ?? v.spans[0];
  const start = Math.min(...v.spans.map((s) => s.start));
  const end = Math.max(...v.spans.map((s) => s.start + s.durationMs));
  const services: Record<string, number> = {};
  for (const s of v.spans) services[s.service] = (services[s.service] ?? 0) + 1;
  return {
    traceId: t.traceID,
    rootService: root?.service ?? '',
    rootOperation: root?.operation ?? '',
    start,
    durationMs: end - start,
    spanCount: v.spans.length,
    errorCount: v.spans.filter((s) => s.tags.error === true || s.tags.error === 'true').length,
    services,
  };
}

export class JaegerTraceSource implements TraceSource {
  readonly kind = 'jaeger' as const;
  readonly missing = 'in Jaeger (never received, or past its retention)';
  private readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/$/, '');
  }

  private async get<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T | undefined> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}${q.size > 0 ? `?${q.toString()}` : ''}`, { signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw unavailable(`Jaeger at ${this.url} cannot be reached (${(err as Error).message}); check --jaeger`);
    }
    if (res.status === 404) return undefined;
    const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: { msg: string }[] | null };
    if (!res.ok) throw unavailable(`Jaeger at ${this.url} refused ${path}: ${body.errors?.[0]?.msg ?? res.status}`);
    return body.data;
  }

  async services(): Promise<string[]> {
    return ((await this.get<string[]>('/api/services')) ?? []).sort();
  }

  searchProject(project: string, q: ProjectTraceSearch): Promise<TraceSummary[]> {
    return searchByService(this, project, q);
  }

  async search(q: TraceSearch): Promise<TraceSummary[]> {
    const end = q.endMs ?? Date.now();
    const data = await this.get<JaegerTrace[]>('/api/traces', {
      service: q.service,
      operation: q.operation,
      tags: q.tags && Object.keys(q.tags).length > 0 ? JSON.stringify(q.tags) : undefined,
      minDuration: q.minDurationMs !== undefined ? `${q.minDurationMs}ms` : undefined,
      maxDuration: q.maxDurationMs !== undefined ? `${q.maxDurationMs}ms` : undefined,
      // Jaeger takes µs.
      start: String(Math.round((q.startMs ?? end - 3_600_000) * 1000)),
      end: String(Math.round(end * 1000)),
      limit: String(q.limit ?? 20),
    });
    return (data ?? []).filter((t) => t.spans.length > 0).map(traceSummary).sort((a, b) => b.start - a.start);
  }

  async trace(id: string): Promise<TraceView | undefined> {
    const data = await this.get<JaegerTrace[]>(`/api/traces/${encodeURIComponent(id)}`);
    const t = data?.[0];
    return t ? traceView(t) : undefined;
  }
}
