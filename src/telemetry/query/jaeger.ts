/**
 * Jaeger's query API shapes (jaeger-query's /api/*, as Jaeger UI and Grafana's
 * Jaeger data source read them): traces with µs times, CHILD_OF references,
 * typed tags and a process table per trace.
 */
import type { Span, TagValue } from './span.js';

export interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64';
  value: TagValue;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF'; traceID: string; spanID: string }[];
  flags: number;
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: { timestamp: number; fields: JaegerTag[] }[];
  processID: string;
  warnings: string[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: string[] | null;
}

/** Jaeger's response envelope. */
export interface JaegerResponse<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: { code: number; msg: string }[] | null;
}

export function envelope<T>(data: T, total: number, limit = 0): JaegerResponse<T> {
  return { data, total, limit, offset: 0, errors: null };
}

export function jaegerTags(attrs: Record<string, TagValue>): JaegerTag[] {
  return Object.entries(attrs).map(([key, value]) => ({
    key,
    type: typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? (Number.isInteger(value) ? 'int64' : 'float64') : 'string',
    value,
  }));
}

export function jaegerTrace(traceId: string, spans: Span[]): JaegerTrace {
  const processes: JaegerTrace['processes'] = {};
  const processIds = new Map<string, string>();
  const out: JaegerSpan[] = [];
  for (const s of spans) {
    const key = `${s.service}\u0000${JSON.stringify(s.resource)}`;
    let pid = processIds.get(key);
    if (!pid) {
      pid = `p${processIds.size + 1}`;
      processIds.set(key, pid);
      const tags = { ...s.resource };
      delete tags['service.name'];
      processes[pid] = { serviceName: s.service, tags: jaegerTags(tags) };
    }
    const tags: Record<string, TagValue> = { ...s.tags };
    if (s.kind !== 'unspecified' && s.kind !== 'internal') tags['span.kind'] = s.kind;
    out.push({
      traceID: traceId,
      spanID: s.spanId,
      operationName: s.operation,
      references: s.parentSpanId ? [{ refType: 'CHILD_OF', traceID: traceId, spanID: s.parentSpanId }] : [],
      flags: 1,
      startTime: s.startUs,
      duration: s.durationUs,
      tags: jaegerTags(tags),
      logs: s.events.map((e) => ({ timestamp: e.timeUs, fields: jaegerTags({ event: e.name, ...e.attributes }) })),
      processID: pid,
      warnings: null,
    });
  }
  return { traceID: traceId, spans: out, processes, warnings: null };
}
