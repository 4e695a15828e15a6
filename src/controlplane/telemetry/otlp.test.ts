import { describe, expect, it } from 'vitest';
import { spansFromOtlp, spansToOtlp, type OtlpTraceRequest } from './otlp-json.js';
import { decodeOtlpProto } from './otlp-proto.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const PARENT = 'eee19b7ec3c1b173';

/** One proxy span in OTLP JSON, as the OTLP spec's example writes it. */
const json: OtlpTraceRequest = {
  resourceSpans: [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'reviews' } },
          { key: 'k8s.pod.name', value: { stringValue: 'reviews-v2-abcde-fghij' } },
          { key: 'k8s.namespace.name', value: { stringValue: 'demo' } },
          { key: 'process.pid', value: { intValue: '4242' } },
        ],
      },
      scopeSpans: [
        {
          scope: { name: 'graymesh-proxy' },
          spans: [
            {
              traceId: TRACE,
              spanId: SPAN,
              parentSpanId: PARENT,
              name: 'reviews.demo.svc.cluster.local:9080/*',
              kind: 2,
              startTimeUnixNano: '1714557600000000000',
              endTimeUnixNano: '1714557600012345000',
              attributes: [
                { key: 'http.status_code', value: { intValue: 503 } },
                { key: 'http.method', value: { stringValue: 'GET' } },
                { key: 'ratio', value: { doubleValue: 0.5 } },
                { key: 'retry', value: { boolValue: true } },
                { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } },
              ],
              status: { code: 2, message: 'upstream failed' },
            },
          ],
        },
      ],
    },
  ],
};

describe('OTLP JSON', () => {
  it('decodes ids, µs times, typed attributes, resource, kind and error status', () => {
    const [s] = spansFromOtlp(json);
    expect(s).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: PARENT,
      service: 'reviews',
      operation: 'reviews.demo.svc.cluster.local:9080/*',
      kind: 'server',
      startUs: 1714557600000000,
      durationUs: 12345,
      namespace: 'demo',
      error: true,
    });
    expect(s?.tags).toMatchObject({ 'http.status_code': 503, 'http.method': 'GET', ratio: 0.5, retry: true, list: '["a",2]', error: true });
    expect(s?.resource['process.pid']).toBe(4242);
  });

  it('accepts base64 ids, enum names and the old instrumentationLibrarySpans', () => {
    const spans = spansFromOtlp({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'app' } }] },
          instrumentationLibrarySpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(TRACE, 'hex').toString('base64'),
                  spanId: Buffer.from(SPAN, 'hex').toString('base64'),
                  name: 'op',
                  kind: 'SPAN_KIND_CLIENT',
                  startTimeUnixNano: 1714557600000000000,
                  endTimeUnixNano: 1714557600001000000,
                  status: { code: 'STATUS_CODE_OK' },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(spans[0]).toMatchObject({ traceId: TRACE, spanId: SPAN, parentSpanId: '', kind: 'client', error: false });
  });

  it('refuses a span without ids, and a body that is not a request', () => {
    expect(() => spansFromOtlp({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }] }] }] })).toThrow(/traceId and spanId/);
    expect(() => spansFromOtlp({ resourceSpans: 'x' } as never)).toThrow(/ExportTraceServiceRequest/);
  });

  it('round-trips through the exporter encoding', () => {
    const spans = spansFromOtlp(json);
    const again = spansFromOtlp(spansToOtlp(spans));
    expect(again[0]).toMatchObject({ traceId: TRACE, spanId: SPAN, durationUs: 12345, error: true, service: 'reviews' });
  });
});

// A minimal protobuf writer for the test: tags, varints, fixed64, length-delimited fields.
const varint = (n: bigint): number[] => {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
};
const tag = (field: number, wire: number): number[] => varint(BigInt(field * 8 + wire));
const len = (field: number, bytes: number[] | Buffer): number[] => [...tag(field, 2), ...varint(BigInt(bytes.length)), ...bytes];
const str = (field: number, s: string): number[] => len(field, Buffer.from(s));
const fixed64 = (field: number, v: bigint): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return [...tag(field, 1), ...b];
};
const kv = (key: string, value: number[]): number[] => [...str(1, key), ...len(2, value)];

describe('OTLP protobuf', () => {
  it('decodes an ExportTraceServiceRequest into the same spans as JSON', () => {
    const attrs = [
      len(9, kv('http.status_code', [...tag(3, 0), ...varint(503n)])),
      len(9, kv('http.method', str(1, 'GET'))),
      len(9, kv('neg', [...tag(3, 0), ...varint(-5n)])),
      len(9, kv('d', [...tag(4, 1), ...(() => { const b = Buffer.alloc(8); b.writeDoubleLE(0.5); return [...b]; })()])),
      len(9, kv('b', [...tag(2, 0), 1])),
    ].flat();
    const span = [
      ...len(1, Buffer.from(TRACE, 'hex')),
      ...len(2, Buffer.from(SPAN, 'hex')),
      ...len(4, Buffer.from(PARENT, 'hex')),
      ...str(5, 'GET /reviews'),
      ...tag(6, 0), 2,
      ...fixed64(7, 1714557600000000000n),
      ...fixed64(8, 1714557600012345000n),
      ...attrs,
      // An unknown field (99, varint) must be skipped.
      ...tag(99, 0), ...varint(7n),
      ...len(15, [...str(2, 'boom'), ...tag(3, 0), 2]),
    ];
    const scope = [...len(1, str(1, 'graymesh-proxy')), ...len(2, span)];
    const resource = len(1, len(1, kv('service.name', str(1, 'reviews'))));
    const request = Buffer.from(len(1, [...resource, ...len(2, scope)]));
    const [s] = spansFromOtlp(decodeOtlpProto(request));
    expect(s).toMatchObject({ traceId: TRACE, spanId: SPAN, parentSpanId: PARENT, service: 'reviews', kind: 'server', durationUs: 12345, error: true });
    expect(s?.tags).toMatchObject({ 'http.status_code': 503, 'http.method': 'GET', neg: -5, d: 0.5, b: true, 'otel.status_description': 'boom' });
  });

  it('refuses truncated input', () => {
    expect(() => decodeOtlpProto(Buffer.from([0x0a, 0x10, 0x01]))).toThrow(/protobuf/);
  });
});
