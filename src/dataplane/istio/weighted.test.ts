import { describe as suite, expect, it } from 'vitest';
import { IstioRouter } from './istio-router.js';
import { describe, dr, outbound, pod, service, snapshot, vs } from './fixtures.js';
import { SmoothWeighted } from './weighted.js';

const VERSIONS = ['v1', 'v2', 'v3'];

function weightedRouter(weights: (number | undefined)[]): IstioRouter {
  return new IstioRouter(
    snapshot({
      services: [service('demo', 'reviews')],
      endpoints: VERSIONS.map((v) => pod('demo', 'reviews', v)),
      destinationRules: [dr('demo', 'reviews', { host: 'reviews', subsets: VERSIONS.map((v) => ({ name: v, labels: { version: v } })) })],
      virtualServices: [
        vs('demo', 'reviews', {
          hosts: ['reviews'],
          http: [{ route: weights.map((w, i) => ({ destination: { host: 'reviews', subset: VERSIONS[i] }, ...(w === undefined ? {} : { weight: w }) })) }],
        }),
      ],
    }),
  );
}

/** Subsets of `n` consecutive requests. */
function sequence(router: IstioRouter, n: number): string[] {
  return Array.from({ length: n }, () => describe(router.route(outbound('reviews'))).replace('reviews:', ''));
}

/** Counts per subset in every window of 100 consecutive picks among the first 400. */
function windows(seq: string[]): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  for (let start = 0; start + 100 <= seq.length; start++) {
    const counts: Record<string, number> = {};
    for (const s of seq.slice(start, start + 100)) counts[s] = (counts[s] ?? 0) + 1;
    out.push(counts);
  }
  return out;
}

suite('weighted destinations', () => {
  const splits: [string, number[], Record<string, number>][] = [
    ['50/50', [50, 50], { v1: 50, v2: 50 }],
    ['90/10', [90, 10], { v1: 90, v2: 10 }],
    ['1/99', [1, 99], { v1: 1, v2: 99 }],
    ['33/33/34', [33, 33, 34], { v1: 33, v2: 33, v3: 34 }],
  ];

  it.each(splits)('%s is exact over every window of 100 requests', (_name, weights, want) => {
    const seq = sequence(weightedRouter(weights), 400);
    for (const counts of windows(seq)) expect(counts).toEqual(want);
  });

  it('spreads the minority out instead of sending it in a burst', () => {
    const seq = sequence(weightedRouter([90, 10]), 100);
    const v2At = seq.flatMap((s, i) => (s === 'v2' ? [i] : []));
    // One v2 in every ten consecutive requests.
    expect(v2At.map((i) => Math.floor(i / 10))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('never picks a weight-0 destination', () => {
    expect(new Set(sequence(weightedRouter([100, 0]), 200))).toEqual(new Set(['v1']));
    expect(new Set(sequence(weightedRouter([0, 30, 70]), 200))).toEqual(new Set(['v2', 'v3']));
  });

  it('gives a single destination without weight all traffic', () => {
    expect(new Set(sequence(weightedRouter([undefined]), 50))).toEqual(new Set(['v1']));
  });

  it('takes weights as relative shares when they do not sum to 100', () => {
    const seq = sequence(weightedRouter([1, 3]), 8);
    expect(seq.filter((s) => s === 'v1')).toHaveLength(2);
  });

  it('SmoothWeighted repeats with period sum(weights)', () => {
    const wrr = new SmoothWeighted([5, 1, 1]);
    const first = Array.from({ length: 7 }, () => wrr.next());
    const second = Array.from({ length: 7 }, () => wrr.next());
    expect(first).toEqual([0, 0, 1, 0, 2, 0, 0]);
    expect(second).toEqual(first);
  });
});
