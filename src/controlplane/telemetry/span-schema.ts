/**
 * The span store's SQLite schema, its row shape and which tags it indexes
 * for search (span-store.ts writes and reads them, span-search.ts queries).
 */
import { SPAN_KINDS, type Span, type SpanEvent, type TagValue } from '../../telemetry/query/span.js';

/** Tag values longer than this are kept on the span but not indexed for search. */
const MAX_INDEXED_TAG = 256;

/**
 * Tags with a different value on nearly every span (or rarely searched) are
 * not indexed: indexing them would double the cost of ingest for lookups
 * nobody makes by index. They are still searchable, by reading the span's
 * tags, within whatever service, time and duration bounds the query has.
 */
export const UNINDEXED_TAGS = new Set([
  'http.url',
  'url.full',
  'guid:x-request-id',
  'peer.address',
  'user_agent',
  'user_agent.original',
  'request_size',
  'response_size',
  'otel.scope.name',
  'component',
  'http.protocol',
  'pid',
]);

export const indexed = (key: string, text: string): boolean => text.length <= MAX_INDEXED_TAG && !UNINDEXED_TAGS.has(key);

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  service TEXT NOT NULL,
  operation TEXT NOT NULL,
  kind INTEGER NOT NULL,
  namespace TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  duration_us INTEGER NOT NULL,
  error INTEGER NOT NULL,
  tags TEXT NOT NULL,
  resource TEXT NOT NULL,
  events TEXT
);
CREATE INDEX IF NOT EXISTS spans_trace ON spans (trace_id);
CREATE INDEX IF NOT EXISTS spans_service_start ON spans (service, start_us);
CREATE INDEX IF NOT EXISTS spans_namespace_start ON spans (namespace, start_us);
CREATE INDEX IF NOT EXISTS spans_service_duration ON spans (service, duration_us);
CREATE TABLE IF NOT EXISTS span_tags (
  span INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (span, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS span_tags_kv ON span_tags (key, value);
CREATE TABLE IF NOT EXISTS operations (
  service TEXT NOT NULL,
  operation TEXT NOT NULL,
  kind INTEGER NOT NULL,
  PRIMARY KEY (service, operation, kind)
) WITHOUT ROWID;
`;

export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_id: string;
  service: string;
  operation: string;
  kind: number;
  namespace: string;
  start_us: number;
  duration_us: number;
  error: number;
  tags: string;
  resource: string;
  events: string | null;
}

/** A stored row back into a span. */
export function toSpan(r: SpanRow): Span {
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_id,
    service: r.service,
    operation: r.operation,
    kind: SPAN_KINDS[r.kind] ?? 'unspecified',
    startUs: r.start_us,
    durationUs: r.duration_us,
    tags: JSON.parse(r.tags) as Record<string, TagValue>,
    resource: JSON.parse(r.resource) as Record<string, TagValue>,
    namespace: r.namespace,
    error: r.error === 1,
    events: r.events ? (JSON.parse(r.events) as SpanEvent[]) : [],
  };
}
