/**
 * Blue-green and mirror releases, and abandoning a canary, under continuous load
 * through the gateway: Bookinfo's product page (blue-green of reviews) and httpbin
 * (mirror, then a canary deleted). Not one request may fail at any step.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpbinManifests } from '../helpers/httpbin.js';
import { eventually, Instance } from '../helpers/instance.js';
import { httpbinVersion, Load, productpageVersion } from '../helpers/load.js';

const PROJECT = 'demo-project';
const PRODUCTPAGE = `productpage.${PROJECT}.localhost`;
const HTTPBIN = `httpbin.${PROJECT}.localhost`;
const REVIEWS_V2 = 'kubesphere/examples-bookinfo-reviews-v2:1.13.0';
const HTTPBIN_IMAGE = 'docker.io/graymesh/httpbin:1.0';

interface ReleaseJson {
  status: { phase: string; governor?: string; versions: { version: string; weight: number; readyReplicas: number }[]; history: { operation: string; result?: string }[] };
}
interface VsJson {
  spec: { http: { route: { destination: { subset: string }; weight?: number }[]; mirror?: { subset: string }; mirrorPercentage?: { value: number } }[] };
}

describe('blue-green and mirror releases never drop a request', () => {
  const gm = new Instance();
  let pages: Load;
  let bins: Load;

  beforeAll(async () => {
    const r = await gm.up([]);
    expect(r.code, r.stderr).toBe(0);
    const d = await gm.cliAsync(['deploy', 'bookinfo', '-p', PROJECT]);
    expect(d.code, d.stderr).toBe(0);
    const file = path.join(gm.home, 'httpbin.yaml');
    writeFileSync(file, httpbinManifests());
    const a = gm.cli(['apply', '-f', file, '-p', PROJECT]);
    expect(a.code, a.stderr).toBe(0);
    await eventually(async () => (await gm.gateway(HTTPBIN, '/get')).status === 200, 30_000, 200);
    pages = new Load({ port: gm.gatewayPort, host: PRODUCTPAGE, path: '/productpage', version: productpageVersion });
    bins = new Load({ port: gm.gatewayPort, host: HTTPBIN, path: '/get', version: httpbinVersion });
    pages.start(3);
    bins.start(3);
  }, 120_000);

  afterAll(async () => {
    await pages?.stop();
    await bins?.stop();
    gm.cleanup();
  });

  /** Runs a CLI step with the loads told which step it is; the step must succeed. */
  async function step(load: Load, args: string[]): Promise<string> {
    load.phase = args.slice(0, 3).join(' ');
    const r = await gm.cliAsync([...args, '-p', PROJECT]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  }

  /** Versions the load saw over at least `n` answers from now on. */
  async function seenNext(load: Load, n = 12): Promise<string[]> {
    load.reset();
    await eventually(() => [...load.seen.values()].reduce((a, b) => a + b, 0) >= n, 30_000, 50);
    return [...load.seen.keys()].sort();
  }

  const vs = (service: string): VsJson => gm.json<VsJson>(['get', 'vs', service, '-p', PROJECT]);

  it('blue-green: v2 starts beside v1 while v1 serves everything (--serve v1)', async () => {
    const out = await step(pages, ['release', 'create', 'bluegreen', 'bg', '--service', 'reviews', '--version', 'v2', '--image', REVIEWS_V2, '--serve', 'v1', '-o', 'json']);
    const rel = JSON.parse(out) as ReleaseJson;
    expect(rel.status.phase).toBe('Running');
    expect(rel.status.versions.map((v) => [v.version, v.weight, v.readyReplicas])).toEqual([['v1', 100, 1], ['v2', 0, 1]]);
    expect(vs('reviews').spec.http[0]?.route.map((d) => d.destination.subset)).toEqual(['v1']);
    expect(await seenNext(pages)).toEqual(['v1']);
  });

  it('blue-green: takeover switches everything to v2, rollback back to v1, takeover again', async () => {
    await step(pages, ['release', 'takeover', 'bg', 'v2']);
    expect(await seenNext(pages)).toEqual(['v2']);
    await step(pages, ['release', 'rollback', 'bg']);
    expect(await seenNext(pages)).toEqual(['v1']);
    await step(pages, ['release', 'takeover', 'bg', 'v2']);
    expect(await seenNext(pages)).toEqual(['v2']);
    const history = gm.json<ReleaseJson>(['release', 'get', 'bg', '-p', PROJECT]).status.history;
    expect(history.map((h) => h.operation)).toEqual(['create', 'takeover', 'rollback', 'takeover']);
    expect(history.every((h) => /^enforced at config version \d+$/.test(h.result ?? ''))).toBe(true);
  });

  it('blue-green: offline removes v1; v2 serves through a plain route', async () => {
    const out = await step(pages, ['release', 'offline', 'bg']);
    expect(out).toContain('v1 removed, v2 serves all traffic');
    expect(gm.cli(['get', 'workloads', 'reviews-v1', '-p', PROJECT]).code).not.toBe(0);
    expect(vs('reviews').spec.http.map((h) => h.route.map((d) => d.destination.subset))).toEqual([['v2']]);
    expect(await seenNext(pages)).toEqual(['v2']);
  });

  it('mirror: v1 answers every request while v2 receives copies (its log shows them)', async () => {
    await step(bins, ['release', 'create', 'mirror', 'shadow', '--service', 'httpbin', '--version', 'v2', '--image', HTTPBIN_IMAGE, '--mirror-percent', '100']);
    const rule = vs('httpbin').spec.http[0];
    expect(rule?.route.map((d) => d.destination.subset)).toEqual(['v1']);
    expect(rule?.mirror?.subset).toBe('v2');
    expect(rule?.mirrorPercentage?.value).toBe(100);
    expect(await seenNext(bins, 50)).toEqual(['v1']);
    // Envoy's shadow convention: the copy's Host carries -shadow.
    const mirrored = await eventually(() => {
      const log = gm.cli(['logs', 'httpbin-v2', '-p', PROJECT]).stdout;
      const lines = log.split('\n').filter((l) => l.startsWith('GET /get ') && l.includes('-shadow'));
      return lines.length >= 20 ? lines : undefined;
    }, 20_000, 200);
    expect(mirrored[0]).toMatch(/^GET \/get host=httpbin\.demo-project\.localhost-shadow(:\d+)? 200 /);
    expect(gm.cli(['logs', 'httpbin-v1', '-p', PROJECT]).stdout).not.toContain('-shadow');
  });

  it('mirror: offline removes the mirror version and leaves v1', async () => {
    const out = await step(bins, ['release', 'offline', 'shadow']);
    expect(out).toContain('v2 removed, v1 serves all traffic');
    expect(gm.cli(['get', 'workloads', 'httpbin-v2', '-p', PROJECT]).code).not.toBe(0);
    const rule = vs('httpbin').spec.http[0];
    expect(rule?.mirror).toBeUndefined();
    expect(rule?.route.map((d) => d.destination.subset)).toEqual(['v1']);
    expect(await seenNext(bins)).toEqual(['v1']);
  });

  it('abandon: a 50/50 canary deleted under load leaves v1 alone and its rules gone', async () => {
    await step(bins, ['release', 'create', 'canary', 'abandoned', '--service', 'httpbin', '--version', 'v2', '--image', HTTPBIN_IMAGE, '--weights', 'v1=50,v2=50']);
    expect(await seenNext(bins, 40)).toEqual(['v1', 'v2']);
    await step(bins, ['release', 'delete', 'abandoned']);
    expect(gm.cli(['get', 'workloads', 'httpbin-v2', '-p', PROJECT]).code).not.toBe(0);
    expect(gm.cli(['get', 'vs', 'httpbin', '-p', PROJECT]).code).not.toBe(0);
    expect(await seenNext(bins)).toEqual(['v1']);
  });

  it('lost not one request through the gateway across every step', async () => {
    await pages.stop();
    await bins.stop();
    expect(pages.failures).toEqual([]);
    expect(bins.failures).toEqual([]);
    expect(pages.total).toBeGreaterThan(50);
    expect(bins.total).toBeGreaterThan(50);
  });
});
