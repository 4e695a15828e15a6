import { describe, expect, it } from 'vitest';
import { encodeOtlpTraces, encodeOtlpTracesJson, keyValuesJson, msToUnixNano, PROXY_SCOPE, type OtlpJsonAttributes } from './otlp-json.js';
import { SpanKind, type Span, type SpanResource } from './span.js';

const gateway: SpanResource = { attributes: { 'service.name': 'istio-ingressgateway', 'process.pid': 42 } };
const productpage: SpanResource = { attributes: { 'service.name': 'productpage', 'k8s.pod.name': 'productpage-v1-abc' } };

const T = '4bf92f3577b34da6a3ce929d0e0e4736';

const client: Span = {
  traceId: T,
  spanId: '00f067aa0ba902b7',
  name: 'productpage.demo.svc.cluster.local:9080/*',
  kind: SpanKind.CLIENT,
  startMs: 1_700_000_000_123.25,
  endMs: 1_700_000_000_125.5,
  attributes: { 'http.status_code': 503, error: true, component: 'proxy', ratio: 0.5 },
  error: true,
  resource: gateway,
};

const server: Span = {
  ...client,
  spanId: 'a2fb4a1d1a96d312',
  parentSpanId: '00f067aa0ba902b7',
  kind: SpanKind.SERVER,
  attributes: { 'http.status_code': 200 },
  error: false,
  resource: productpage,
};

describe('encodeOtlpTraces', () => {
  const req = encodeOtlpTraces([client, server, { ...client, spanId: '1111111111111111' }]);

  it('groups spans by resource, under the proxy scope', () => {
    expect(req.resourceSpans).toHaveLength(2);
    const [gw, pp] = req.resourceSpans ?? [];
    expect(gw?.resource?.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'istio-ingressgateway' } },
      { key: 'process.pid', value: { intValue: '42' } },
    ]);
    expect(gw?.scopeSpans).toHaveLength(1);
    expect(gw?.scopeSpans?.[0]?.scope).toEqual({ name: PROXY_SCOPE });
    expect(gw?.scopeSpans?.[0]?.spans).toHaveLength(2);
    expect(pp?.scopeSpans?.[0]?.spans).toHaveLength(1);
  });

  it('writes ids as hex, kind as a number, times as unixNano strings, int64 as strings and status 2 on error', () => {
    const c = req.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0];
    expect(c).toEqual({
      traceId: T,
      spanId: '00f067aa0ba902b7',
      name: 'productpage.demo.svc.cluster.local:9080/*',
      kind: 3,
      startTimeUnixNano: '1700000000123250000',
      endTimeUnixNano: '1700000000125500000',
      attributes: [
        { key: 'http.status_code', value: { intValue: '503' } },
        { key: 'error', value: { boolValue: true } },
        { key: 'component', value: { stringValue: 'proxy' } },
        { key: 'ratio', value: { doubleValue: 0.5 } },
      ],
      status: { code: 2 },
    });
    const s = req.resourceSpans?.[1]?.scopeSpans?.[0]?.spans?.[0];
    expect(s?.kind).toBe(2);
    expect(s?.parentSpanId).toBe('00f067aa0ba902b7');
    expect(s?.status).toBeUndefined();
    // What goes on the wire is plain JSON.
    expect(JSON.parse(JSON.stringify(req))).toEqual(req);
  });
});

describe('encodeOtlpTracesJson', () => {
  const odd: Span = {
    ...client,
    spanId: '2222222222222222',
    name: 'a "quoted" \\ name\n',
    statusMessage: 'bad "gateway"',
    scope: 'other-scope',
    attributes: { s: 'tab\there ünï 😀 \ud800', n: -0, big: 1e21, nan: NaN, f: 0.1, t: true, no: false },
  };

  it('writes the bytes JSON.stringify gives for encodeOtlpTraces, escapes and all', () => {
    const spans = [client, server, { ...client, spanId: '1111111111111111' }, odd];
    const body = encodeOtlpTracesJson(spans);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(body.equals(Buffer.from(JSON.stringify(encodeOtlpTraces(spans))))).toBe(true);
    expect(encodeOtlpTracesJson([]).toString()).toBe('{"resourceSpans":[]}');
  });

  it('takes the attributes a span writes itself, and grows its buffer past the size hint', () => {
    const selfWriting = (i: number): Span & OtlpJsonAttributes => ({
      ...server,
      spanId: (i + 1).toString(16).padStart(16, '0'),
      attributes: { i, path: `/p/${i}` },
      otlpJsonAttributes() {
        return keyValuesJson(this.attributes);
      },
    });
    const spans = Array.from({ length: 300 }, (_, i) => selfWriting(i));
    const body = encodeOtlpTracesJson(spans, 10);
    expect(body.toString()).toBe(JSON.stringify(encodeOtlpTraces(spans)));
    // A span that cannot vouch for its strings is written from its object form.
    const declining: Span & OtlpJsonAttributes = { ...odd, otlpJsonAttributes: () => undefined };
    expect(encodeOtlpTracesJson([declining]).toString()).toBe(JSON.stringify(encodeOtlpTraces([declining])));
  });
});

describe('msToUnixNano', () => {
  it('keeps microseconds exactly, where a double count of nanoseconds past 2^53 would not', () => {
    expect(msToUnixNano(1_700_000_000_000)).toBe('1700000000000000000');
    expect(msToUnixNano(1_700_000_000_000.001)).toBe('1700000000000001000');
    expect(msToUnixNano(1_700_000_000_000 + 0.0004)).toBe('1700000000000000000');
    expect(msToUnixNano(1_700_000_000_000 + 0.9999)).toBe('1700000000001000000');
    expect(msToUnixNano(0.25)).toBe('250000');
    expect(msToUnixNano(0)).toBe('0');
  });
});
