import { describe, expect, it } from 'vitest';
import { parseDuration, parseInstantUs } from './duration.js';

describe('durations and instants', () => {
  it('reads Go-style durations into ms', () => {
    expect(parseDuration('100ms', 'x')).toBe(100);
    expect(parseDuration('1.5s', 'x')).toBe(1500);
    expect(parseDuration('1h30m', 'x')).toBe(5_400_000);
    expect(parseDuration('500us', 'x')).toBeCloseTo(0.5);
    expect(parseDuration('250', 'x')).toBe(250);
  });

  it('refuses what is not a duration, naming the parameter', () => {
    expect(() => parseDuration('fast', 'minDuration')).toThrow(/minDuration: "fast" is not a duration/);
    expect(() => parseDuration('10s garbage', 'window')).toThrow(/window/);
  });

  it('reads instants as RFC 3339 or epoch s/ms/µs by size', () => {
    expect(parseInstantUs('2024-05-01T10:00:00Z', 'start')).toBe(Date.parse('2024-05-01T10:00:00Z') * 1000);
    expect(parseInstantUs('1714557600', 'start')).toBe(1714557600_000_000);
    expect(parseInstantUs('1714557600000', 'start')).toBe(1714557600_000_000);
    expect(parseInstantUs('1714557600000000', 'start')).toBe(1714557600_000_000);
  });
});
