import { describe, expect, it } from 'vitest';
import { allocateDots, edgeDots, edgeLabel, edgeWidth, healthColor, nodeLabel } from './graph-style';

describe('graph style', () => {
  it('colours by health, unknown as idle', () => {
    expect(healthColor('failure')).toBe('#ca2621');
    expect(healthColor('weird')).toBe(healthColor('idle'));
  });

  it('widens and speeds up edges with traffic, and stills idle ones', () => {
    expect(edgeWidth(0)).toBe(1.5);
    expect(edgeWidth(100)).toBeGreaterThan(edgeWidth(1));
    expect(edgeWidth(1e9)).toBe(5);
    expect(edgeDots(0).count).toBe(0);
    expect(edgeDots(50).seconds).toBeLessThan(edgeDots(0.5).seconds);
  });

  it('labels edges with their rate, adding the success rate only when something failed', () => {
    expect(edgeLabel({ rps: 2.345, successRate: 100 })).toBe('2.35 rps');
    expect(edgeLabel({ rps: 12.34, successRate: 87.5 })).toBe('12.3 rps · 87.5%');
    expect(edgeLabel({ rps: 0, bytesPerSecond: 512 })).toBe('512 B/s');
    expect(edgeLabel({ rps: 0, bytesPerSecond: 2048 })).toBe('2.0 KiB/s');
    expect(edgeLabel({ rps: 2, successRate: 100, bytesPerSecond: 100 })).toBe('2.00 rps · 100 B/s');
    expect(edgeLabel({ rps: 0 })).toBe('');
  });

  it('names nodes as a Kiali user expects', () => {
    expect(nodeLabel({ id: 'w', kind: 'workload', app: 'reviews', version: 'v2' })).toBe('reviews v2');
    expect(nodeLabel({ id: 's', kind: 'service', app: 'reviews' })).toBe('reviews');
    expect(nodeLabel({ id: 'g', kind: 'gateway' })).toBe('gateway');
  });

  it('keeps moving dots within a budget, busiest edges first', () => {
    expect(allocateDots([0.5, 30, 0])).toEqual([1, 3, 0]);
    const many = Array.from({ length: 200 }, (_, i) => i + 1);
    const dots = allocateDots(many, 48);
    expect(dots.reduce((s, n) => s + n, 0)).toBe(48);
    expect(dots[199]).toBe(1);
    expect(dots[0]).toBe(0);
  });
});
