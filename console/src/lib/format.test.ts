import { describe, expect, it } from 'vitest';
import { formatAge, formatMs, formatPercent, formatRps, parseDuration } from './format';

describe('format', () => {
  it('formats request rates with the precision they need', () => {
    expect(formatRps(0)).toBe('0 req/s');
    expect(formatRps(0.4)).toBe('0.4 req/s');
    expect(formatRps(2.345)).toBe('2.35 req/s');
    expect(formatRps(12.34)).toBe('12.3 req/s');
    expect(formatRps(1240.2)).toBe('1,240 req/s');
    expect(formatRps(undefined)).toBe('–');
  });

  it('never rounds a failing success rate up to 100%', () => {
    expect(formatPercent(100)).toBe('100%');
    expect(formatPercent(99.95)).toBe('99.95%');
    expect(formatPercent(99.999)).toBe('100%');
    expect(formatPercent(50)).toBe('50%');
    expect(formatPercent(NaN)).toBe('–');
  });

  it('formats durations from microseconds to minutes', () => {
    expect(formatMs(0.25)).toBe('0.25 ms');
    expect(formatMs(4.5)).toBe('4.5 ms');
    expect(formatMs(123.4)).toBe('123 ms');
    expect(formatMs(1250)).toBe('1.25 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
  });

  it('shows ages as Kubernetes does', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    expect(formatAge('2026-01-01T00:59:30Z', now)).toBe('30s');
    expect(formatAge('2026-01-01T00:30:00Z', now)).toBe('30m');
    expect(formatAge('2025-12-30T01:00:00Z', now)).toBe('2d');
    expect(formatAge(undefined, now)).toBe('–');
  });

  it('parses durations typed into the search form', () => {
    expect(parseDuration('100ms')).toBe(100);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('fast')).toBeUndefined();
  });
});
