/**
 * Canary by request content end to end: the new version serves the requests that
 * match every condition (a signed-in user, a cookie exact or by regex, a header exact
 * or by regex, a URI prefix or regex, client OS and browser read from real browsers'
 * User-Agent strings), the principal serves the rest. Reviews v2 and v3 run from the
 * start (deploy --all-versions), so each release reuses v2 and deleting it leaves a
 * plain route to v1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_AGENTS } from '../../src/config/release/user-agent-table.js';
import { Instance } from '../helpers/instance.js';
import { GatewayClient, productpageVersion } from '../helpers/load.js';

const PROJECT = 'demo-project';
const PRODUCTPAGE = `productpage.${PROJECT}.localhost`;
const REVIEWS = `reviews.${PROJECT}.localhost`;
const V2_IMAGE = 'kubesphere/examples-bookinfo-reviews-v2:1.13.0';

describe('canary by request content', () => {
  const gm = new Instance();
  let client: GatewayClient;

  beforeAll(async () => {
    const r = await gm.up([]);
    expect(r.code, r.stderr).toBe(0);
    const d = await gm.cliAsync(['deploy', 'bookinfo', '-p', PROJECT, '--all-versions']);
    expect(d.code, d.stderr).toBe(0);
    client = new GatewayClient(gm.gatewayPort);
  }, 120_000);

  afterAll(() => {
    client?.close();
    gm.cleanup();
  });

  /** Creates a canary of reviews v2 by the given content flags, runs `check`, then deletes it. */
  async function withCanary(name: string, flags: string[], check: () => Promise<void>): Promise<void> {
    const r = await gm.cliAsync([
      'release', 'create', 'canary', name, '-p', PROJECT, '--service', 'reviews', '--version', 'v2', '--principal', 'v1', '--image', V2_IMAGE, ...flags,
    ]);
    expect(r.code, r.stderr).toBe(0);
    await check();
    const d = await gm.cliAsync(['release', 'delete', name, '-p', PROJECT]);
    expect(d.code, d.stderr).toBe(0);
  }

  /** The reviews version serving a product page requested with these headers (three times: always the same). */
  async function page(headers: Record<string, string>): Promise<string> {
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const a = await client.request(PRODUCTPAGE, '/productpage', headers);
      seen.add(productpageVersion(a.status, a.body) ?? `failed ${a.status}`);
    }
    return [...seen].join(',');
  }

  /** The reviews version answering a direct call (through the gateway's default host for reviews). */
  async function direct(path: string, headers: Record<string, string> = {}): Promise<string> {
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const a = await client.request(REVIEWS, path, headers);
      seen.add(/"podname":"reviews-(v\d)-/.exec(a.body)?.[1] ?? `failed ${a.status}`);
    }
    return [...seen].join(',');
  }

  it('a signed-in user: --header end-user=jason sends jason to v2 (black stars), everyone else to v1', async () => {
    await withCanary('jason', ['--header', 'end-user=jason'], async () => {
      const login = async (user: string): Promise<string> => {
        const a = await client.request(PRODUCTPAGE, '/login', { 'content-type': 'application/x-www-form-urlencoded' }, 'POST', `username=${user}&passwd=any`);
        return (a.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '';
      };
      const jason = await login('jason');
      expect(await page({ cookie: jason })).toBe('v2');
      const stars = await client.request(PRODUCTPAGE, '/productpage', { cookie: jason });
      expect(stars.body).toMatch(/color:\s*black[^>]*>\s*★/);
      expect(await page({ cookie: await login('kim') })).toBe('v1');
      expect(await page({})).toBe('v1');
    });
  });

  it('--cookie user=jason: that exact pair, anywhere in the Cookie header', async () => {
    await withCanary('cookie-exact', ['--cookie', 'user=jason'], async () => {
      expect(await page({ cookie: 'user=jason' })).toBe('v2');
      expect(await page({ cookie: 'theme=dark; user=jason; lang=en' })).toBe('v2');
      expect(await page({ cookie: 'user=jasonx' })).toBe('v1');
      expect(await page({ cookie: 'xuser=jason' })).toBe('v1');
      expect(await page({})).toBe('v1');
    });
  });

  it('--cookie regex:user=.*: any user cookie', async () => {
    await withCanary('cookie-regex', ['--cookie', 'regex:user=.*'], async () => {
      expect(await page({ cookie: 'user=kim' })).toBe('v2');
      expect(await page({ cookie: 'theme=dark; user=' })).toBe('v2');
      expect(await page({ cookie: 'theme=dark' })).toBe('v1');
    });
  });

  it('--header x-canary=yes, then x-canary=regex:^y.*', async () => {
    await withCanary('header-exact', ['--header', 'x-canary=yes'], async () => {
      expect(await direct('/reviews/0', { 'x-canary': 'yes' })).toBe('v2');
      expect(await direct('/reviews/0', { 'x-canary': 'yes!' })).toBe('v1');
      expect(await direct('/reviews/0')).toBe('v1');
    });
    await withCanary('header-regex', ['--header', 'x-canary=regex:^y.*'], async () => {
      expect(await direct('/reviews/0', { 'x-canary': 'yes' })).toBe('v2');
      expect(await direct('/reviews/0', { 'x-canary': 'yep' })).toBe('v2');
      expect(await direct('/reviews/0', { 'x-canary': 'no' })).toBe('v1');
    });
  });

  it('--uri prefix:/reviews/1, then --uri regex:/reviews/[13579]', async () => {
    await withCanary('uri-prefix', ['--uri', 'prefix:/reviews/1'], async () => {
      expect(await direct('/reviews/1')).toBe('v2');
      expect(await direct('/reviews/12')).toBe('v2');
      expect(await direct('/reviews/0')).toBe('v1');
    });
    await withCanary('uri-regex', ['--uri', 'regex:/reviews/[13579]'], async () => {
      expect(await direct('/reviews/3')).toBe('v2');
      expect(await direct('/reviews/3?x=1')).toBe('v2');
      expect(await direct('/reviews/4')).toBe('v1');
      expect(await direct('/reviews/31')).toBe('v1');
    });
  });

  it('--os ios,android --browser safari,chrome over real browsers: mobile Safari and Chrome only', async () => {
    await withCanary('mobile', ['--os', 'ios,android', '--browser', 'safari,chrome'], async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const [label, ua, os, browser] of USER_AGENTS) {
        const expected = (os === 'ios' || os === 'android') && (browser === 'safari' || browser === 'chrome') ? 'v2' : 'v1';
        want.push(`${label}: ${expected}`);
        got.push(`${label}: ${await page({ 'user-agent': ua })}`);
      }
      expect(got).toEqual(want);
      expect(want.filter((w) => w.endsWith('v2')).length).toBeGreaterThan(4);
    });
  });

  it('deleting a content canary while v2 still runs leaves a plain route to v1', async () => {
    const vs = gm.json<{ metadata: { annotations: Record<string, string> }; spec: { http: { route: { destination: { subset: string } }[] }[] } }>(['get', 'vs', 'reviews', '-p', PROJECT]);
    expect(vs.metadata.annotations['graymesh.dev/release']).toBeUndefined();
    expect(vs.spec.http.map((h) => h.route.map((d) => d.destination.subset))).toEqual([['v1']]);
    for (let i = 0; i < 6; i++) expect(await direct('/reviews/0', { 'x-canary': 'yes' })).toBe('v1');
    expect(gm.cli(['get', 'workloads', 'reviews-v2', '-p', PROJECT]).code).toBe(0);
  });
});
