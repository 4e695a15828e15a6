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

/** `000000`, `001000`, ... `999000`: the sub-millisecond digits of a unixNano string, by whole microseconds. */
const MICROS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}000`);

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
  const frac = MICROS[micros] ?? `${String(micros).padStart(3, '0')}000`;
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

/** Spans by resource object, then by scope name, in the order first seen. */
function groupSpans(spans: Iterable<Span>): Map<SpanResource, Map<string, Span[]>> {
  const byResource = new Map<SpanResource, Map<string, Span[]>>();
  for (const s of spans) {
    let scopes = byResource.get(s.resource);
    if (!scopes) byResource.set(s.resource, (scopes = new Map()));
    const scope = s.scope ?? PROXY_SCOPE;
    let list = scopes.get(scope);
    if (!list) scopes.set(scope, (list = []));
    list.push(s);
  }
  return byResource;
}

/** Encodes spans as one request: one ResourceSpans per resource object, one ScopeSpans per scope. */
export function encodeOtlpTraces(spans: Iterable<Span>): OtlpTraceRequest {
  const resourceSpans: OtlpResourceSpans[] = [];
  for (const [resource, scopes] of groupSpans(spans)) {
    resourceSpans.push({
      resource: { attributes: keyValues(resource.attributes) },
      scopeSpans: [...scopes].map(([name, list]) => ({ scope: { name }, spans: list.map(otlpSpan) })),
    });
  }
  return { resourceSpans };
}

/*
 * The same request written as JSON text directly (encodeOtlpTracesJson): the
 * bytes JSON.stringify gives for encodeOtlpTraces(). Spans that write their
 * own attributes (the proxy's, whose strings nearly never need escaping) are
 * written by templates, in as few pieces as possible: each piece of a
 * concatenated string costs when it is flattened. Anything else goes through
 * JSON.stringify of the object form.
 */

/** A character JSON.stringify may escape in a string: `"`, `\`, controls, or a surrogate (written as a class of the others: it runs faster). */
const NEEDS_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\ud7ff\ue000-\uffff]/;

/** Whether JSON.stringify writes `s` as `"${s}"`. Several strings can be asked at once, concatenated. */
export function isPlainJsonString(s: string): boolean {
  return !NEEDS_ESCAPE.test(s);
}

/** The members of the KeyValue array keyValues() builds, as JSON.stringify writes them (without the brackets). */
export function keyValuesJson(attrs: Record<string, AttributeValue>): string {
  return JSON.stringify(keyValues(attrs)).slice(1, -1);
}

/**
 * A span that writes its own attributes: otlpJsonAttributes() gives the
 * members of the OTLP KeyValue array as JSON (the text keyValuesJson(attributes)
 * gives) when JSON writes the span's ids and name as they are too; otherwise
 * undefined, and the span is written from its object form. The proxy's spans
 * keep the request's fields and build their attributes only here, when the
 * batch is encoded.
 */
export interface OtlpJsonAttributes {
  otlpJsonAttributes(): string | undefined;
}

function otlpSpanJson(s: Span): string {
  const own = (s as Partial<OtlpJsonAttributes>).otlpJsonAttributes;
  const attributes = typeof own === 'function' ? own.call(s) : undefined;
  const kind = s.kind;
  if (attributes === undefined || !Number.isInteger(kind)) return JSON.stringify(otlpSpan(s));
  let out =
    `{"traceId":"${s.traceId}","spanId":"${s.spanId}","name":"${s.name}","kind":${kind},"startTimeUnixNano":"${msToUnixNano(s.startMs)}",` +
    `"endTimeUnixNano":"${msToUnixNano(s.endMs)}","attributes":[${attributes}]${s.parentSpanId ? `,"parentSpanId":"${s.parentSpanId}"` : ''}`;
  if (s.error) out += s.statusMessage ? `,"status":${JSON.stringify({ code: 2, message: s.statusMessage })}` : ',"status":{"code":2}';
  return `${out}}`;
}

/** Writes strings into a growing UTF-8 buffer. */
class Utf8Writer {
  private buf: Buffer;
  private at = 0;

  constructor(sizeHint: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, sizeHint));
  }

  write(s: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const need = this.at + s.length * 3;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.at);
      this.buf = bigger;
    }
    this.at += this.buf.write(s, this.at);
  }

  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

/**
 * `JSON.stringify(encodeOtlpTraces(spans))` as UTF-8, the same bytes, written
 * directly: no OTLP object tree is built, each span's text is short-lived (it
 * goes into the buffer at once), and spans that write their own attributes
 * (OtlpJsonAttributes) never build an attribute object. `sizeHint`: the
 * expected size in bytes (the buffer grows when it is short).
 */
export function encodeOtlpTracesJson(spans: Iterable<Span>, sizeHint = 0): Buffer {
  const w = new Utf8Writer(sizeHint);
  w.write('{"resourceSpans":[');
  let firstResource = true;
  for (const [resource, scopes] of groupSpans(spans)) {
    w.write(`${firstResource ? '' : ','}{"resource":${JSON.stringify({ attributes: keyValues(resource.attributes) })},"scopeSpans":[`);
    firstResource = false;
    let firstScope = true;
    for (const [name, list] of scopes) {
      w.write(`${firstScope ? '' : ','}{"scope":${JSON.stringify({ name })},"spans":[`);
      firstScope = false;
      for (let i = 0; i < list.length; i++) w.write(i === 0 ? otlpSpanJson(list[i] as Span) : `,${otlpSpanJson(list[i] as Span)}`);
      w.write(']}');
    }
    w.write(']}');
  }
  w.write(']}');
  return w.done();
}
