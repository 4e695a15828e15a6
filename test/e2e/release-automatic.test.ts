/**
 * Automatic releases end to end on real processes: the CLI, the control plane, the node
 * proxy, Bookinfo and httpbin, real webhook servers, and graymesh's load generator. Short
 * intervals keep it quick; each wait is on the release's status, never a sleep.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../../src/config/release/types.js';
import { httpbinManifests } from '../helpers/httpbin.js';
import { eventually, Instance } from '../helpers/instance.js';
import { Load, productpageVersion } from '../helpers/load.js';

const P = 'demo-project';
const Q = 'quiet';

async function hookServer(): Promise<{ url: string; calls: { path: string; body: Record<string, unknown> }[]; answer: { code: number }; close(): Promise<void> }> {
  const calls: { path: string; body: Record<string, unknown> }[] = [];
  const answer = { code: 500 };
  const server = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', body: JSON.parse(b) as Record<string, unknown> });
      res.writeHead(answer.code).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, answer, close: () => new Promise((r) => server.close(() => r())) };
}

describe('automatic releases: steps, checks, webhooks, rollback', () => {
  const gm = new Instance();
  const get = (name: string, project = P): Release => gm.json<Release>(['release', 'get', name, '-p', project]);
  const phaseIs = (name: string, project: string, ...phases: string[]) => () => {
    const r = get(name, project);
    return phases.includes(r.status?.phase ?? '') ? r : undefined;
  };

  beforeAll(async () => {
    expect((await gm.up([])).code).toBe(0);
    expect((await gm.cliAsync(['deploy', 'bookinfo', '-p', P])).code).toBe(0);
    expect(gm.cli(['project', 'create', Q]).code).toBe(0);
    const applied = await gm.cliAsync(['apply', '-p', Q, '-f', '-'], httpbinManifests());
    expect(applied.code, applied.stderr).toBe(0);
    await eventually(() => gm.gateway(`httpbin.${Q}.localhost`, '/get').then((r) => r.status === 200), 60_000);
  }, 180_000);

  afterAll(() => gm.cleanup());

  it('walks a good reviews v2 through --steps 20,50 to Succeeded by itself, with no failed request under steady load', async () => {
    const load = new Load({ port: gm.gatewayPort, host: `productpage.${P}.localhost`, path: '/productpage', version: productpageVersion });
    load.start(4);
    try {
      const created = await gm.cliAsync([
        'release', 'create', 'canary', 'reviews-auto', '-p', P, '--service', 'reviews', '--version', 'v2',
        '--image', 'kubesphere/examples-bookinfo-reviews-v2:1.13.0', '--steps', '20,50', '--interval', '2s',
        '--min-success-rate', '99', '--max-p99', '2s', '--min-requests', '5',
      ]);
      expect(created.code, created.stderr).toBe(0);
      // `release watch` follows it to its end, as plain lines here (no terminal), and exits 0 on Succeeded.
      const watched = await gm.cliAsync(['release', 'watch', 'reviews-auto', '-p', P]);
      expect(watched.code, watched.stdout + watched.stderr).toBe(0);
      expect(watched.stdout).toMatch(/Succeeded step 4 of 4 v2=100%/);
      expect(watched.stdout).toMatch(/check .*request-success-rate\s+v2\s+100 .* pass/);
      load.reset();
      await eventually(() => (load.seen.get('v2') ?? 0) >= 20 && !load.seen.has('v1'), 30_000);
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    const r = get('reviews-auto');
    expect(r.status?.versions.map((v) => [v.version, v.weight])).toEqual([['v1', 0], ['v2', 100]]);
    const checks = r.status?.analysis?.checks ?? [];
    // Two metrics at each of two weights passed (a window of a just-started version may have been inconclusive first); none failed.
    expect(checks.filter((c) => c.verdict === 'pass' && c.requests >= 5).length).toBeGreaterThanOrEqual(4);
    expect(checks.filter((c) => c.verdict === 'fail')).toEqual([]);
    const auto = (r.status?.history ?? []).filter((h) => h.user === 'graymesh');
    expect(auto.map((h) => [h.operation, h.onBehalfOf])).toEqual([['set-weight', 'admin'], ['set-weight', 'admin'], ['promote', 'admin']]);
    const audit = gm.json<{ items: { user: string; message?: string; path: string }[] }>(['audit', '-p', P]);
    expect(audit.items.filter((e) => e.user === 'graymesh').map((e) => e.path.split('/').pop())).toEqual(['promote', 'set-weight', 'set-weight']);
  }, 120_000);

  it('rolls a ratings v-faulty canary back by itself within two intervals; users saw failures only from its share', async () => {
    const load = new Load({ port: gm.gatewayPort, host: `ratings.${P}.localhost`, path: '/ratings/0', version: (status) => (status === 200 ? 'ok' : undefined) });
    load.start(4);
    try {
      const created = await gm.cliAsync([
        'release', 'create', 'canary', 'ratings-faulty', '-p', P, '--service', 'ratings', '--version', 'v2',
        '--image', 'docker.io/istio/examples-bookinfo-ratings-v-faulty:1.20.2', '--steps', '20,50', '--interval', '2s',
        '--min-success-rate', '99', '--min-requests', '5', '--threshold', '2',
      ]);
      expect(created.code, created.stderr).toBe(0);
      load.reset();
      const before = load.total;
      const watched = await gm.cliAsync(['release', 'watch', 'ratings-faulty', '-p', P]);
      expect(watched.code).toBe(1);
      const total = load.total - before;
      const r = get('ratings-faulty');
      expect(r.status?.phase).toBe('Failed');
      expect(r.status?.message).toMatch(/rolled back: 2 failed checks \(threshold 2\); last: request-success-rate of v2 \d+/);
      // Two check windows, both failed, both at the first weight: it never reached 50%.
      const checks = r.status?.analysis?.checks ?? [];
      expect(checks.map((c) => c.verdict)).toEqual(['fail', 'fail']);
      expect((r.status?.history ?? []).filter((h) => h.operation === 'set-weight').map((h) => (h.after as { weights: Record<string, number> }).weights.v2)).toEqual([20]);
      expect(r.status?.versions.map((v) => [v.version, v.weight])).toEqual([['v1', 100], ['v2', 0]]);
      expect(gm.cli(['get', 'deployment', 'ratings-v2', '-p', P]).code).not.toBe(0);
      // Only v2 failed, and it served 20% of the requests: users saw failures below that share.
      expect(load.failures.length).toBeGreaterThan(0);
      expect(load.failures.length).toBeLessThanOrEqual(Math.ceil(0.2 * total));
      expect(load.failures.every((f) => /^start: 503/.test(f))).toBe(true);
      // Once rolled back, ratings answers every request again.
      load.reset();
      const failed = load.failures.length;
      await eventually(() => (load.seen.get('ok') ?? 0) >= 50, 30_000);
      expect(load.failures.length).toBe(failed);
    } finally {
      await load.stop();
    }
  }, 120_000);

  it('ends a canary of a service with no traffic inconclusive, never Succeeded', async () => {
    const created = await gm.cliAsync([
      'release', 'create', 'canary', 'quiet-auto', '-p', Q, '--service', 'httpbin', '--version', 'v2', '--image', 'docker.io/graymesh/httpbin:1.0',
      '--steps', '50', '--interval', '1s', '--min-requests', '5', '--max-inconclusive', '2',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const watched = await gm.cliAsync(['release', 'watch', 'quiet-auto', '-p', Q]);
    expect(watched.code).toBe(1);
    const r = get('quiet-auto', Q);
    expect(r.status?.message).toMatch(/rolled back: 2 inconclusive checks in a row \(maxInconclusive 2\); last: request-success-rate of v2 - \(wants >= 99 %; 0 requests to v2, fewer than minRequests 5\)/);
    expect(r.status?.analysis?.checks.map((c) => c.verdict)).toEqual(['inconclusive', 'inconclusive']);
    expect(gm.cli(['release', 'delete', 'quiet-auto', '-p', Q]).code).toBe(0);
  }, 60_000);

  it('stops before any traffic moves when the pre-rollout webhook answers 500', async () => {
    const hook = await hookServer();
    try {
      const created = await gm.cliAsync([
        'release', 'create', 'canary', 'quiet-hook', '-p', Q, '--service', 'httpbin', '--version', 'v2', '--image', 'docker.io/graymesh/httpbin:1.0',
        '--steps', '50', '--interval', '1s', '--threshold', '1', '--webhook', `pre-rollout=${hook.url}/smoke`, '--webhook', `rollback=${hook.url}/rollback`,
      ]);
      expect(created.code, created.stderr).toBe(0);
      const r = await eventually(phaseIs('quiet-hook', Q, 'Failed'), 30_000);
      expect(r.status?.message).toMatch(/pre-rollout webhook pre-rollout answered 500 before any traffic moved/);
      expect((r.status?.history ?? []).some((h) => h.operation === 'set-weight')).toBe(false);
      expect(r.status?.analysis?.webhooks.map((w) => [w.type, w.status])).toEqual([['pre-rollout', 500], ['rollback', 500]]);
      expect(hook.calls.map((c) => c.path)).toEqual(['/smoke', '/rollback']);
      expect(hook.calls[0]?.body).toEqual({ name: 'quiet-hook', namespace: Q, phase: 'Progressing', metadata: { type: 'pre-rollout', service: 'httpbin', version: 'v2' } });
      const vs = gm.json<{ spec: { http: { route: { destination: { subset: string }; weight?: number }[] }[] } }>(['get', 'vs', 'httpbin', '-p', Q]);
      expect(vs.spec.http[0]?.route.map((x) => x.destination.subset)).toEqual(['v1']);
    } finally {
      await hook.close();
    }
    expect(gm.cli(['release', 'delete', 'quiet-hook', '-p', Q]).code).toBe(0);
  }, 60_000);

  it('holds in WaitingForPromotion until confirm-promotion answers 200; the load test gives a quiet service its verdict', async () => {
    const hook = await hookServer();
    hook.answer.code = 403;
    try {
      const yaml = `apiVersion: graymesh.dev/v1alpha1
kind: Release
metadata:
  name: quiet-gate
  namespace: ${Q}
spec:
  type: canary
  service: httpbin
  principal: v1
  newVersion: {version: v2, image: docker.io/graymesh/httpbin:1.0}
  analysis:
    steps:
    - setWeight: 50
    - analysis: {}
    interval: 1s
    minRequests: 3
    metrics:
    - name: request-success-rate
      thresholdRange: {min: 99}
    webhooks:
    - name: gate
      type: confirm-promotion
      url: ${hook.url}/gate
    loadTest:
      url: http://httpbin.${Q}.localhost:${gm.gatewayPort}/get
      rps: 20
`;
      const created = await gm.cliAsync(['release', 'create', '-f', '-', '-p', Q], yaml);
      expect(created.code, created.stderr).toBe(0);
      await eventually(phaseIs('quiet-gate', Q, 'WaitingForPromotion'), 30_000);
      // Asked again each interval, and held meanwhile.
      await eventually(() => hook.calls.length >= 3, 30_000);
      const held = get('quiet-gate', Q);
      expect(held.status?.phase).toBe('WaitingForPromotion');
      expect(held.status?.versions.map((v) => [v.version, v.weight])).toEqual([['v1', 50], ['v2', 50]]);
      hook.answer.code = 200;
      const done = await eventually(phaseIs('quiet-gate', Q, 'Succeeded', 'Failed'), 30_000);
      expect(done.status?.phase).toBe('Succeeded');
      expect(done.status?.analysis?.checks.some((c) => c.verdict === 'pass' && c.requests >= 3)).toBe(true);
      expect(done.status?.analysis?.webhooks.at(-1)).toEqual(expect.objectContaining({ type: 'confirm-promotion', status: 200, passed: true }));
    } finally {
      await hook.close();
    }
  }, 90_000);
});
