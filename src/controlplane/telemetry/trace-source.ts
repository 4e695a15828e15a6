/** The local engine's trace source: the embedded span store, searched with Jaeger's semantics (one span matches every condition). */
import { normalizeTraceId } from '../../telemetry/query/params.js';
import type { ProjectTraceSearch, TraceSource } from '../../telemetry/query/trace-source.js';
import { summarize, traceView, type TraceSummary, type TraceView } from '../../telemetry/query/trace-views.js';
import type { SpanStore } from './span-store.js';

const us = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms * 1000));

export class EmbeddedTraceSource implements TraceSource {
  readonly kind = 'embedded' as const;
  readonly missing = '(never received, or past retention)';

  constructor(private readonly spans: SpanStore) {}

  async searchProject(project: string, q: ProjectTraceSearch): Promise<TraceSummary[]> {
    const [minDurationUs, maxDurationUs, startUs, endUs] = [us(q.minDurationMs), us(q.maxDurationMs), us(q.startMs), us(q.endMs)];
    const ids = this.spans.findTraceIds({
      namespace: project,
      // A service is named in spans as itself, or as Istio names it (`reviews.demo`).
      ...(q.service ? { service: [q.service, `${q.service}.${project}`] } : {}),
      ...(q.operation ? { operation: q.operation } : {}),
      tags: q.tags ?? {},
      ...(minDurationUs !== undefined ? { minDurationUs } : {}),
      ...(maxDurationUs !== undefined ? { maxDurationUs } : {}),
      ...(startUs !== undefined ? { startUs } : {}),
      ...(endUs !== undefined ? { endUs } : {}),
      limit: q.limit ?? 20,
    });
    const traces = this.spans.traces(ids);
    return ids.map((id) => summarize(id, traces.get(id) ?? []));
  }

  async trace(id: string): Promise<TraceView | undefined> {
    const normalized = normalizeTraceId(id);
    const spans = this.spans.trace(normalized);
    return spans.length > 0 ? traceView(normalized, spans) : undefined;
  }
}
