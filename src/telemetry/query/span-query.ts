/** A trace search, with Jaeger's semantics: one span must match every condition. */
export interface SpanQuery {
  /** Spans of this project (by namespace, or by service name in `services`). */
  namespace?: string;
  /** Service names that belong to the project even when their spans carry no namespace. */
  projectServices?: string[];
  /** One service name, or any of several (a service as named in spans: `reviews`, `reviews.project`). */
  service?: string | string[];
  operation?: string;
  /** Every tag must be on the same span; values compare as text (`error=true`, `http.status_code=503`). */
  tags?: Record<string, string>;
  minDurationUs?: number;
  maxDurationUs?: number;
  /** Epoch µs, inclusive. */
  startUs?: number;
  endUs?: number;
  /** Most traces returned. */
  limit?: number;
}
