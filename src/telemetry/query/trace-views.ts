/**
 * graymesh's own trace shapes (the contract): a summary per trace for
 * search results, and a trace's spans with the instance that served each.
 * Times are epoch milliseconds (fractional: spans carry µs), durations ms.
 */
import { processOf, type Span, type SpanProcess, type TagValue } from './span.js';

export interface TraceSummary {
  traceId: string;
  /** Service of the root span (the earliest span without a parent in the trace). */
  rootService: string;
  rootOperation: string;
  /** Epoch ms of the earliest span. */
  start: number;
  /** From the earliest start to the latest end, ms. */
  durationMs: number;
  spanCount: number;
  errorCount: number;
  /** Spans per service. */
  services: Record<string, number>;
}

export interface TraceSpanView {
  spanId: string;
  /** '' for the root. */
  parentSpanId: string;
  service: string;
  operation: string;
  kind: string;
  /** Epoch ms. */
  start: number;
  durationMs: number;
  tags: Record<string, TagValue>;
  process: SpanProcess;
}

export interface TraceView {
  traceId: string;
  spans: TraceSpanView[];
}

/** The root span: the earliest span whose parent is absent from the trace. */
export function rootOf(spans: Span[]): Span | undefined {
  const ids = new Set(spans.map((s) => s.spanId));
  let root: Span | undefined;
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId)) continue;
    if (!root || s.startUs < root.startUs || (s.startUs === root.startUs && !s.parentSpanId && root.parentSpanId)) root = s;
  }
  return root;
}

export function summarize(traceId: string, spans: Span[]): TraceSummary {
  let start = Infinity;
  let end = -Infinity;
  let errors = 0;
  const services: Record<string, number> = {};
  for (const s of spans) {
    start = Math.min(start, s.startUs);
    end = Math.max(end, s.startUs + s.durationUs);
    if (s.error) errors++;
    services[s.service] = (services[s.service] ?? 0) + 1;
  }
  const root = rootOf(spans);
  return {
    traceId,
    rootService: root?.service ?? '',
    rootOperation: root?.operation ?? '',
    start: spans.length ? start / 1000 : 0,
    durationMs: spans.length ? (end - start) / 1000 : 0,
    spanCount: spans.length,
    errorCount: errors,
    services,
  };
}

export function traceView(traceId: string, spans: Span[]): TraceView {
  return {
    traceId,
    spans: spans.map((s) => ({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      service: s.service,
      operation: s.operation,
      kind: s.kind,
      start: s.startUs / 1000,
      durationMs: s.durationUs / 1000,
      tags: s.tags,
      process: processOf(s),
    })),
  };
}
