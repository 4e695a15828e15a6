/**
 * Releases across restarts: a release survives `down` and `up` on the same home (same
 * rules, history kept), and a control plane killed with SIGKILL in the middle of an
 * offline or of a create finishes the job after `up`, losing no request: the proxy
 * keeps serving with its last config meanwhile, and a request in flight on the version
 * taken offline still gets its answer.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpbinManifests, lateHttpbinContainer } from '../helpers/httpbin.js';
import { eventually, Instance, request } from '../helpers/instance.js';
import { GatewayClient, httpbinVersion, inParallel, Load } from '../helpers/load.js';
import { isAlive as alive } from '../../src/runtime/process-marker.js';

const PROJECT = 'restarts';
const HTTPBIN = `httpbin.${PROJECT}.localhost`;

interface ReleaseJson {
  spec: unknown;
  status: { phase: string; pending?: unknown; versions: { version: string; weight: number }[]; history: { time: string; user: string; operation: string; result?: string }[] };
}
interface VsJson {
  metadata: { annotations?: Record<string, string> };
  spec: { http: { route: { destination: { subset: string }; weight?: number }[] }[] };
}
interface PodList {
  items: { metadata: { name: string; annotations?: Record<string, string> }; status?: { pid?: number } }[];
}

describe('releases across restarts of the control plane', () => {
  const gm = new Instance();
  const readyDir = path.join(gm.home, 'ready');
  let client: GatewayClient;
  const open = (version: string): void => writeFileSync(path.join(readyDir, version), '');

  beforeAll(async () => {
    const up = await gm.up();
    expect(up.code, up.stderr).toBe(0);
    expect(gm.cli(['project', 'create', PROJECT]).code).toBe(0);
    mkdirSync(readyDir, { recursive: true });
    open('v1');
    open('v2');
    const file = path.join(gm.home, 'httpbin.yaml');
    writeFileSync(file, httpbinManifests(lateHttpbinContainer(readyDir)));
    expect(gm.cli(['apply', '-f', file, '-p', PROJECT]).code).toBe(0);
    await eventually(async () => (await gm.gateway(HTTPBIN, '/get')).status === 200, 60_000, 200);
    client = new GatewayClient(gm.gatewayPort);
  }, 120_000);

  afterAll(() => {
    client?.close();
    gm.cleanup();
  });

  const release = (name: string): ReleaseJson => gm.json<ReleaseJson>(['release', 'get', name, '-p', PROJECT]);
  const vs = (): VsJson => gm.json<VsJson>(['get', 'vs', 'httpbin', '-p', PROJECT]);
  const routes = (): [string, number | undefined][] => (vs().spec.http[0]?.route ?? []).map((d) => [d.destination.subset, d.weight]);
  const token = (): string => /token:\s*(\S+)/.exec(readFileSync(path.join(gm.home, 'admin-credentials'), 'utf8'))?.[1] ?? '';
  const killControlPlane = (): void => {
    const pid = (JSON.parse(readFileSync(path.join(gm.home, 'instance.json'), 'utf8')) as { pid: number }).pid;
    process.kill(pid, 'SIGKILL');
  };
  const versions = async (n = 20): Promise<string[]> => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const a = await client.request(HTTPBIN, '/get');
      seen.add(httpbinVersion(a.status, a.body) ?? `failed ${a.status}`);
    }
    return [...seen].sort();
  };

  it('a release survives down and up: the same rules enforced, its history kept', async () => {
    const c = await gm.cliAsync([
      'release', 'create', 'canary', 'rel', '-p', PROJECT, '--service', 'httpbin', '--version', 'v2', '--image', 'example.com/late/httpbin:2', '--weights', 'v1=50,v2=50',
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect(gm.cli(['release', 'set-weights', 'rel', 'v1=30,v2=70', '-p', PROJECT]).code).toBe(0);
    const before = release('rel');
    const rules = vs().spec;
    expect(gm.down().code).toBe(0);
    expect((await gm.up()).code).toBe(0);
    const after = release('rel');
    expect(after.spec).toEqual(before.spec);
    expect(after.status.history).toEqual(before.status.history);
    expect(after.status.history.map((h) => h.operation)).toEqual(['create', 'set-weights']);
    expect(vs().spec).toEqual(rules);
    // The workloads restart; then both versions serve again by the same weights.
    await eventually(async () => (await versions()).join() === 'v1,v2', 60_000, 200);
    expect(release('rel').status.phase).toBe('Running');
    expect(release('rel').status.versions.map((v) => v.weight)).toEqual([30, 70]);
  });

  it('killed mid-offline, the control plane finishes it after up; in-flight and ongoing requests all succeed', async () => {
    // Ten slow requests dealt 30/70 while both versions serve (any ten consecutive picks give v1
    // exactly three): three are in flight on v1 when it goes.
    const slow = inParallel(Array.from({ length: 10 }, (_, i) => i), 10, async () => {
      const c = new GatewayClient(gm.gatewayPort);
      try {
        const a = await c.request(HTTPBIN, '/delay/10');
        return httpbinVersion(a.status, a.body) ?? `failed ${a.status}`;
      } finally {
        c.close();
      }
    });
    // All ten have reached their pods (both versions log each request as it arrives) before the weights change.
    const arrived = (version: string): number => gm.cli(['logs', `httpbin-${version}`, '-p', PROJECT]).stdout.split('\n').filter((l) => l.endsWith('arrived GET /delay/10')).length;
    await eventually(() => arrived('v1') + arrived('v2') === 10, 30_000, 100);
    const load = new Load({ port: gm.gatewayPort, host: HTTPBIN, path: '/get', version: httpbinVersion });
    load.start(3);
    load.phase = 'takeover';
    expect(gm.cli(['release', 'takeover', 'rel', 'v2', '-p', PROJECT]).code).toBe(0);
    const v1Pids = gm.json<PodList>(['get', 'pods', '-p', PROJECT]).items.filter((p) => p.metadata.name.startsWith('httpbin-v1-')).map((p) => p.status?.pid as number);
    expect(v1Pids).toHaveLength(1);
    load.phase = 'offline';
    const offline = gm.cliAsync(['release', 'offline', 'rel', '-p', PROJECT]);
    // Mid-way: v1's Deployment is gone and its pod drains the slow requests, the release not yet deleted.
    const api = async (p: string): Promise<{ status: number; body: string }> => request(gm.port, p, { authorization: `Bearer ${token()}` });
    await eventually(async () => (await api(`/api/v1/projects/${PROJECT}/deployments/httpbin-v1`)).status === 404, 30_000, 20);
    const mid = JSON.parse((await api(`/api/v1/projects/${PROJECT}/releases/rel`)).body) as ReleaseJson;
    expect(mid.status.pending).toMatchObject({ operation: 'offline', survivor: 'v2', removed: 'v1' });
    load.phase = 'control plane killed';
    killControlPlane();
    expect((await offline).code).not.toBe(0);
    load.phase = 'up';
    expect((await gm.up()).code).toBe(0);
    load.phase = 'after up';
    await eventually(() => gm.json<{ items: unknown[] }>(['release', 'list', '-p', PROJECT]).items.length === 0, 60_000, 200);
    expect(vs().metadata.annotations?.['graymesh.dev/release']).toBeUndefined();
    expect(routes()).toEqual([['v2', undefined]]);
    await eventually(() => !alive(v1Pids[0] as number), 30_000, 200);
    const answers = await slow;
    expect(answers.filter((a) => a !== 'v1' && a !== 'v2')).toEqual([]);
    expect(answers.filter((a) => a === 'v1')).toHaveLength(3);
    expect(await versions()).toEqual(['v2']);
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.total).toBeGreaterThan(20);
  });

  it('killed while a create waits for its workload, the release goes on after up', async () => {
    rmSync(path.join(readyDir, 'v3'), { force: true });
    const created = gm.cliAsync([
      'release', 'create', 'canary', 'next', '-p', PROJECT, '--service', 'httpbin', '--version', 'v3', '--image', 'example.com/late/httpbin:3', '--weights', 'v2=50,v3=50',
    ]);
    await eventually(() => gm.cli(['release', 'get', 'next', '-p', PROJECT]).code === 0 && release('next').status.phase === 'Pending', 30_000, 100);
    killControlPlane();
    expect((await created).code).not.toBe(0);
    expect((await gm.up()).code).toBe(0);
    expect(release('next').status.phase).toBe('Pending');
    expect(routes()).toEqual([['v2', 100]]);
    open('v3');
    await eventually(() => release('next').status.phase === 'Running', 60_000, 200);
    expect(routes()).toEqual([['v2', 50], ['v3', 50]]);
    await eventually(async () => (await versions()).join() === 'v2,v3', 30_000, 200);
    const history = release('next').status.history;
    expect(history.map((h) => [h.operation, h.user])).toEqual([['create', 'admin']]);
    expect(history[0]?.result).toMatch(/^enforced at config version \d+$/);
  });
});
