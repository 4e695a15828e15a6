import { describe, expect, it } from 'vitest';
import { buildWaterfall, parentsOf, timeTicks } from './waterfall';

const T0 = Date.parse('2026-01-01T00:00:00Z');
/** One page load: the gateway's server span, productpage calling details then reviews, reviews calling ratings. */
const SPANS = [
  { spanId: 'reviews-srv', parentSpanId: 'pp-srv', start: T0 + 30, durationMs: 50, service: 'reviews', operation: 'GET /reviews/0' },
  { spanId: 'gw', parentSpanId: null, start: T0, durationMs: 100, service: 'istio-ingressgateway', operation: 'GET /productpage' },
  { spanId: 'pp-srv', parentSpanId: 'gw', start: T0 + 2, durationMs: 95, service: 'productpage', operation: 'GET /productpage' },
  { spanId: 'details-srv', parentSpanId: 'pp-srv', start: T0 + 5, durationMs: 20, service: 'details', operation: 'GET /details/0' },
  { spanId: 'ratings-srv', parentSpanId: 'reviews-srv', start: new Date(T0 + 40).toISOString(), durationMs: 10, service: 'ratings', operation: 'GET /ratings/0' },
];

describe('trace waterfall', () => {
  it('orders spans as a tree, children by start time', () => {
    const w = buildWaterfall(SPANS);
    expect(w.rows.map((r) => [r.span.spanId, r.depth])).toEqual([
      ['gw', 0],
      ['pp-srv', 1],
      ['details-srv', 2],
      ['reviews-srv', 2],
      ['ratings-srv', 3],
    ]);
    expect(w.durationMs).toBe(100);
    expect(w.maxDepth).toBe(3);
  });

  it('places bars as shares of the whole trace', () => {
    const w = buildWaterfall(SPANS);
    const reviews = w.rows.find((r) => r.span.spanId === 'reviews-srv')!;
    expect(reviews.offsetMs).toBe(30);
    expect(reviews.leftPct).toBeCloseTo(30);
    expect(reviews.widthPct).toBeCloseTo(50);
    expect(w.rows[0]!.childCount).toBe(1);
  });

  it('hides what a collapsed span holds, and shows it collapsed', () => {
    const w = buildWaterfall(SPANS, new Set(['pp-srv']));
    expect(w.rows.map((r) => r.span.spanId)).toEqual(['gw', 'pp-srv']);
    expect(w.rows[1]!.collapsed).toBe(true);
    expect(w.total).toBe(5);
  });

  it('makes a span whose parent is missing a root, and keeps a 0 ms span visible', () => {
    const w = buildWaterfall([
      { spanId: 'a', parentSpanId: 'lost', start: T0, durationMs: 0, service: 's', operation: 'o' },
      { spanId: 'b', start: T0 + 10, durationMs: 10, service: 's', operation: 'o' },
    ]);
    expect(w.rows.map((r) => r.depth)).toEqual([0, 0]);
    expect(w.rows[0]!.widthPct).toBeGreaterThan(0);
  });

  it('does not loop on a span that is its own parent', () => {
    const w = buildWaterfall([{ spanId: 'a', parentSpanId: 'a', start: T0, durationMs: 1, service: 's', operation: 'o' }]);
    expect(w.rows).toHaveLength(1);
  });

  it('lists the spans that can collapse', () => {
    expect([...parentsOf(SPANS)].sort()).toEqual(['gw', 'pp-srv', 'reviews-srv']);
  });

  it('ticks the time axis at round values', () => {
    expect(timeTicks(100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(timeTicks(7)).toEqual([0, 2, 4, 6]);
    expect(timeTicks(0)).toEqual([0]);
  });
});
