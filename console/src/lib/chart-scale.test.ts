import { describe, expect, it } from 'vitest';
import { linePath, linearScale, maxOf, niceStep } from './chart-scale';

describe('chart scale', () => {
  it('maps a domain onto a range', () => {
    const s = linearScale(0, 10, 100, 0);
    expect(s(0)).toBe(100);
    expect(s(5)).toBe(50);
    expect(s(10)).toBe(0);
  });

  it('widens to round ticks when asked', () => {
    const s = linearScale(0, 87, 0, 100, true);
    expect(s.domain).toEqual([0, 100]);
    expect(s.ticks).toEqual([0, 50, 100]);
    expect(niceStep(0.23)).toBeCloseTo(0.5);
  });

  it('does not divide by zero on a flat series', () => {
    const s = linearScale(3, 3, 0, 10);
    expect(Number.isFinite(s(3))).toBe(true);
  });

  it('breaks the line where there is no data', () => {
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: null }, { x: 2, y: 3 }, { x: 3, y: 4 }])).toBe('M0,1M2,3L3,4');
    expect(maxOf([null, 2, undefined, 7, NaN])).toBe(7);
    expect(maxOf([null])).toBe(0);
  });
});
