import { describe, expect, it } from 'vitest';
import { durationError, parseIstioDuration } from './duration.js';

describe('parseIstioDuration', () => {
  const CASES: [string, number | undefined][] = [
    ['1s', 1000], ['0.5s', 500], ['100ms', 100], ['1m', 60_000], ['1h', 3_600_000], ['1.5s', 1500],
    ['1.1s', 1100], ['1m30s', 90_000], ['250us', 0.25], ['3m', 180_000], ['.5s', 500], ['0', 0], ['0s', 0],
    ['10', undefined], ['s', undefined], ['', undefined], ['1d', undefined], ['1 s', undefined], ['5sec', undefined],
  ];
  it.each(CASES)('%j → %s', (text, ms) => {
    expect(parseIstioDuration(text)).toBe(ms);
  });
});

describe('durationError, after Istio ValidateDuration', () => {
  it.each(['1ms', '7s', '3m', '1.5s'])('takes %s', (d) => expect(durationError(d)).toBeUndefined());
  it('refuses under 1ms, finer than 1ms, and no unit', () => {
    expect(durationError('0s')).toBe('"0s" is shorter than 1ms; use at least "1ms"');
    expect(durationError('1500us')).toBe('"1500us" is finer than a millisecond; Istio supports whole milliseconds, e.g. "2ms"');
    expect(durationError('5')).toBe('"5" is not a duration; write a number with a unit, e.g. "5s", "500ms" or "1m"');
  });
  it('takes 0 where 0 means off', () => expect(durationError('0s', true)).toBeUndefined());
});
