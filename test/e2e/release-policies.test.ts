/**
 * Release policies end to end with a workload whose readiness comes late: an
 * httpbin that starts listening only once a file named after its version exists,
 * so the test decides when a version becomes ready.
 * - WaitForWorkloadReady (the default): no traffic to v2 until it is ready; the
 *   create call returns once routed.
 * - Immediately: the rules apply at once, ready or not.
 * - Paused: the principal serves everything until `release resume`; `release pause`
 *   holds the rules again.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpbinManifests, lateHttpbinContainer } from '../helpers/httpbin.js';
import { eventually, Instance } from '../helpers/instance.js';
import { GatewayClient, httpbinVersion, Load } from '../helpers/load.js';

const PROJECT = 'policies';
const HTTPBIN = `httpbin.${PROJECT}.localhost`;

interface ReleaseJson {
  status: {
    phase: string;
    message?: string;
    versions: { version: string; weight: number; readyReplicas: number }[];
    history: { operation: string; after?: { policy?: string }; result?: string }[];
  };
}
interface VsJson {
  spec: { http: { route: { destination: { subset: string }; weight?: number }[] }[] };
}

describe('release policies with a workload whose readiness comes late', () => {
  const gm = new Instance();
  const readyDir = path.join(gm.home, 'ready');
  let client: GatewayClient;
  const gate = (version: string, open: boolean): void => {
    const f = path.join(readyDir, version);
    if (open) writeFileSync(f, '');
    else rmSync(f, { force: true });
  };

  beforeAll(async () => {
    const r = await gm.up();
    expect(r.code, r.stderr).toBe(0);
    expect(gm.cli(['project', 'create', PROJECT]).code).toBe(0);
    mkdirSync(readyDir, { recursive: true });
    gate('v1', true);
    const file = path.join(gm.home, 'httpbin.yaml');
    writeFileSync(file, httpbinManifests(lateHttpbinContainer(readyDir)));
    const a = gm.cli(['apply', '-f', file, '-p', PROJECT]);
    expect(a.code, a.stderr).toBe(0);
    await eventually(async () => (await gm.gateway(HTTPBIN, '/get')).status === 200, 60_000, 200);
    client = new GatewayClient(gm.gatewayPort);
  }, 120_000);

  afterAll(() => {
    client?.close();
    gm.cleanup();
  });

  const release = (name: string): ReleaseJson => gm.json<ReleaseJson>(['release', 'get', name, '-p', PROJECT]);
  const routes = (): [string, number | undefined][] =>
    (gm.json<VsJson>(['get', 'vs', 'httpbin', '-p', PROJECT]).spec.http[0]?.route ?? []).map((d) => [d.destination.subset, d.weight]);
  const create = (name: string, extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    gm.cliAsync([
      'release', 'create', 'canary', name, '-p', PROJECT, '--service', 'httpbin', '--version', 'v2', '--image', 'example.com/late/httpbin:2',
      '--weights', 'v1=50,v2=50', '-o', 'json', ...extra,
    ]);
  /** Versions answering the next n direct requests. */
  const versions = async (n = 20): Promise<string[]> => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const a = await client.request(HTTPBIN, '/get');
      seen.add(httpbinVersion(a.status, a.body) ?? `failed ${a.status}`);
    }
    return [...seen].sort();
  };
  const remove = async (name: string): Promise<void> => {
    const d = await gm.cliAsync(['release', 'delete', name, '-p', PROJECT]);
    expect(d.code, d.stderr).toBe(0);
  };

  it('WaitForWorkloadReady: v1 serves everything until v2 is ready; create returns once v2 is routed', async () => {
    gate('v2', false);
    const load = new Load({ port: gm.gatewayPort, host: HTTPBIN, path: '/get', version: httpbinVersion });
    load.start(3);
    let returned = false;
    const created = create('wait', []).then((r) => {
      returned = true;
      return r;
    });
    await eventually(() => gm.cli(['release', 'get', 'wait', '-p', PROJECT]).code === 0, 30_000, 100);
    await eventually(() => release('wait').status.versions[1]?.version === 'v2', 30_000, 100);
    const pending = release('wait');
    expect(pending.status.phase).toBe('Pending');
    expect(pending.status.message).toMatch(/waiting for workload httpbin-v2 to be ready/);
    expect(routes()).toEqual([['v1', 100]]);
    load.reset();
    await eventually(() => (load.seen.get('v1') ?? 0) >= 30, 30_000, 50);
    expect([...load.seen.keys()]).toEqual(['v1']);
    expect(returned).toBe(false);

    gate('v2', true);
    const r = await created;
    expect(r.code, r.stderr).toBe(0);
    const rel = JSON.parse(r.stdout) as ReleaseJson;
    expect(rel.status.phase).toBe('Running');
    expect(rel.status.versions.map((v) => [v.version, v.weight, v.readyReplicas])).toEqual([['v1', 50, 1], ['v2', 50, 1]]);
    expect(rel.status.history[0]?.result).toMatch(/^enforced at config version \d+$/);
    expect(routes()).toEqual([['v1', 50], ['v2', 50]]);
    load.reset();
    await eventually(() => (load.seen.get('v2') ?? 0) >= 10, 30_000, 50);
    await remove('wait');
    await load.stop();
    expect(load.failures).toEqual([]);
  });

  it('a pending create does not hold up a delete', async () => {
    gate('v2', false);
    const created = create('abandoned', []);
    await eventually(() => gm.cli(['release', 'get', 'abandoned', '-p', PROJECT]).code === 0 && release('abandoned').status.phase === 'Pending', 30_000, 100);
    await remove('abandoned');
    const r = await created;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/release abandoned in project policies was deleted while waiting for its workload/);
    expect(gm.cli(['get', 'workloads', 'httpbin-v2', '-p', PROJECT]).code).not.toBe(0);
    expect(await versions()).toEqual(['v1']);
  });

  it('Immediately: the rules apply at once, before v2 is ready', async () => {
    gate('v2', false);
    const r = await create('now', ['--policy', 'Immediately']);
    expect(r.code, r.stderr).toBe(0);
    const rel = JSON.parse(r.stdout) as ReleaseJson;
    expect(rel.status.phase).toBe('Running');
    // The gate is shut: v2 cannot be ready, yet it is routed.
    expect(rel.status.versions.map((v) => [v.version, v.weight, v.readyReplicas])).toEqual([['v1', 50, 1], ['v2', 50, 0]]);
    expect(routes()).toEqual([['v1', 50], ['v2', 50]]);
    gate('v2', true);
    await eventually(async () => (await versions()).join() === 'v1,v2', 30_000, 200);
    await remove('now');
  });

  it('Paused: the principal serves everything until resume; pause holds the rules again', async () => {
    gate('v2', true);
    const load = new Load({ port: gm.gatewayPort, host: HTTPBIN, path: '/get', version: httpbinVersion });
    load.start(3);
    const r = await create('held', ['--policy', 'Paused']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ReleaseJson).status.phase).toBe('Paused');
    await eventually(() => release('held').status.versions[1]?.readyReplicas === 1, 30_000, 200);
    expect(routes()).toEqual([['v1', 100]]);
    expect(await versions()).toEqual(['v1']);

    expect(gm.cli(['release', 'resume', 'held', '-p', PROJECT]).code).toBe(0);
    expect(release('held').status.phase).toBe('Running');
    expect(routes()).toEqual([['v1', 50], ['v2', 50]]);
    expect(await versions()).toEqual(['v1', 'v2']);

    expect(gm.cli(['release', 'pause', 'held', '-p', PROJECT]).code).toBe(0);
    const paused = release('held');
    expect(paused.status.phase).toBe('Paused');
    expect(routes()).toEqual([['v1', 100]]);
    expect(await versions()).toEqual(['v1']);
    expect(paused.status.history.map((h) => [h.operation, h.after?.policy])).toEqual([
      ['create', 'Paused'],
      ['set-policy', 'WaitForWorkloadReady'],
      ['set-policy', 'Paused'],
    ]);
    expect(paused.status.history.map((h) => h.result?.split(' ')[0])).toEqual(['held', 'enforced', 'held']);
    await remove('held');
    await load.stop();
    expect(load.failures).toEqual([]);
  });
});
