import { describe, expect, it } from 'vitest';
import { hypergeometricUpperTail, worseThanBaseline } from './fisher.js';

describe("Fisher's exact test, one-sided", () => {
  it('matches the hypergeometric tail summed exactly', () => {
    // Exact values from the binomial coefficients (Python's math.comb).
    expect(worseThanBaseline({ requests: 100, errors: 9 }, { requests: 100, errors: 1 })).toBeCloseTo(0.009243839938738183, 12);
    expect(worseThanBaseline({ requests: 100, errors: 12 }, { requests: 100, errors: 10 })).toBeCloseTo(0.41087425817549955, 12);
    expect(hypergeometricUpperTail(30, 5, 10, 4)).toBeCloseTo(0.031240789861479518, 12);
  });

  it('gives 1 when the canary has no errors or nothing can be told apart, and stays finite on large counts', () => {
    expect(worseThanBaseline({ requests: 50, errors: 0 }, { requests: 50, errors: 5 })).toBe(1);
    expect(worseThanBaseline({ requests: 10, errors: 0 }, { requests: 0, errors: 0 })).toBe(1);
    const p = worseThanBaseline({ requests: 20_000, errors: 260 }, { requests: 80_000, errors: 800 });
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(0.01);
  });
});
