import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit.js';

describe('FailureLimiter', () => {
  it('refuses past the limit until the oldest failure leaves the window', () => {
    const l = new FailureLimiter({ limit: 3, windowMs: 60_000 });
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter('u', t0 + i)).toBe(0);
      l.fail('u', t0 + i);
    }
    // The oldest failure (t0) leaves the window at t0 + 60 s.
    expect(l.retryAfter('u', t0 + 10)).toBe(60);
    expect(l.retryAfter('u', t0 + 30_000)).toBe(30);
    expect(l.retryAfter('u', t0 + 60_001)).toBe(0);
    expect(l.retryAfter('other', t0)).toBe(0);
  });

  it('forgets a key on clear, and bounds the keys it remembers', () => {
    const l = new FailureLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2 });
    l.fail('a', 1);
    l.clear('a');
    expect(l.retryAfter('a', 2)).toBe(0);
    l.fail('a', 1);
    l.fail('b', 1);
    l.fail('c', 1);
    // a was the stalest and is forgotten; b and c are remembered.
    expect(l.retryAfter('a', 2)).toBe(0);
    expect(l.retryAfter('b', 2)).toBeGreaterThan(0);
    expect(l.retryAfter('c', 2)).toBeGreaterThan(0);
  });
});
