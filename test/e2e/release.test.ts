/**
 * Grayscale releases end to end, the tutorial's tasks 3, 4, 7 and 8 through
 * the CLI, under continuous load through the gateway: not one request may fail
 * at any step (create, set weights, take over, offline, roll back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instance } from '../helpers/instance.js';
import { Load, productpageVersion } from '../helpers/load.js';

interface ReleaseJson {
  metadata: { name: string };
  spec: { governor?: string; routes: { weights?: Record<string, number> } };
  status: {
    phase: string;
    governor?: string;
    versions: { version: string; workload: string; weight: number; replicas: number; readyReplicas: number }[];
    history: { operation: string; user: string; time: string; before?: unknown; after?: unknown }[];
  };
}

const HOST = 'productpage.demo-project.localhost';
const V2_IMAGE = 'kubesphere/examples-bookinfo-reviews-v2:1.13.0';

describe('grayscale releases never drop a request', () => {
  const gm = new Instance();
  let load: Load;

  beforeAll(async () => {
    const r = await gm.up([]);
    expect(r.code, r.stderr).toBe(0);
    const d = await gm.cliAsync(['deploy', 'bookinfo', '-p', 'demo-project']);
    expect(d.code, d.stderr).toBe(0);
    load = new Load({ port: gm.gatewayPort, host: HOST, path: '/productpage', version: productpageVersion });
    load.start();
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    gm.cleanup();
  });

  const release = (): ReleaseJson => gm.json<ReleaseJson>(['release', 'get', 'canary-release', '-p', 'demo-project']);

  it('creates reviews v2 as a 50/50 canary; both versions serve in equal share', async () => {
    const r = await gm.cliAsync([
      'release', 'create', 'canary', 'canary-release', '-p', 'demo-project',
      '--service', 'reviews', '--version', 'v2', '--image', V2_IMAGE, '--weights', 'v1=50,v2=50', '-o', 'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rel = JSON.parse(r.stdout) as ReleaseJson;
    expect(rel.status.phase).toBe('Running');
    expect(rel.status.versions).toEqual([
      { version: 'v1', workload: 'reviews-v1', weight: 50, replicas: 1, readyReplicas: 1 },
      { version: 'v2', workload: 'reviews-v2', weight: 50, replicas: 1, readyReplicas: 1 },
    ]);
    // The compiled rules are plain Istio objects naming the release.
    const vs = gm.json<{ metadata: { annotations: Record<string, string> }; spec: { http: { route: { destination: { subset: string }; weight: number }[] }[] } }>([
      'get', 'vs', 'reviews', '-p', 'demo-project',
    ]);
    expect(vs.metadata.annotations['graymesh.dev/release']).toBe('canary-release');
    expect(vs.spec.http[0]?.route.map((x) => [x.destination.subset, x.weight])).toEqual([['v1', 50], ['v2', 50]]);
    // Over 100 page loads in sequence, the split is exact: smooth weighted round-robin.
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const page = await gm.gateway(HOST, '/productpage');
      const v = /reviews-(v\d)-/.exec(page.body)?.[1] ?? 'none';
      counts[v] = (counts[v] ?? 0) + 1;
      if (v === 'v2') expect(page.body).toMatch(/color:\s*black[^>]*>\s*★/);
    }
    expect(counts.v1).toBeGreaterThanOrEqual(35);
    expect(counts.v2).toBeGreaterThanOrEqual(35);
    expect((counts.v1 ?? 0) + (counts.v2 ?? 0)).toBe(100);
  });

  it('refuses invalid operations and changes nothing', () => {
    const before = JSON.stringify(release().spec);
    const cases: [string[], RegExp][] = [
      [['release', 'offline', 'canary-release', '-p', 'demo-project'], /offline needs one version serving all traffic; take over first/],
      [['release', 'set-weights', 'canary-release', 'v1=20,v2=70', '-p', 'demo-project'], /weights sum to 90, must be 100/],
      [['release', 'set-weights', 'canary-release', 'v1=20,v9=80', '-p', 'demo-project'], /unknown version "v9"/],
      [['release', 'takeover', 'canary-release', 'v7', '-p', 'demo-project'], /unknown version "v7"/],
      [
        ['release', 'create', 'canary', 'second', '-p', 'demo-project', '--service', 'reviews', '--version', 'v3', '--image', 'istio/examples-bookinfo-reviews-v3:1.20', '--principal', 'v1', '--weights', 'v1=90,v3=10'],
        /already has release canary-release/,
      ],
    ];
    for (const [args, msg] of cases) {
      const r = gm.cli(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.split('\n')[0]).toMatch(/^error: /);
      expect(r.stderr).toMatch(msg);
    }
    expect(JSON.stringify(release().spec)).toBe(before);
    expect(gm.cli(['get', 'workloads', 'reviews-v3', '-p', 'demo-project']).code).not.toBe(0);
  });

  it('shifts weights to 20/80 and records who, when, before and after', async () => {
    const r = gm.cli(['release', 'set-weights', 'canary-release', 'v1=20,v2=80', '-p', 'demo-project']);
    expect(r.code, r.stderr).toBe(0);
    const rel = release();
    expect(rel.status.versions.map((v) => v.weight)).toEqual([20, 80]);
    const last = rel.status.history.at(-1)!;
    expect(last.operation).toBe('set-weights');
    expect(last.user).toBe('admin');
    expect(last.before).toMatchObject({ weights: { v1: 50, v2: 50 } });
    expect(last.after).toMatchObject({ weights: { v1: 20, v2: 80 } });
    const counts: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      const v = /reviews-(v\d)-/.exec((await gm.gateway(HOST, '/productpage')).body)?.[1] ?? 'none';
      counts[v] = (counts[v] ?? 0) + 1;
    }
    expect(counts.v2).toBeGreaterThan(counts.v1 ?? 0);
  });

  it('takes over: only v2 serves (black stars)', async () => {
    const r = gm.cli(['release', 'takeover', 'canary-release', 'v2', '-p', 'demo-project']);
    expect(r.code, r.stderr).toBe(0);
    expect(release().status.governor).toBe('v2');
    for (let i = 0; i < 20; i++) {
      const page = await gm.gateway(HOST, '/productpage');
      expect(page.body).toMatch(/reviews-v2-/);
      expect(page.body).toMatch(/color:\s*black[^>]*>\s*★/);
    }
  });

  it('rolls back and restores: the principal serves all, then the weights apply again', async () => {
    expect(gm.cli(['release', 'rollback', 'canary-release', '-p', 'demo-project']).code).toBe(0);
    expect(release().status.governor).toBe('v1');
    for (let i = 0; i < 10; i++) expect((await gm.gateway(HOST, '/productpage')).body).toMatch(/reviews-v1-/);
    expect(gm.cli(['release', 'restore', 'canary-release', '-p', 'demo-project']).code).toBe(0);
    const rel = release();
    expect(rel.status.governor).toBeUndefined();
    expect(rel.status.versions.map((v) => v.weight)).toEqual([20, 80]);
    expect(gm.cli(['release', 'takeover', 'canary-release', 'v2', '-p', 'demo-project']).code).toBe(0);
  });

  it('takes v1 offline: its workload is gone, v2 serves everything through a plain route', async () => {
    const r = gm.cli(['release', 'offline', 'canary-release', '-p', 'demo-project']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('v1 removed, v2 serves all traffic');
    expect(gm.cli(['get', 'workloads', 'reviews-v1', '-p', 'demo-project']).code).not.toBe(0);
    expect(gm.json<{ items: unknown[] }>(['release', 'list', '-p', 'demo-project']).items).toHaveLength(0);
    const vs = gm.json<{ metadata: { annotations: Record<string, string> }; spec: { http: { route: { destination: { subset: string } }[] }[] } }>([
      'get', 'vs', 'reviews', '-p', 'demo-project',
    ]);
    expect(vs.metadata.annotations['graymesh.dev/release']).toBeUndefined();
    expect(vs.spec.http[0]?.route[0]?.destination.subset).toBe('v2');
    for (let i = 0; i < 10; i++) expect((await gm.gateway(HOST, '/productpage')).body).toMatch(/reviews-v2-/);
  });

  it('lost not one request through the gateway across every step', async () => {
    await load.stop();
    expect(load.total).toBeGreaterThan(50);
    expect(load.failures).toEqual([]);
    expect(load.seen.get('v1')).toBeGreaterThan(0);
    expect(load.seen.get('v2')).toBeGreaterThan(0);
  });
});
