import { describe, expect, it } from 'vitest';
import { decideSampling, keepAtTail, nonNegativeFromEnv, samplingFromEnv, TraceBudget } from './sampling.js';

describe('decideSampling', () => {
  it('keeps the caller’s decision, whatever governance says', () => {
    expect(decideSampling(true, false, false, 0)).toBe(true);
    expect(decideSampling(false, false, true, 100)).toBe(false);
  });

  it('samples B3 debug requests always', () => {
    expect(decideSampling(false, true, false, 0)).toBe(true);
  });

  it('starts no trace when governance is off', () => {
    expect(decideSampling(undefined, undefined, false, 100)).toBe(false);
  });

  it('samples new traces at the rate when governance is on', () => {
    expect(decideSampling(undefined, undefined, true, 100, 0.999)).toBe(true);
    expect(decideSampling(undefined, undefined, true, 0, 0)).toBe(false);
    expect(decideSampling(undefined, undefined, true, 25, 0.2)).toBe(true);
    expect(decideSampling(undefined, undefined, true, 25, 0.3)).toBe(false);
  });
});

describe('samplingFromEnv', () => {
  it('reads 0-100, clamps, and falls back to 100 for absent or malformed values', () => {
    expect(samplingFromEnv(undefined)).toBe(100);
    expect(samplingFromEnv('')).toBe(100);
    expect(samplingFromEnv('abc')).toBe(100);
    expect(samplingFromEnv('12.5')).toBe(12.5);
    expect(samplingFromEnv('150')).toBe(100);
    expect(samplingFromEnv('-3')).toBe(0);
  });
});

describe('TraceBudget', () => {
  it('samples up to perSecond new traces per service per second, each service on its own', () => {
    let now = 0;
    const budget = new TraceBudget({ perSecond: 10, fallbackPercent: 0, now: () => now });
    const a = Array.from({ length: 15 }, () => budget.sample('a', 100));
    expect(a.filter(Boolean)).toHaveLength(10);
    expect(a.slice(0, 10).every(Boolean)).toBe(true);
    expect(budget.sample('b', 100)).toBe(true);
    now += 500;
    expect(Array.from({ length: 10 }, () => budget.sample('a', 100)).filter(Boolean)).toHaveLength(5);
    now += 10_000;
    // Refilled to one second's worth, no more.
    expect(Array.from({ length: 20 }, () => budget.sample('a', 100)).filter(Boolean)).toHaveLength(10);
  });

  it('beyond the budget samples at the fallback; the configured rate still applies within it; 0 is no budget', () => {
    const budget = new TraceBudget({ perSecond: 1, fallbackPercent: 100, now: () => 0 });
    expect(budget.sample('a', 100)).toBe(true);
    expect(budget.sample('a', 100)).toBe(true);
    const none = new TraceBudget({ perSecond: 1, fallbackPercent: 0, now: () => 0 });
    expect(none.sample('a', 25, 0.3)).toBe(false);
    expect(none.sample('a', 25, 0.2)).toBe(true);
    expect(none.sample('a', 25, 0.2)).toBe(false);
    expect(none.sample('a', 0, 0)).toBe(false);
    const unlimited = new TraceBudget({ perSecond: 0, now: () => 0 });
    expect(Array.from({ length: 1000 }, () => unlimited.sample('a', 100)).every(Boolean)).toBe(true);
  });
});

describe('keepAtTail', () => {
  it('keeps 5xx, any response flag, and requests at or over the slow threshold', () => {
    expect(keepAtTail(503, '-', 1, 1000)).toBe(true);
    expect(keepAtTail(404, 'NR', 1, 1000)).toBe(true);
    expect(keepAtTail(200, '-', 1000, 1000)).toBe(true);
    expect(keepAtTail(200, '-', 999, 1000)).toBe(false);
    expect(keepAtTail(200, '-', 5000, 0)).toBe(false);
  });
});

describe('nonNegativeFromEnv', () => {
  it('reads a non-negative number, else the fallback', () => {
    expect(nonNegativeFromEnv('0', 100)).toBe(0);
    expect(nonNegativeFromEnv('250', 100)).toBe(250);
    expect(nonNegativeFromEnv('-1', 100)).toBe(100);
    expect(nonNegativeFromEnv('x', 100)).toBe(100);
    expect(nonNegativeFromEnv(undefined, 100)).toBe(100);
  });
});
