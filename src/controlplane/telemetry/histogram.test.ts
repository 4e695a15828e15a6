import { describe, expect, it } from 'vitest';
import { histogramQuantile } from './histogram.js';

describe('histogramQuantile (as Prometheus histogram_quantile)', () => {
  const bounds = [10, 20, 50, 100];

  it('interpolates linearly inside the bucket that holds the rank', () => {
    // 100 observations: 40 ≤ 10, 40 in (10,20], 20 in (20,50]. Median rank 50 lies 10/40 into (10,20] → 12.5.
    expect(histogramQuantile(0.5, bounds, [40, 80, 100, 100, 100])).toBeCloseTo(12.5);
    // p95: rank 95 is 15/20 into (20,50] → 20 + 30 * 0.75 = 42.5.
    expect(histogramQuantile(0.95, bounds, [40, 80, 100, 100, 100])).toBeCloseTo(42.5);
  });

  it('starts the first bucket at 0', () => {
    expect(histogramQuantile(0.5, bounds, [10, 10, 10, 10, 10])).toBeCloseTo(5);
  });

  it('answers the highest finite bound when the rank falls into +Inf', () => {
    expect(histogramQuantile(0.99, bounds, [0, 0, 0, 50, 100])).toBe(100);
  });

  it('is null without observations and clamps out-of-range q like Prometheus', () => {
    expect(histogramQuantile(0.5, bounds, [0, 0, 0, 0, 0])).toBeNull();
    expect(histogramQuantile(-1, bounds, [1, 1, 1, 1, 1])).toBe(-Infinity);
    expect(histogramQuantile(2, bounds, [1, 1, 1, 1, 1])).toBe(Infinity);
  });

  it('repairs non-monotonic counts instead of answering nonsense', () => {
    expect(histogramQuantile(0.5, bounds, [40, 39, 100, 100, 100])).toBeGreaterThan(20);
  });
});
