/**
 * Istio's traffic-management tasks on Bookinfo, with the outcomes istio.io describes, against a
 * real graymesh instance: request routing, traffic shifting, fault injection, request timeouts and
 * ingress. Istio's own sample manifests are applied unchanged from ISTIO_SAMPLES.
 * https://istio.io/latest/docs/tasks/traffic-management/
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ISTIO_SAMPLES, Mesh, parseAccessLine, sendMany, tally, type Reply } from './mesh.js';

const P = 'bookinfo';
const PAGE_HOST = `productpage.${P}.localhost`;
const sample = (f: string): string => path.join(ISTIO_SAMPLES, f);
const ALL_V1 = sample('virtual-service-all-v1.yaml');
const DR_ALL = sample('destination-rule-all.yaml');
const TEST_V2 = sample('virtual-service-reviews-test-v2.yaml');
const REVIEWS_UNAVAILABLE = 'Sorry, product reviews are currently unavailable for this book.';

/** Which reviews version rendered a page, read as a user reads it: no stars (v1), black (v2), red (v3). */
function reviewsOf(page: Reply): string {
  expect(page.status).toBe(200);
  if (page.body.includes(REVIEWS_UNAVAILABLE)) return 'unavailable';
  const served = /Reviews served by:\s*reviews-(v\d)-/.exec(page.body)?.[1] ?? 'unknown';
  const stars = /color:\s*(black|red)/.exec(page.body)?.[1];
  const seen = stars === 'black' ? 'v2' : stars === 'red' ? 'v3' : 'v1';
  // The pod name and the stars agree (v2/v3 without stars would mean ratings failed).
  return served === seen || page.body.includes('Ratings service is currently unavailable') ? served : `${served}/${seen}`;
}

describe('Istio tasks on Bookinfo', () => {
  const mesh = new Mesh(P);
  let jason = '';

  const page = (cookie?: string): Promise<Reply> => mesh.gateway(PAGE_HOST, '/productpage', cookie ? { headers: { cookie } } : {});
  const pages = async (n: number, cookie?: string): Promise<string[]> => (await sendMany(n, () => page(cookie))).map(reviewsOf);

  beforeAll(async () => {
    await mesh.start();
    const r = await mesh.cli(['deploy', 'bookinfo', '-p', P, '--all-versions']);
    expect(r.code, r.stderr).toBe(0);
    // A client inside the mesh for the `mesh` side of gateway rules.
    await mesh.apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, labels: {app: sleep}}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      containers: [{name: sleep, image: graymesh/httpbin:1.0}]
`);
    await mesh.waitReady({ sleep: 1, 'reviews-v1': 1, 'reviews-v2': 1, 'reviews-v3': 1 });
    // Sign in as jason the way the task does: productpage's login form sets the session cookie.
    const login = await mesh.gateway(PAGE_HOST, '/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=jason&passwd=jason',
    });
    expect(login.status).toBe(302);
    jason = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
    expect(jason).toMatch(/^session=/);
  }, 120_000);

  afterAll(() => mesh.cleanup());

  it('without rules, reviews balances over v1, v2 and v3 (Kubernetes round-robin)', async () => {
    expect(tally(await pages(9))).toEqual({ v1: 3, v2: 3, v3: 3 });
  });

  describe('request routing', () => {
    it('virtual-service-all-v1 (with destination-rule-all) sends every request to v1', async () => {
      await mesh.apply([DR_ALL, ALL_V1]);
      expect(tally(await pages(20))).toEqual({ v1: 20 });
      expect(tally(await pages(5, jason))).toEqual({ v1: 5 });
    });

    it('the same with destination-rule-all-mtls (ISTIO_MUTUAL has nothing to secure on one machine): still only v1', async () => {
      await mesh.apply(sample('destination-rule-all-mtls.yaml'));
      expect(tally(await pages(10))).toEqual({ v1: 10 });
      await mesh.apply(DR_ALL);
    });

    it('virtual-service-reviews-test-v2: jason sees v2 (black stars), everyone else v1', async () => {
      await mesh.apply(TEST_V2);
      expect(tally(await pages(10, jason))).toEqual({ v2: 10 });
      expect(tally(await pages(10))).toEqual({ v1: 10 });
      // Signed in as someone else: the end-user header does not match.
      const other = await mesh.gateway(PAGE_HOST, '/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=jasonx&passwd=x',
      });
      const cookie = String(other.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
      expect(tally(await pages(5, cookie))).toEqual({ v1: 5 });
    });

    it('virtual-service-reviews-jason-v2-v3: jason v2, everyone else v3', async () => {
      await mesh.apply(sample('virtual-service-reviews-jason-v2-v3.yaml'));
      expect(tally(await pages(5, jason))).toEqual({ v2: 5 });
      expect(tally(await pages(5))).toEqual({ v3: 5 });
      await mesh.apply(ALL_V1);
    });

    it('virtual-service-details-v2 routes to a subset with no pods: productpage shows details unavailable', async () => {
      await mesh.apply(sample('virtual-service-details-v2.yaml'));
      const p = await page();
      expect(p.status).toBe(200);
      expect(p.body).toContain('Sorry, product details are currently unavailable for this book.');
      await mesh.apply(ALL_V1);
    });
  });

  describe('traffic shifting (exact over every 100 requests: smooth weighted round-robin)', () => {
    it('virtual-service-reviews-50-v3: 50 v1 and 50 v3 in 100 requests', async () => {
      await mesh.apply(sample('virtual-service-reviews-50-v3.yaml'));
      expect(tally(await pages(100))).toEqual({ v1: 50, v3: 50 });
    });

    it('virtual-service-reviews-80-20 (v1alpha3): 80 v1 and 20 v2 in 100 requests', async () => {
      await mesh.apply(sample('virtual-service-reviews-80-20.yaml'));
      expect(tally(await pages(100))).toEqual({ v1: 80, v2: 20 });
    });

    it('90/10: 90 v1 and 10 v3 in any 100 consecutive requests, then 100% v3', async () => {
      await mesh.apply(reviewsSplit({ v1: 90, v3: 10 }));
      const seq = await pages(150);
      // Every window of 100, not only the first: the split is exact, not average.
      for (const start of [0, 17, 50]) expect(tally(seq.slice(start, start + 100))).toEqual({ v1: 90, v3: 10 });
      await mesh.apply(reviewsSplit({ v3: 100 }));
      expect(tally(await pages(20))).toEqual({ v3: 20 });
      await mesh.apply(ALL_V1);
    });
  });

  describe('fault injection', () => {
    it('ratings-test-delay (7s for jason): productpage times out (3s, tried twice) and shows reviews unavailable', async () => {
      await mesh.apply([TEST_V2, sample('virtual-service-ratings-test-delay.yaml')]);
      // Everyone else is not delayed.
      expect(tally(await pages(3))).toEqual({ v1: 3 });
      const p = await page(jason);
      expect(p.body).toContain(REVIEWS_UNAVAILABLE);
      // Two 3 s attempts by productpage: a lower bound, never an upper one.
      expect(p.ms).toBeGreaterThanOrEqual(5_500);
      // reviews-v2's outbound call to ratings was delayed by the fault filter (flag DI).
      const v2 = (await mesh.podsOf('reviews-v2'))[0]!.metadata.name;
      const delayed = (await mesh.accessLines(v2, ' DI ')).map(parseAccessLine);
      expect(delayed[0]).toMatchObject({ method: 'GET', path: '/ratings/0', flags: 'DI' });
    }, 30_000);

    it('ratings-test-abort (HTTP 500 for jason): reviews shows "Ratings service is currently unavailable"', async () => {
      await mesh.apply(sample('virtual-service-ratings-test-abort.yaml'));
      const p = await page(jason);
      expect(reviewsOf(p)).toBe('v2');
      expect(p.body).toContain('Ratings service is currently unavailable');
      const others = await page();
      expect(reviewsOf(others)).toBe('v1');
      expect(others.body).not.toContain('Ratings service is currently unavailable');
      const v2 = (await mesh.podsOf('reviews-v2'))[0]!.metadata.name;
      const aborted = (await mesh.accessLines(v2, ' FI ')).map(parseAccessLine);
      expect(aborted[0]).toMatchObject({ path: '/ratings/0', status: 500, flags: 'FI' });
    });

    it('fault-injection-details-v1 (abort 555 on every details call): productpage shows details unavailable', async () => {
      await mesh.apply(sample('fault-injection-details-v1.yaml'));
      const p = await page();
      expect(p.body).toContain('Sorry, product details are currently unavailable for this book.');
      await mesh.apply([DR_ALL, ALL_V1]);
    });
  });

  describe('request timeouts', () => {
    it('ratings delayed 2s: reviews v2 still answers with stars', async () => {
      await mesh.apply([reviewsSplit({ v2: 100 }), ratingsDelay('2s')]);
      const p = await page();
      expect(reviewsOf(p)).toBe('v2');
      expect(p.ms).toBeGreaterThanOrEqual(1_900);
    });

    it('reviews timeout 0.5s: productpage shows reviews unavailable; its outbound log shows 504 UT', async () => {
      await mesh.apply(reviewsSplit({ v2: 100 }, '  timeout: 0.5s\n'));
      const p = await page();
      expect(p.body).toContain(REVIEWS_UNAVAILABLE);
      const pp = (await mesh.podsOf('productpage-v1'))[0]!.metadata.name;
      const lines = (await mesh.accessLines(pp, '"GET /reviews/0', 1)).map(parseAccessLine).filter((l) => l.flags === 'UT');
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines[0]).toMatchObject({ status: 504, flags: 'UT' });
      // all-v1 puts back ratings (no fault) and reviews (v1).
      await mesh.apply(ALL_V1);
    });
  });

  describe('ingress', () => {
    it('bookinfo-gateway.yaml (hosts "*"): productpage served for any Host, other paths 404 NR', async () => {
      await mesh.with(sample('bookinfo-gateway.yaml'), async () => {
        for (const host of ['anything', 'bookinfo.example.org', '127.0.0.1']) {
          const r = await mesh.gateway(host, '/productpage');
          expect(reviewsOf(r)).toBe('v1');
        }
        expect((await mesh.gateway('anything', '/api/v1/products')).status).toBe(200);
        expect((await mesh.gateway('anything', '/login', { method: 'POST', body: '' })).status).toBe(302);
        expect((await mesh.gateway('anything', '/not-routed')).status).toBe(404);
        // The gateway's default host keeps following the mesh rules.
        expect(reviewsOf(await page())).toBe('v1');
      });
    });

    it('a Gateway for *.example.com with a VirtualService bound to it and to mesh: match gateways decides', async () => {
      const config = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: example-gateway}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*.example.com"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews, reviews.example.com]
  gateways: [example-gateway, mesh]
  http:
  - match:
    - gateways: [example-gateway]
    route:
    - destination: {host: reviews, subset: v3}
  - route:
    - destination: {host: reviews, subset: v1}
`;
      await mesh.with(config, async () => {
        const viaGateway = await mesh.gateway('reviews.example.com', '/reviews/0');
        expect(viaGateway.status).toBe(200);
        expect(JSON.parse(viaGateway.body).podname).toMatch(/^reviews-v3-/);
        const fromMesh = await mesh.send('sleep', 'http://reviews:9080/reviews/0');
        expect(JSON.parse(fromMesh.body).podname).toMatch(/^reviews-v1-/);
        // The Gateway serves *.example.com, but no VirtualService binds ratings.example.com.
        expect((await mesh.gateway('ratings.example.com', '/ratings/0')).status).toBe(404);
        // A host no Gateway serves.
        expect((await mesh.gateway('reviews.example.net', '/reviews/0')).status).toBe(404);
      });
      await mesh.apply(ALL_V1);
    });
  });
});

/** A reviews VirtualService splitting by weight, with extra rule fields (indented two spaces). */
function reviewsSplit(weights: Record<string, number>, extra = ''): string {
  const dests = Object.entries(weights)
    .map(([v, w]) => `    - destination: {host: reviews, subset: ${v}}\n      weight: ${w}\n`)
    .join('');
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
${dests}${extra.replace(/^ {2}/gm, '    ')}`;
}

/** The timeouts task's ratings rule: every request delayed. */
function ratingsDelay(delay: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - fault:
      delay:
        percentage: {value: 100}
        fixedDelay: ${delay}
    route:
    - destination: {host: ratings, subset: v1}
`;
}
