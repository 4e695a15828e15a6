import { describe, expect, it } from 'vitest';
import { MetricsStore } from './metrics-store.js';
import { edgeLabels, series, snapshot } from './synthetic-stats.js';

const PP = { workload: 'productpage-v1', app: 'productpage', version: 'v1' };
const REVIEWS = { service: 'reviews', workload: 'reviews-v1', app: 'reviews', version: 'v1' };
const ok = edgeLabels('demo', PP, REVIEWS, 200);
const fail = edgeLabels('demo', PP, REVIEWS, 503);
const T = 1_700_000_000_000;

describe('MetricsStore', () => {
  it('answers rates over a window from the difference of cumulative snapshots', () => {
    const m = new MetricsStore();
    // 10 req/s for 60 s, 1 in 10 failing.
    for (let i = 0; i <= 30; i++) {
      const t = T + i * 2000;
      m.add('p', snapshot(t, T - 1000, [series(ok, 18 * i, 20), series(fail, 2 * i, 20)]));
    }
    const [row] = m.traffic({ windowMs: 60_000, endMs: T + 60_000, groupBy: ['destination_workload'] });
    expect(row?.labels).toEqual({ destination_workload: 'reviews-v1' });
    expect(row?.rps).toBeCloseTo(10);
    expect(row?.rps5xx).toBeCloseTo(1);
    expect(row?.rps4xx).toBe(0);
    // Every request took 20 ms: bucket (10, 25] → the median interpolates to 17.5.
    expect(row?.p50).toBeCloseTo(17.5);
    // A 10 s window sees the same rate.
    expect(m.traffic({ windowMs: 10_000, endMs: T + 60_000, groupBy: [] })[0]?.rps).toBeCloseTo(10);
  });

  it('counts across a proxy restart (startMs changes) without a negative or doubled rate', () => {
    const m = new MetricsStore();
    // 5 req/s; the proxy restarts at T+30s and counts from zero again.
    for (let i = 0; i <= 15; i++) m.add('p', snapshot(T + i * 2000, T, [series(ok, 10 * i, 5)]));
    for (let i = 16; i <= 30; i++) m.add('p', snapshot(T + i * 2000, T + 31_000, [series(ok, 10 * (i - 15) - 5, 5)]));
    const [row] = m.traffic({ windowMs: 60_000, endMs: T + 60_000, groupBy: [] });
    // 150 before the restart, 145 after: 295 requests in 60 s.
    expect(row?.rps).toBeCloseTo(295 / 60);
  });

  it('treats a counter lower than its base as a reset even when startMs did not change', () => {
    const m = new MetricsStore();
    m.add('p', snapshot(T, T - 10_000, [series(ok, 100, 5)]));
    m.add('p', snapshot(T + 10_000, T - 10_000, [series(ok, 20, 5)]));
    expect(m.traffic({ windowMs: 10_000, endMs: T + 10_000, groupBy: [] })[0]?.rps).toBeCloseTo(2);
  });

  it('counts a proxy that started inside the window from zero', () => {
    const m = new MetricsStore();
    m.add('p', snapshot(T + 50_000, T + 40_000, [series(ok, 100, 5)]));
    m.add('p', snapshot(T + 60_000, T + 40_000, [series(ok, 200, 5)]));
    expect(m.traffic({ windowMs: 60_000, endMs: T + 60_000, groupBy: [] })[0]?.rps).toBeCloseTo(10);
  });

  it('stays bounded: fine samples for the fine window, then one per 10 s up to an hour', () => {
    const m = new MetricsStore({ fineMs: 60_000, coarseStepMs: 10_000, retainMs: 600_000 });
    for (let i = 0; i <= 1000; i++) m.add('p', snapshot(T + i * 2000, T, [series(ok, i, 5)]));
    const n = m.sampleCount('p');
    expect(n.fine).toBeLessThanOrEqual(31);
    expect(n.coarse).toBeLessThanOrEqual(61);
    // A 5 min window far back still answers from coarse samples: 0.5 req/s.
    expect(m.traffic({ windowMs: 300_000, endMs: T + 2_000_000, groupBy: [] })[0]?.rps).toBeCloseTo(0.5);
  });

  it('sums proxies and filters by label matchers', () => {
    const m = new MetricsStore();
    for (const p of ['a', 'b']) {
      m.add(p, snapshot(T, T - 1000, [series(ok, 0, 5), series(fail, 0, 5)]));
      m.add(p, snapshot(T + 10_000, T - 1000, [series(ok, 10, 5), series(fail, 10, 5)]));
    }
    expect(m.traffic({ windowMs: 10_000, endMs: T + 10_000, groupBy: [] })[0]?.rps).toBeCloseTo(4);
    const only503 = m.traffic({ windowMs: 10_000, endMs: T + 10_000, groupBy: ['response_code'], match: { response_code: ['503', '504'] } });
    expect(only503).toHaveLength(1);
    expect(only503[0]?.rps5xx).toBeCloseTo(2);
  });
});
