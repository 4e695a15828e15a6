/**
 * OTLP/HTTP JSON for traces (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 * the types of `ExportTraceServiceRequest` as JSON and an encoder from the
 * span model. The proxy encodes with it; the control plane's collector
 * (src/controlplane/telemetry/otlp-json.ts) decodes the same shape.
 *
 * JSON mapping rules followed: trace and span ids are hex strings (not base64),
 * 64-bit integers (times, intValue) are decimal strings, enums are numbers.
 */
import type { AttributeValue, Span, SpanResource } from './span.js';

/** OTLP `AnyValue` as JSON (one member set). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64: a decimal string when encoded; decoders also accept a number. */
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** OTLP `Status`: code 0 unset, 1 ok, 2 error. */
export interface OtlpStatus {
  code?: number;
  message?: string;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  /** OTLP SpanKind: 2 server, 3 client. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  status?: OtlpStatus;
}

export interface OtlpScopeSpans {
  scope?: { name?: string; version?: string };
  spans?: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: OtlpScopeSpans[];
}

/** The body of `POST /v1/traces` (Content-Type: application/json). */
export interface OtlpTraceRequest {
  resourceSpans?: OtlpResourceSpans[];
}

/** The scope name the proxy reports its spans under. */
export const PROXY_SCOPE = 'graymesh-proxy';

/**
 * Epoch ms (fractional) as a unixNano decimal string. A double holds epoch ms
 * to about 0.25 µs, so the fraction is rounded to whole microseconds (Jaeger's
 * resolution) and printed as digits, never through a double nanosecond count.
 */
export function msToUnixNano(ms: number): string {
  let whole = Math.floor(ms);
  let micros = Math.round((ms - whole) * 1e3);
  if (micros >= 1e3) {
    whole += 1;
    micros -= 1e3;
  }
  const frac = `${String(micros).padStart(3, '0')}000`;
  return whole === 0 ? String(Number(frac)) : `${whole}${frac}`;
}

function anyValue(v: AttributeValue): OtlpAnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

function keyValues(attrs: Record<string, AttributeValue>): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key in attrs) out.push({ key, value: anyValue(attrs[key] as AttributeValue) });
  return out;
}

function otlpSpan(s: Span): OtlpSpan {
  const o: OtlpSpan = {
    traceId: s.traceId,
    spanId: s.spanId,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: msToUnixNano(s.startMs),
    endTimeUnixNano: msToUnixNano(s.endMs),
    attributes: keyValues(s.attributes),
  };
  if (s.parentSpanId) o.parentSpanId = s.parentSpanId;
  if (s.error) o.status = s.statusMessage ? { code: 2, message: s.statusMessage } : { code: 2 };
  return o;
}

/** Encodes spans as one request: one ResourceSpans per resource object, one ScopeSpans per scope. */
export function encodeOtlpTraces(spans: Iterable<Span>): OtlpTraceRequest {
  const byResource = new Map<SpanResource, Map<string, OtlpSpan[]>>();
  for (const s of spans) {
    let scopes = byResource.get(s.resource);
    if (!scopes) byResource.set(s.resource, (scopes = new Map()));
    const scope = s.scope ?? PROXY_SCOPE;
    let list = scopes.get(scope);
    if (!list) scopes.set(scope, (list = []));
    list.push(otlpSpan(s));
  }
  const resourceSpans: OtlpResourceSpans[] = [];
  for (const [resource, scopes] of byResource) {
    resourceSpans.push({
      resource: { attributes: keyValues(resource.attributes) },
      scopeSpans: [...scopes].map(([name, list]) => ({ scope: { name }, spans: list })),
    });
  }
  return { resourceSpans };
}
