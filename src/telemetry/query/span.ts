/**
 * The collector's span model: what every ingest format (OTLP JSON and
 * protobuf, Zipkin v2) is decoded into, what the span store keeps, and what
 * the trace views (graymesh's own and Jaeger's) are built from.
 */

/** A tag or resource attribute value. Arrays and maps are kept as their JSON text. */
export type TagValue = string | number | boolean;

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** OTLP's SpanKind enum order (opentelemetry/proto/trace/v1/trace.proto). */
export const SPAN_KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export interface SpanEvent {
  /** Epoch microseconds. */
  timeUs: number;
  name: string;
  attributes: Record<string, TagValue>;
}

export interface Span {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** The parent's span id, or '' for a root span. */
  parentSpanId: string;
  /** The emitting service (resource attribute service.name). */
  service: string;
  /** The span name. */
  operation: string;
  kind: SpanKind;
  /** Epoch microseconds. */
  startUs: number;
  durationUs: number;
  /** Span attributes; `error: true` is added when the span's status is ERROR. */
  tags: Record<string, TagValue>;
  /** Resource attributes (Jaeger's process tags). */
  resource: Record<string, TagValue>;
  /** The project the span belongs to, '' when unknown. */
  namespace: string;
  /** Whether the span failed (status ERROR, or tag error=true). */
  error: boolean;
  events: SpanEvent[];
}

/** Keys read, in order, for the process fields of the contract; span tags first, then resource attributes. */
export const PROCESS_KEYS = {
  pod: ['pod', 'pod.name', 'pod_name', 'k8s.pod.name', 'istio.pod', 'node.pod'],
  pid: ['pid', 'process.pid'],
  node: ['node', 'node_id', 'node.id', 'host.name', 'k8s.node.name'],
  workload: ['workload', 'k8s.deployment.name', 'istio.canonical_service.workload', 'service.instance.workload'],
  version: ['version', 'service.version', 'istio.canonical_revision', 'app.version'],
} as const;

/** Keys naming the project (namespace) of a span, in order. */
export const NAMESPACE_KEYS = ['namespace', 'k8s.namespace.name', 'service.namespace', 'istio.namespace', 'project'];

/** The contract's process of a span: which instance served it. */
export interface SpanProcess {
  pod: string;
  pid: number | null;
  node: string;
  workload: string;
  version: string;
}

function pick(span: Pick<Span, 'tags' | 'resource'>, keys: readonly string[]): TagValue | undefined {
  for (const k of keys) {
    const v = span.tags[k] ?? span.resource[k];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

export function processOf(span: Pick<Span, 'tags' | 'resource'>): SpanProcess {
  const pid = pick(span, PROCESS_KEYS.pid);
  const pidNum = pid === undefined ? NaN : Number(pid);
  return {
    pod: String(pick(span, PROCESS_KEYS.pod) ?? ''),
    pid: Number.isFinite(pidNum) ? pidNum : null,
    node: String(pick(span, PROCESS_KEYS.node) ?? ''),
    workload: String(pick(span, PROCESS_KEYS.workload) ?? ''),
    version: String(pick(span, PROCESS_KEYS.version) ?? ''),
  };
}

/** The namespace a span names itself, '' when none. */
export function namespaceOf(tags: Record<string, TagValue>, resource: Record<string, TagValue>): string {
  for (const k of NAMESPACE_KEYS) {
    const v = tags[k] ?? resource[k];
    if (typeof v === 'string' && v) return v;
  }
  return '';
}

/** True for tag error=true (bool or string), as Jaeger and Zipkin mark failed spans. */
export function isErrorTag(v: TagValue | undefined): boolean {
  return v === true || v === 'true';
}
