/**
 * OTLP traces in protobuf (OTLP/HTTP with `application/x-protobuf`): a small
 * reader of the protobuf wire format (protobuf.dev/programming-guides/encoding)
 * for exactly the messages of opentelemetry/proto/collector/trace/v1 and
 * trace/v1, decoded into the same shape as the JSON encoding so both share one
 * converter. Unknown fields are skipped, as protobuf requires.
 *
 * Written here rather than taken from protobufjs + generated code: the OTLP
 * trace schema is small and stable, the reader is ~150 lines with no code
 * generation step, and it adds no runtime dependency to the control plane.
 */
import { badRequest } from '../../api/errors.js';
import type { OtlpAnyValue, OtlpKeyValue, OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpTraceRequest } from './otlp-json.js';

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a bigint (64 bits, unsigned). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw badRequest('protobuf: varint longer than 10 bytes');
  }

  /** A varint that fits in 32 bits (tags, lengths, enums, bools). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++] as number;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw badRequest('protobuf: varint longer than 10 bytes');
  }

  fixed64(): bigint {
    const v = this.view().getBigUint64(this.take(8), true);
    return v;
  }

  double(): number {
    return this.view().getFloat64(this.take(8), true);
  }

  bytes(): Uint8Array {
    const len = this.varint();
    const start = this.take(len);
    return this.buf.subarray(start, start + len);
  }

  /** A sub-reader over a length-delimited field (an embedded message). */
  message(): Reader {
    const len = this.varint();
    const start = this.take(len);
    const r = new Reader(this.buf, start + len);
    r.pos = start;
    return r;
  }

  string(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }

  skip(wire: number): void {
    if (wire === VARINT) this.varintBig();
    else if (wire === I64) this.take(8);
    else if (wire === LEN) this.take(this.varint());
    else if (wire === I32) this.take(4);
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }

  /** Iterates the fields of this message: calls fn(field, wireType) for each. */
  fields(fn: (field: number, wire: number) => void): void {
    while (!this.done) {
      const key = this.varint();
      fn(Math.floor(key / 8), key & 7);
    }
  }

  private take(n: number): number {
    const start = this.pos;
    if (start + n > this.end) throw badRequest('protobuf: field runs past the end of its message');
    this.pos += n;
    return start;
  }

  private view(): DataView {
    return new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function anyValue(r: Reader): OtlpAnyValue {
  const v: OtlpAnyValue = {};
  r.fields((f, w) => {
    if (f === 1 && w === LEN) v.stringValue = r.string();
    else if (f === 2 && w === VARINT) v.boolValue = r.varint() !== 0;
    else if (f === 3 && w === VARINT) v.intValue = BigInt.asIntN(64, r.varintBig()).toString();
    else if (f === 4 && w === I64) v.doubleValue = r.double();
    else if (f === 5 && w === LEN) {
      const values: OtlpAnyValue[] = [];
      const a = r.message();
      a.fields((ff, ww) => (ff === 1 && ww === LEN ? values.push(anyValue(a.message())) : a.skip(ww)));
      v.arrayValue = { values };
    } else if (f === 6 && w === LEN) {
      const values: OtlpKeyValue[] = [];
      const l = r.message();
      l.fields((ff, ww) => (ff === 1 && ww === LEN ? values.push(keyValue(l.message())) : l.skip(ww)));
      v.kvlistValue = { values };
    } else if (f === 7 && w === LEN) v.bytesValue = Buffer.from(r.bytes()).toString('base64');
    else r.skip(w);
  });
  return v;
}

function keyValue(r: Reader): OtlpKeyValue {
  const kv: OtlpKeyValue = { key: '' };
  r.fields((f, w) => {
    if (f === 1 && w === LEN) kv.key = r.string();
    else if (f === 2 && w === LEN) kv.value = anyValue(r.message());
    else r.skip(w);
  });
  return kv;
}

function span(r: Reader): OtlpSpan {
  const s: OtlpSpan = { attributes: [], events: [] };
  r.fields((f, w) => {
    if (f === 1 && w === LEN) s.traceId = hex(r.bytes());
    else if (f === 2 && w === LEN) s.spanId = hex(r.bytes());
    else if (f === 3 && w === LEN) s.traceState = r.string();
    else if (f === 4 && w === LEN) {
      const p = r.bytes();
      if (p.length > 0) s.parentSpanId = hex(p);
    } else if (f === 5 && w === LEN) s.name = r.string();
    else if (f === 6 && w === VARINT) s.kind = r.varint();
    else if (f === 7 && w === I64) s.startTimeUnixNano = r.fixed64().toString();
    else if (f === 8 && w === I64) s.endTimeUnixNano = r.fixed64().toString();
    else if (f === 9 && w === LEN) s.attributes?.push(keyValue(r.message()));
    else if (f === 11 && w === LEN) {
      const e = r.message();
      const ev: { timeUnixNano?: string; name?: string; attributes: OtlpKeyValue[] } = { attributes: [] };
      e.fields((ff, ww) => {
        if (ff === 1 && ww === I64) ev.timeUnixNano = e.fixed64().toString();
        else if (ff === 2 && ww === LEN) ev.name = e.string();
        else if (ff === 3 && ww === LEN) ev.attributes.push(keyValue(e.message()));
        else e.skip(ww);
      });
      s.events?.push(ev);
    } else if (f === 15 && w === LEN) {
      const st = r.message();
      const status: { code?: number; message?: string } = {};
      st.fields((ff, ww) => {
        if (ff === 2 && ww === LEN) status.message = st.string();
        else if (ff === 3 && ww === VARINT) status.code = st.varint();
        else st.skip(ww);
      });
      s.status = status;
    } else r.skip(w);
  });
  return s;
}

function scopeSpans(r: Reader): OtlpScopeSpans {
  const ss: OtlpScopeSpans = { spans: [] };
  r.fields((f, w) => {
    if (f === 1 && w === LEN) {
      const sc = r.message();
      const scope: { name?: string; version?: string } = {};
      sc.fields((ff, ww) => {
        if (ff === 1 && ww === LEN) scope.name = sc.string();
        else if (ff === 2 && ww === LEN) scope.version = sc.string();
        else sc.skip(ww);
      });
      ss.scope = scope;
    } else if (f === 2 && w === LEN) ss.spans?.push(span(r.message()));
    else r.skip(w);
  });
  return ss;
}

function resourceSpans(r: Reader): OtlpResourceSpans {
  const rs: OtlpResourceSpans = { scopeSpans: [] };
  r.fields((f, w) => {
    if (f === 1 && w === LEN) {
      const res = r.message();
      const attrs: OtlpKeyValue[] = [];
      res.fields((ff, ww) => (ff === 1 && ww === LEN ? attrs.push(keyValue(res.message())) : res.skip(ww)));
      rs.resource = { attributes: attrs };
    } else if ((f === 2 || f === 1000) && w === LEN) {
      // 1000: the deprecated instrumentation_library_spans, same layout.
      rs.scopeSpans?.push(scopeSpans(r.message()));
    } else r.skip(w);
  });
  return rs;
}

/** Decodes an ExportTraceServiceRequest from protobuf bytes. */
export function decodeOtlpProto(buf: Uint8Array): OtlpTraceRequest {
  const r = new Reader(buf);
  const out: OtlpResourceSpans[] = [];
  r.fields((f, w) => (f === 1 && w === LEN ? out.push(resourceSpans(r.message())) : r.skip(w)));
  return { resourceSpans: out };
}
