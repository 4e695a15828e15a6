import { describe, expect, it } from 'vitest';
import { newSpanId, newTraceId } from './ids.js';
import { readTraceContext, writeTraceContext, type TraceFields } from './trace-context.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const P = 'a2fb4a1d1a96d312';

function read(h: Record<string, string | string[]>): TraceFields & { found: boolean } {
  const into: TraceFields = {};
  const found = readTraceContext(h, into);
  return { ...into, found };
}

/** Keeps only the headers of one format, as a caller speaking only that format would send them. */
function only(h: Record<string, string | string[] | undefined>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (typeof h[n] === 'string') out[n] = h[n] as string;
  return out;
}

describe('readTraceContext: W3C traceparent', () => {
  it('reads trace id, parent span id, the sampled flag and tracestate', () => {
    const r = read({ traceparent: `00-${T}-${S}-01`, tracestate: 'congo=t61rcWkgMzE' });
    expect(r).toMatchObject({ found: true, traceId: T, parentSpanId: S, sampled: true, tracestate: 'congo=t61rcWkgMzE' });
  });

  it('reads flags 00 as a decision not to sample (not as "undecided")', () => {
    expect(read({ traceparent: `00-${T}-${S}-00` }).sampled).toBe(false);
  });

  it('accepts a later version with extra fields (§3.2.4), reading only what version 00 defines', () => {
    expect(read({ traceparent: `01-${T}-${S}-01-extra` })).toMatchObject({ found: true, traceId: T });
  });

  it.each([
    ['uppercase hex', `00-${T.toUpperCase()}-${S}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${S}-01`],
    ['all-zero span id', `00-${T}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${T}-${S}-01`],
    ['version 00 with trailing data', `00-${T}-${S}-01-x`],
    ['short trace id', `00-${T.slice(1)}-${S}-01`],
    ['non-hex flags', `00-${T}-${S}-0x`],
    ['wrong separators', `00_${T}_${S}_01`],
    ['empty', ''],
  ])('ignores a malformed traceparent (%s), and its tracestate with it', (_what, tp) => {
    const r = read({ traceparent: tp, tracestate: 'a=b' });
    expect(r.found).toBe(false);
    expect(r.traceId).toBeUndefined();
    expect(r.tracestate).toBeUndefined();
  });

  it('ignores a repeated traceparent (ambiguous) and falls back to B3', () => {
    const r = read({ traceparent: [`00-${T}-${S}-01`, `00-${T}-${P}-01`], 'x-b3-traceid': T, 'x-b3-spanid': P, 'x-b3-sampled': '0' });
    expect(r).toMatchObject({ found: true, parentSpanId: P, sampled: false });
  });

  it('prefers W3C when both W3C and B3 are present', () => {
    const r = read({ traceparent: `00-${T}-${S}-01`, b3: `${T}-${P}-0`, 'x-b3-traceid': T, 'x-b3-spanid': P });
    expect(r).toMatchObject({ parentSpanId: S, sampled: true });
  });
});

describe('readTraceContext: B3', () => {
  it('reads multi headers with a 128-bit trace id', () => {
    expect(read({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-parentspanid': P, 'x-b3-sampled': '1' })).toMatchObject({
      found: true,
      traceId: T,
      parentSpanId: S,
      sampled: true,
      debug: false,
    });
  });

  it('left-pads a 64-bit trace id to 128 bits (W3C interop)', () => {
    expect(read({ 'x-b3-traceid': S, 'x-b3-spanid': P }).traceId).toBe(`0000000000000000${S}`);
  });

  it('leaves sampling undecided when x-b3-sampled is absent, and reads the legacy true/false', () => {
    expect(read({ 'x-b3-traceid': T, 'x-b3-spanid': S }).sampled).toBeUndefined();
    expect(read({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': 'true' }).sampled).toBe(true);
    expect(read({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': 'false' }).sampled).toBe(false);
  });

  it('treats x-b3-flags: 1 as debug, which implies sampled', () => {
    expect(read({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-flags': '1', 'x-b3-sampled': '0' })).toMatchObject({ sampled: true, debug: true });
  });

  it('keeps a bare sampling decision without ids (x-b3-sampled: 0 denies tracing)', () => {
    expect(read({ 'x-b3-sampled': '0' })).toMatchObject({ found: false, traceId: undefined, sampled: false });
    expect(read({ b3: '0' })).toMatchObject({ found: false, sampled: false });
    expect(read({ b3: 'd' })).toMatchObject({ found: false, sampled: true, debug: true });
  });

  it.each([
    ['uppercase trace id', { 'x-b3-traceid': T.toUpperCase(), 'x-b3-spanid': S }],
    ['24-digit trace id', { 'x-b3-traceid': T.slice(8), 'x-b3-spanid': S }],
    ['missing span id', { 'x-b3-traceid': T }],
    ['zero span id', { 'x-b3-traceid': T, 'x-b3-spanid': '0'.repeat(16) }],
  ])('ignores malformed multi headers (%s)', (_what, h) => {
    expect(read(h).found).toBe(false);
    expect(read(h).traceId).toBeUndefined();
  });

  it('reads the single header with and without sampling state and parent', () => {
    expect(read({ b3: `${T}-${S}` })).toMatchObject({ found: true, traceId: T, parentSpanId: S, sampled: undefined });
    expect(read({ b3: `${T}-${S}-1` })).toMatchObject({ sampled: true, debug: false });
    expect(read({ b3: `${T}-${S}-d-${P}` })).toMatchObject({ sampled: true, debug: true });
    expect(read({ b3: `${S}-${P}-0` })).toMatchObject({ traceId: `0000000000000000${S}`, sampled: false });
  });

  it.each([`${T}`, `${T}-${S}-x`, `${T}-${S}-1-zz`, `${T}-${S}-1-${P}-extra`, `${T}--1`])('ignores a malformed single header %s', (b3) => {
    expect(read({ b3 }).found).toBe(false);
  });

  it('prefers the single header over the multi headers, as B3 specifies', () => {
    expect(read({ b3: `${T}-${S}-1`, 'x-b3-traceid': T, 'x-b3-spanid': P, 'x-b3-sampled': '0' })).toMatchObject({ parentSpanId: S, sampled: true });
  });

  it('clears fields left from an earlier request', () => {
    const into: TraceFields = { traceId: T, parentSpanId: S, sampled: true, debug: true, tracestate: 'x=y' };
    expect(readTraceContext({}, into)).toBe(false);
    expect(into).toEqual({ traceId: undefined, parentSpanId: undefined, sampled: undefined, debug: undefined, tracestate: undefined });
  });
});

describe('writeTraceContext', () => {
  it('writes every format with one trace id, the forwarding span as parent and its parent in x-b3-parentspanid', () => {
    const h: Record<string, string | string[] | undefined> = { 'x-b3-flags': '1', tracestate: 'stale=1' };
    writeTraceContext(h, { traceId: T, spanId: S, parentSpanId: P, sampled: true });
    expect(h).toEqual({
      traceparent: `00-${T}-${S}-01`,
      'x-b3-traceid': T,
      'x-b3-spanid': S,
      'x-b3-parentspanid': P,
      'x-b3-sampled': '1',
      b3: `${T}-${S}-1-${P}`,
    });
  });

  it('writes an unsampled decision as flags 00, x-b3-sampled: 0 and b3 state 0', () => {
    const h: Record<string, string | string[] | undefined> = {};
    writeTraceContext(h, { traceId: T, spanId: S, sampled: false, tracestate: 'k=v' });
    expect(h).toMatchObject({ traceparent: `00-${T}-${S}-00`, 'x-b3-sampled': '0', b3: `${T}-${S}-0`, tracestate: 'k=v' });
    expect(h['x-b3-parentspanid']).toBeUndefined();
  });

  it('passes debug on as x-b3-flags: 1 (without x-b3-sampled) and b3 state d', () => {
    const h: Record<string, string | string[] | undefined> = { 'x-b3-sampled': '0' };
    writeTraceContext(h, { traceId: T, spanId: S, sampled: true, debug: true });
    expect(h).toMatchObject({ 'x-b3-flags': '1', b3: `${T}-${S}-d`, traceparent: `00-${T}-${S}-01` });
    expect(h['x-b3-sampled']).toBeUndefined();
  });

  it.each([
    ['W3C', ['traceparent', 'tracestate']],
    ['B3 multi', ['x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags']],
    ['B3 single', ['b3']],
  ])('round-trips through %s alone: the next hop reads the same trace, parent and decision', (_fmt, names) => {
    for (const [sampled, debug] of [
      [true, false],
      [false, false],
      [true, true],
    ] as const) {
      const traceId = newTraceId();
      const spanId = newSpanId();
      const h: Record<string, string | string[] | undefined> = {};
      writeTraceContext(h, { traceId, spanId, parentSpanId: newSpanId(), sampled, debug, tracestate: 'vendor=1' });
      const r = read(only(h, names));
      expect(r).toMatchObject({ found: true, traceId, parentSpanId: spanId, sampled });
      // W3C has no debug flag: debug survives only through B3.
      if (names.includes('b3') || names.includes('x-b3-flags')) expect(r.debug).toBe(debug);
      if (names.includes('tracestate')) expect(r.tracestate).toBe('vendor=1');
    }
  });

  it('turns a B3 context into W3C and back with the trace id unchanged (64-bit ids padded once)', () => {
    const first = read({ 'x-b3-traceid': S, 'x-b3-spanid': P, 'x-b3-sampled': '1' });
    const h: Record<string, string | string[] | undefined> = {};
    writeTraceContext(h, { traceId: first.traceId as string, spanId: newSpanId(), parentSpanId: first.parentSpanId, sampled: first.sampled === true });
    const again = read(only(h, ['traceparent']));
    expect(again.traceId).toBe(`0000000000000000${S}`);
    expect(read(only(h, ['x-b3-traceid', 'x-b3-spanid'])).traceId).toBe(again.traceId);
  });
});

describe('ids', () => {
  it('are lowercase hex of the right length, distinct, never zero', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const t = newTraceId();
      const s = newSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      seen.add(s);
    }
    expect(seen.size).toBe(5000);
  });
});
