/**
 * OTLP traces in their JSON encoding (OTLP/HTTP, opentelemetry-proto's
 * ExportTraceServiceRequest mapped to JSON by the protobuf JSON mapping, with
 * the OTLP exceptions: trace and span ids as hex, enums as integers). Lenient
 * where real senders differ: ids in base64, enums as names, 64-bit integers
 * as strings or numbers, the old instrumentationLibrarySpans field.
 */
import { badRequest } from '../../api/errors.js';
import { SPAN_KINDS, isErrorTag, namespaceOf, type Span, type SpanEvent, type SpanKind, type TagValue } from '../../telemetry/query/span.js';

/** An OTLP AnyValue. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  traceState?: string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[];
  events?: { timeUnixNano?: string | number; name?: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number | string; message?: string };
}

export interface OtlpScopeSpans {
  scope?: { name?: string; version?: string };
  spans?: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: OtlpScopeSpans[];
  /** Before OTLP 0.15 (still sent by old SDKs). */
  instrumentationLibrarySpans?: OtlpScopeSpans[];
}

export interface OtlpTraceRequest {
  resourceSpans?: OtlpResourceSpans[];
}

/** OTLP's STATUS_CODE_ERROR. */
const STATUS_ERROR = 2;

/** Decodes an id sent as hex (the OTLP JSON rule) or base64 (protobuf's default JSON mapping) into lowercase hex. */
export function idToHex(id: string | undefined, bytes: number, what: string): string {
  if (!id) return '';
  if (id.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(id)) return id.toLowerCase();
  const b = Buffer.from(id, 'base64');
  if (b.length === bytes) return b.toString('hex');
  throw badRequest(`${what}: "${id}" is not a ${bytes}-byte id in hex`);
}

/** Nanoseconds (string or number) to epoch microseconds. */
export function nanosToMicros(v: string | number | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return Math.round(v / 1000);
  if (!/^\d+$/.test(v)) return 0;
  return Number(BigInt(v) / 1000n);
}

export function anyValue(v: OtlpAnyValue | undefined): TagValue {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return JSON.stringify((v.arrayValue.values ?? []).map(anyValue));
  if (v.kvlistValue !== undefined) return JSON.stringify(attributes(v.kvlistValue.values));
  if (v.bytesValue !== undefined) return v.bytesValue;
  return '';
}

export function attributes(kvs: OtlpKeyValue[] | undefined): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  for (const kv of kvs ?? []) if (typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  return out;
}

function kindOf(k: number | string | undefined): SpanKind {
  if (typeof k === 'number') return SPAN_KINDS[k] ?? 'unspecified';
  if (typeof k === 'string') {
    const name = k.replace(/^SPAN_KIND_/, '').toLowerCase();
    if ((SPAN_KINDS as readonly string[]).includes(name)) return name as SpanKind;
  }
  return 'unspecified';
}

function statusIsError(code: number | string | undefined): boolean {
  return code === STATUS_ERROR || code === 'STATUS_CODE_ERROR' || code === '2';
}

/** Turns an OTLP trace request (decoded from JSON or protobuf) into spans. */
export function spansFromOtlp(req: OtlpTraceRequest): Span[] {
  if (!req || typeof req !== 'object' || (req.resourceSpans !== undefined && !Array.isArray(req.resourceSpans))) {
    throw badRequest('body: an OTLP ExportTraceServiceRequest {"resourceSpans": [...]} is required');
  }
  const out: Span[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    const service = typeof resource['service.name'] === 'string' && resource['service.name'] ? resource['service.name'] : 'unknown_service';
    for (const ss of [...(rs.scopeSpans ?? []), ...(rs.instrumentationLibrarySpans ?? [])]) {
      for (const s of ss.spans ?? []) {
        const traceId = idToHex(s.traceId, 16, 'traceId');
        const spanId = idToHex(s.spanId, 8, 'spanId');
        if (!traceId || !spanId) throw badRequest('span: traceId and spanId are required');
        const tags = attributes(s.attributes);
        const error = statusIsError(s.status?.code) || isErrorTag(tags.error);
        if (error) tags.error = true;
        if (statusIsError(s.status?.code) && s.status?.message) tags['otel.status_description'] = s.status.message;
        if (ss.scope?.name) tags['otel.scope.name'] = ss.scope.name;
        const startUs = nanosToMicros(s.startTimeUnixNano);
        const endUs = nanosToMicros(s.endTimeUnixNano);
        const events: SpanEvent[] = (s.events ?? []).map((e) => ({
          timeUs: nanosToMicros(e.timeUnixNano),
          name: e.name ?? '',
          attributes: attributes(e.attributes),
        }));
        out.push({
          traceId,
          spanId,
          parentSpanId: idToHex(s.parentSpanId, 8, 'parentSpanId'),
          service,
          operation: s.name ?? '',
          kind: kindOf(s.kind),
          startUs,
          durationUs: Math.max(0, endUs - startUs),
          tags,
          resource,
          namespace: namespaceOf(tags, resource),
          error,
          events,
        });
      }
    }
  }
  return out;
}

/** Encodes spans as an OTLP JSON request, grouped by resource (for export to another collector). */
export function spansToOtlp(spans: Span[]): OtlpTraceRequest {
  const byResource = new Map<string, { resource: Record<string, TagValue>; spans: OtlpSpan[] }>();
  for (const s of spans) {
    const key = JSON.stringify(s.resource);
    let group = byResource.get(key);
    if (!group) byResource.set(key, (group = { resource: s.resource, spans: [] }));
    const tags = { ...s.tags };
    delete tags['otel.scope.name'];
    group.spans.push({
      traceId: s.traceId,
      spanId: s.spanId,
      ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
      name: s.operation,
      kind: SPAN_KINDS.indexOf(s.kind),
      startTimeUnixNano: (BigInt(s.startUs) * 1000n).toString(),
      endTimeUnixNano: (BigInt(s.startUs + s.durationUs) * 1000n).toString(),
      attributes: toKeyValues(tags),
      events: s.events.map((e) => ({ timeUnixNano: (BigInt(e.timeUs) * 1000n).toString(), name: e.name, attributes: toKeyValues(e.attributes) })),
      status: { code: s.error ? STATUS_ERROR : 0 },
    });
  }
  return {
    resourceSpans: [...byResource.values()].map((g) => ({
      resource: { attributes: toKeyValues(g.resource) },
      scopeSpans: [{ scope: { name: 'graymesh' }, spans: g.spans }],
    })),
  };
}

function toKeyValues(attrs: Record<string, TagValue>): OtlpKeyValue[] {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : Number.isInteger(v)
            ? { intValue: String(v) }
            : { doubleValue: v },
  }));
}
