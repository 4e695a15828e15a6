/**
 * The span model shared by the proxy (which produces spans) and the control
 * plane (which stores and queries them): OpenTelemetry's, reduced to what a
 * trace view needs. Times are epoch milliseconds with a fraction (sub-ms
 * precision); ids are lowercase hex.
 */

/** OTLP `Span.SpanKind` numbers. */
export const SpanKind = {
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** An attribute (tag) value; integers travel as OTLP intValue. */
export type AttributeValue = string | number | boolean;

/**
 * The process a span comes from (OTLP Resource). The proxy fills `service.name`
 * and, following OpenTelemetry's semantic conventions, `k8s.pod.name`,
 * `k8s.namespace.name`, `k8s.deployment.name`, `service.version`, `process.pid`
 * and `host.name` (the node proxy's name). One object is shared by every span
 * of a process, so encoders can group spans by identity.
 */
export interface SpanResource {
  /** Resource attributes; `service.name` always present. */
  attributes: Record<string, AttributeValue>;
}

/** One finished span. */
export interface Span {
  /** 32 hex digits. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  /** 16 hex digits; absent for a trace's root span. */
  parentSpanId?: string | undefined;
  /** Operation name, e.g. `reviews.demo.svc.cluster.local:9080/*` as Istio names proxy spans. */
  name: string;
  kind: SpanKind;
  /** Start, epoch ms (fractional). */
  startMs: number;
  /** End, epoch ms (fractional). */
  endMs: number;
  /** Span attributes (Zipkin/Jaeger tags). */
  attributes: Record<string, AttributeValue>;
  /** True when the operation failed (OTLP status code 2, ERROR). */
  error: boolean;
  /** Status message (OTLP `status.message`), when there is one. */
  statusMessage?: string | undefined;
  resource: SpanResource;
  /** Instrumentation scope name, e.g. `graymesh-proxy`. */
  scope?: string | undefined;
}
