/**
 * Sticky releases end to end (`--sticky`, a graymesh extension): each user stays on
 * one version across requests while the population splits by the weights, by a
 * cookie (set by the proxy when the client has none) or by a header such as the
 * signed-in user's `end-user`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instance } from '../helpers/instance.js';
import { GatewayClient, inParallel, productpageVersion } from '../helpers/load.js';

const PROJECT = 'demo-project';
const PRODUCTPAGE = `productpage.${PROJECT}.localhost`;
/** The gateway's default host for reviews: the service's mesh rules apply, and its answers reach the client. */
const REVIEWS = `reviews.${PROJECT}.localhost`;
const V2_IMAGE = 'kubesphere/examples-bookinfo-reviews-v2:1.13.0';
const COOKIE = 'gm-reviews-version';

const reviewsVersion = (body: string): string => /"podname":"reviews-(v\d)-/.exec(body)?.[1] ?? `none: ${body.slice(0, 80)}`;

describe('sticky releases keep each user on one version', () => {
  const gm = new Instance();
  let client: GatewayClient;

  beforeAll(async () => {
    const r = await gm.up([]);
    expect(r.code, r.stderr).toBe(0);
    const d = await gm.cliAsync(['deploy', 'bookinfo', '-p', PROJECT]);
    expect(d.code, d.stderr).toBe(0);
    client = new GatewayClient(gm.gatewayPort);
  }, 120_000);

  afterAll(() => {
    client?.close();
    gm.cleanup();
  });

  it('compiles --sticky cookie to the VirtualService annotation', async () => {
    const r = await gm.cliAsync([
      'release', 'create', 'canary', 'sticky', '-p', PROJECT, '--service', 'reviews', '--version', 'v2', '--image', V2_IMAGE,
      '--weights', 'v1=20,v2=80', '--sticky', 'cookie', '-o', 'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { status: { phase: string } }).status.phase).toBe('Running');
    const vs = gm.json<{ metadata: { annotations: Record<string, string> } }>(['get', 'vs', 'reviews', '-p', PROJECT]);
    expect(vs.metadata.annotations['graymesh.dev/sticky']).toBe(`cookie:${COOKIE}`);
  });

  it('1000 users with their own cookie: one version each over 10 requests, split about 20/80', async () => {
    const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    const versions = await inParallel(users, 16, async (u) => {
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const a = await client.request(REVIEWS, '/reviews/0', { cookie: `theme=dark; ${COOKIE}=${u}` });
        expect(a.status).toBe(200);
        seen.add(reviewsVersion(a.body));
      }
      return [...seen];
    });
    const mixed = versions.filter((v) => v.length !== 1);
    expect(mixed).toEqual([]);
    const v1 = versions.filter((v) => v[0] === 'v1').length;
    const v2 = versions.filter((v) => v[0] === 'v2').length;
    expect(v1 + v2).toBe(1000);
    // A hash split: within a few percent of 200/800 (the hash is fixed, so is the count).
    expect(v1).toBeGreaterThan(150);
    expect(v1).toBeLessThan(250);
  });

  it('a client without the cookie gets one that keeps it on the version it was given', async () => {
    const first: { version: string; cookie: string }[] = [];
    for (let i = 0; i < 100; i++) {
      const a = await client.request(REVIEWS, '/reviews/0');
      expect(a.status).toBe(200);
      const set = (a.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${COOKIE}=`));
      expect(set).toMatch(new RegExp(`^${COOKIE}=[0-9a-f]{16}; Path=/$`));
      first.push({ version: reviewsVersion(a.body), cookie: (set as string).split(';')[0] as string });
    }
    // New clients are dealt by the weights.
    const v1 = first.filter((f) => f.version === 'v1').length;
    expect(v1).toBeGreaterThanOrEqual(15);
    expect(v1).toBeLessThanOrEqual(25);
    await inParallel(first, 8, async (f) => {
      for (let i = 0; i < 5; i++) {
        const a = await client.request(REVIEWS, '/reviews/0', { cookie: f.cookie });
        expect(reviewsVersion(a.body)).toBe(f.version);
        expect(a.headers['set-cookie']).toBeUndefined();
      }
    });
  });

  it('through the product page: the cookie travels on to reviews, each browser sees one version', async () => {
    const users = Array.from({ length: 30 }, (_, i) => `page-${i}`);
    const versions = await inParallel(users, 6, async (u) => {
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++) seen.add(productpageVersion(200, (await client.request(PRODUCTPAGE, '/productpage', { cookie: `${COOKIE}=${u}` })).body) ?? 'failed');
      return [...seen];
    });
    expect(versions.filter((v) => v.length !== 1 || v[0] === 'failed')).toEqual([]);
  });

  it('--sticky header:end-user keeps each signed-in user on one version, both versions in use', async () => {
    expect(gm.cli(['release', 'delete', 'sticky', '-p', PROJECT]).code).toBe(0);
    const r = await gm.cliAsync([
      'release', 'create', 'canary', 'by-user', '-p', PROJECT, '--service', 'reviews', '--version', 'v2', '--image', V2_IMAGE,
      '--weights', 'v1=50,v2=50', '--sticky', 'header:end-user',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const users = Array.from({ length: 40 }, (_, i) => `reader${i}`);
    const versions = await inParallel(users, 6, async (u) => {
      // Bookinfo's sign-in: any password; the session cookie makes productpage send end-user.
      const login = await client.request(PRODUCTPAGE, '/login', { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', `username=${u}&passwd=x`);
      const session = (login.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '';
      expect(session).toMatch(/^session=/);
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const page = await client.request(PRODUCTPAGE, '/productpage', { cookie: session });
        expect(page.body).toContain(u);
        seen.add(productpageVersion(page.status, page.body) ?? 'failed');
      }
      return [...seen];
    });
    expect(versions.filter((v) => v.length !== 1 || v[0] === 'failed')).toEqual([]);
    const onV1 = versions.filter((v) => v[0] === 'v1').length;
    expect(onV1).toBeGreaterThan(5);
    expect(onV1).toBeLessThan(35);
  });
});
