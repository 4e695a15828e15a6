import { describe as suite, expect, it } from 'vitest';
import { STICKY_ANNOTATION } from '../../config/release/types.js';
import type { RouteAction } from '../policy.js';
import { IstioRouter } from './istio-router.js';
import { describe, dr, outbound, pod, routed, service, snapshot, vs } from './fixtures.js';
import { cookieValue, destinationOf, parseSticky, stickyBucket, valueFor } from './sticky.js';

/** reviews v1/v2 split by `weights`, the VirtualService annotated with `sticky` when given. */
function router(weights: number[], sticky?: string): IstioRouter {
  const virtualService = vs('demo', 'reviews', {
    hosts: ['reviews'],
    http: [{ route: weights.map((w, i) => ({ destination: { host: 'reviews', subset: `v${i + 1}` }, weight: w })) }],
  });
  if (sticky) virtualService.metadata.annotations = { [STICKY_ANNOTATION]: sticky };
  return new IstioRouter(
    snapshot({
      services: [service('demo', 'reviews')],
      endpoints: [pod('demo', 'reviews', 'v1'), pod('demo', 'reviews', 'v2')],
      destinationRules: [dr('demo', 'reviews', { host: 'reviews', subsets: ['v1', 'v2'].map((v) => ({ name: v, labels: { version: v } })) })],
      virtualServices: [virtualService],
    }),
  );
}

const subset = (r: IstioRouter, headers: Record<string, string> = {}): string => describe(r.route(outbound('reviews', { headers }))).replace('reviews:', '');

suite('sticky releases (graymesh.dev/sticky)', () => {
  it('parses cookie:NAME and header:NAME, and nothing else', () => {
    expect(parseSticky('cookie:gm-reviews-version')).toEqual({ cookie: 'gm-reviews-version' });
    expect(parseSticky('header:End-User')).toEqual({ header: 'end-user' });
    expect(parseSticky(undefined)).toBeUndefined();
    expect(parseSticky('cookie:')).toBeUndefined();
    expect(parseSticky('query:user')).toBeUndefined();
  });

  it('hashes a value to a stable bucket 0-99', () => {
    const buckets = Array.from({ length: 1000 }, (_, i) => stickyBucket(`user-${i}`));
    expect(buckets.every((b) => Number.isInteger(b) && b >= 0 && b < 100)).toBe(true);
    expect(stickyBucket('user-7')).toBe(buckets[7]);
    // Spread over the range: every decile holds some of 1000 users.
    for (let d = 0; d < 10; d++) expect(buckets.filter((b) => Math.floor(b / 10) === d).length).toBeGreaterThan(50);
  });

  it('deals the buckets along the cumulative weights, relative shares scaled to 100', () => {
    expect([0, 19, 20, 99].map((b) => destinationOf(b, [20, 80]))).toEqual([0, 0, 1, 1]);
    expect([0, 24, 25, 99].map((b) => destinationOf(b, [1, 3]))).toEqual([0, 0, 1, 1]);
    expect([0, 32, 33, 65, 66, 99].map((b) => destinationOf(b, [33, 33, 34]))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('draws a cookie value hashing into the chosen destination, none for a share owning no bucket', () => {
    for (const i of [0, 1]) {
      const v = valueFor(i, [10, 90]);
      expect(v).toMatch(/^[0-9a-f]{16}$/);
      expect(destinationOf(stickyBucket(v as string), [10, 90])).toBe(i);
    }
    // 1 in 2000 rounds to no bucket of its own between two large shares.
    expect(valueFor(1, [1001, 1, 998])).toBeUndefined();
  });

  it('reads a cookie among others', () => {
    expect(cookieValue('a=1; gm=x9; b=2', 'gm')).toBe('x9');
    expect(cookieValue('agm=1', 'gm')).toBeUndefined();
    expect(cookieValue(undefined, 'gm')).toBeUndefined();
  });

  it('keeps each of 1000 users on one version while the population splits by the weights', () => {
    const r = router([20, 80], 'cookie:gm');
    const counts: Record<string, number> = {};
    for (let u = 0; u < 1000; u++) {
      const seen = new Set(Array.from({ length: 10 }, () => subset(r, { cookie: `session=s${u}; gm=user-${u}` })));
      expect(seen.size).toBe(1);
      const v = [...seen][0] as string;
      counts[v] = (counts[v] ?? 0) + 1;
    }
    // A hash split, not an exact one: within a few percent of 200/800.
    expect(counts.v1).toBeGreaterThan(150);
    expect(counts.v1).toBeLessThan(250);
    expect((counts.v1 ?? 0) + (counts.v2 ?? 0)).toBe(1000);
  });

  it('picks a cookieless client by weighted round-robin and sets a cookie that keeps it there', () => {
    const r = router([20, 80], 'cookie:gm');
    const first = Array.from({ length: 100 }, () => routed(r.route(outbound('reviews'))));
    // The first requests split exactly as without stickiness.
    expect(first.filter((a) => a.cluster.subset === 'v1')).toHaveLength(20);
    for (const a of first) {
      expect(a.setCookie).toMatch(/^gm=[0-9a-f]{16}; Path=\/$/);
      const cookie = (a.setCookie as string).split(';')[0] as string;
      for (let i = 0; i < 5; i++) expect(subset(r, { cookie })).toBe(a.cluster.subset);
    }
  });

  it('moves only the users whose buckets change hands when the weights change', () => {
    const before = router([20, 80], 'cookie:gm');
    const after = router([50, 50], 'cookie:gm');
    for (let u = 0; u < 300; u++) {
      const cookie = `gm=user-${u}`;
      if (subset(before, { cookie }) === 'v1') expect(subset(after, { cookie })).toBe('v1');
    }
  });

  it('sticks by a header, never setting a cookie', () => {
    const r = router([50, 50], 'header:end-user');
    for (const user of ['jason', 'alice', 'bob', 'carol']) {
      const seen = new Set(Array.from({ length: 10 }, () => subset(r, { 'end-user': user })));
      expect(seen.size).toBe(1);
    }
    const anonymous = Array.from({ length: 10 }, () => routed(r.route(outbound('reviews'))) as RouteAction);
    expect(anonymous.filter((a) => a.cluster?.subset === 'v1')).toHaveLength(5);
    expect(anonymous.every((a) => a.setCookie === undefined)).toBe(true);
  });

  it('leaves single-destination rules and unannotated VirtualServices alone', () => {
    const governor = routed(router([100], 'cookie:gm').route(outbound('reviews')));
    expect(governor.setCookie).toBeUndefined();
    const plain = router([50, 50]);
    const seq = Array.from({ length: 4 }, () => routed(plain.route(outbound('reviews', { headers: { cookie: 'gm=user-1' } }))));
    expect(seq.map((a) => a.cluster.subset).sort()).toEqual(['v1', 'v1', 'v2', 'v2']);
    expect(seq.every((a) => a.setCookie === undefined)).toBe(true);
  });
});
