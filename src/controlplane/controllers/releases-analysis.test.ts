/**
 * Automatic releases (spec.analysis) on the engine-neutral controller over a real SQLite
 * store, a recorded settle, real webhook servers on loopback, and a fake clock: each
 * interval is a step of the clock, not a sleep. The metrics port is fed the traffic each
 * window should see.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../api/objects.js';
import type { Release, ReleaseAnalysis, ReleaseStatus } from '../../config/release/types.js';
import { ReleaseController } from '../../engine/releases/controller.js';
import type { Clock } from '../../engine/releases/analysis/clock.js';
import type { AnalysisMetrics, VersionTraffic } from '../../engine/releases/analysis/metrics.js';
import type { AutomaticStep } from '../../engine/releases/host.js';
import { SqliteObjectStore } from '../object-store.js';
import { Store } from '../store.js';
import { localWorkloads } from './releases.js';

const NS = 'demo';

class FakeClock implements Clock {
  t = Date.parse('2026-01-01T00:00:00Z');
  private timers: { at: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((x) => x !== timer));
  }
  /** Fires the timers due now, once. */
  fire(): number {
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const d of due) d.fn();
    return due.length;
  }
}

function deployment(version: string): Deployment {
  const labels = { app: 'reviews', version };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `reviews-${version}`, namespace: NS },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'reviews', image: `reviews-${version}` }] } } },
    status: { replicas: 1, readyReplicas: 1, updatedReplicas: 1, observedGeneration: 1 },
  };
}

function release(analysis: ReleaseAnalysis): Release {
  return {
    apiVersion: 'graymesh.dev/v1alpha1',
    kind: 'Release',
    metadata: { name: 'r', namespace: NS },
    spec: { type: 'canary', service: 'reviews', principal: 'v1', newVersion: { version: 'v2', image: 'reviews-v2' }, routes: {}, analysis },
  };
}

async function hookServer(answer: () => number): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(b) as Record<string, unknown>);
      res.writeHead(answer()).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

describe('automatic releases', () => {
  let store: Store;
  let ctl: ReleaseController;
  let clock: FakeClock;
  let traffic: Record<string, VersionTraffic>;
  let audits: AutomaticStep[];

  beforeEach(async () => {
    store = new Store(':memory:');
    clock = new FakeClock();
    traffic = {};
    audits = [];
    const metrics: AnalysisMetrics = { kind: 'embedded', versions: async () => traffic };
    ctl = new ReleaseController({
      store: new SqliteObjectStore(store),
      mesh: { settle: async () => ({ method: 'acks', waitedMs: 0 }), enforced: async () => ({ method: 'acks', proxies: [], waitedMs: 0 }) },
      workloads: localWorkloads,
      log: () => undefined,
      clock,
      metrics,
      audit: (s) => audits.push(s),
    });
    store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: NS }, spec: { ports: [{ port: 9080 }], selector: { app: 'reviews' } } });
    store.create(deployment('v1'));
    await ctl.start();
    await ctl.resume();
  });

  afterEach(async () => {
    await ctl.close();
    await ctl.idle();
    store.close();
  });

  const status = (): ReleaseStatus => store.get<Release>('Release', NS, 'r')?.status as ReleaseStatus;
  const weights = (): Record<string, number> | undefined => store.get<Release>('Release', NS, 'r')?.spec?.routes.weights;
  /** Lets every pass due now run to its end. */
  const settleDown = async (): Promise<void> => {
    for (let i = 0; i < 50; i++) {
      await ctl.idle();
      await new Promise((r) => setImmediate(r));
      if (clock.fire() === 0) {
        await ctl.idle();
        return;
      }
    }
  };
  const interval = async (ms = 10_000): Promise<void> => {
    clock.t += ms;
    await settleDown();
  };
  const start = async (a: ReleaseAnalysis): Promise<void> => {
    await ctl.create(release(a), { user: 'alice', readyTimeoutMs: 0 });
    store.updateStatus('Deployment', NS, 'reviews-v2', { replicas: 1, readyReplicas: 1, updatedReplicas: 1, observedGeneration: 1 });
    await settleDown();
  };

  it('walks stepWeights to Succeeded on passing checks, each step by graymesh for the creator', async () => {
    traffic = { v1: { requests: 400, errors: 0, p99: 20 }, v2: { requests: 100, errors: 0, p99: 25 } };
    await start({ stepWeights: [20, 50], interval: '10s', metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }, { name: 'request-duration', thresholdRange: { max: 500 } }] });
    expect(weights()).toEqual({ v1: 80, v2: 20 });
    expect(status().phase).toBe('Progressing');
    await interval();
    expect(weights()).toEqual({ v1: 50, v2: 50 });
    await interval();
    expect(status().phase).toBe('Succeeded');
    expect(weights()).toEqual({ v1: 0, v2: 100 });
    expect(status().analysis?.checks.map((c) => [c.metric, c.value, c.verdict])).toEqual([
      ['request-success-rate', 100, 'pass'],
      ['request-duration', 25, 'pass'],
      ['request-success-rate', 100, 'pass'],
      ['request-duration', 25, 'pass'],
    ]);
    const auto = status().history.filter((h) => h.user === 'graymesh');
    expect(auto.map((h) => [h.operation, h.onBehalfOf])).toEqual([['set-weight', 'alice'], ['set-weight', 'alice'], ['promote', 'alice']]);
    expect(audits.map((a) => a.operation)).toEqual(['set-weight', 'set-weight', 'promote']);
    expect(status().conditions).toEqual([expect.objectContaining({ type: 'Promoted', status: 'True' })]);
  });

  it('rolls back after `threshold` failed checks: the principal takes all, the new workload goes', async () => {
    traffic = { v1: { requests: 400, errors: 0, p99: 20 }, v2: { requests: 100, errors: 50, p99: 25 } };
    await start({ stepWeights: [20, 50], interval: '10s', threshold: 2 });
    await interval();
    expect(status().phase).toBe('Progressing');
    expect(status().message).toMatch(/check failed \(1 of 2\): request-success-rate of v2 50/);
    await interval();
    expect(status().phase).toBe('Failed');
    expect(status().message).toMatch(/rolled back: 2 failed checks \(threshold 2\)/);
    expect(weights()).toEqual({ v1: 100, v2: 0 });
    expect(store.get('Deployment', NS, 'reviews-v2')).toBeUndefined();
    const vs = store.get<{ spec: { http: { route: { destination: { subset: string } }[] }[] } } & Deployment>('VirtualService', NS, 'reviews');
    expect(vs?.spec.http[0]?.route.map((x) => x.destination.subset)).toEqual(['v1']);
  });

  it('never passes without minRequests: inconclusive windows end Failed, or Paused until promoted', async () => {
    traffic = { v1: { requests: 0, errors: 0, p99: null }, v2: { requests: 3, errors: 0, p99: 5 } };
    await start({ stepWeights: [20], interval: '10s', minRequests: 10, maxInconclusive: 2, onInconclusive: 'pause' });
    await interval();
    expect(status().analysis?.checks.at(-1)).toEqual(expect.objectContaining({ verdict: 'inconclusive', requests: 3, reason: '3 requests to v2, fewer than minRequests 10' }));
    await interval();
    expect(status().phase).toBe('Paused');
    await interval();
    expect(status().phase).toBe('Paused');
    await ctl.promote(NS, 'r', { user: 'bob' });
    await settleDown();
    expect(status().phase).toBe('Succeeded');
    expect(status().history.some((h) => h.user === 'bob' && h.operation === 'promote')).toBe(true);
  });

  it('compares with the baseline by an exact test: shared errors pass, errors of its own fail', async () => {
    const a: ReleaseAnalysis = { stepWeights: [50], interval: '10s', threshold: 1, metrics: [], compareToBaseline: { confidence: 0.95 } };
    traffic = { v1: { requests: 100, errors: 10, p99: 20 }, v2: { requests: 100, errors: 12, p99: 20 } };
    await start(a);
    await interval();
    expect(status().phase).toBe('Succeeded');
    expect(status().analysis?.checks.at(-1)).toEqual(expect.objectContaining({ metric: 'compare-to-baseline', verdict: 'pass', reason: 'v2 12/100 errors, v1 10/100' }));
  });

  it('fails a canary worse than its baseline by the exact test', async () => {
    traffic = { v1: { requests: 100, errors: 1, p99: 20 }, v2: { requests: 100, errors: 9, p99: 20 } };
    await start({ stepWeights: [50], interval: '10s', threshold: 1, metrics: [], compareToBaseline: { confidence: 0.95 } });
    await interval();
    expect(status().phase).toBe('Failed');
    const check = status().analysis?.checks.at(-1);
    expect(check?.verdict).toBe('fail');
    expect(check?.value).toBeLessThan(0.05);
  });

  it('a pre-rollout webhook answering 500 stops the release before any traffic moves', async () => {
    const hook = await hookServer(() => 500);
    try {
      await start({ stepWeights: [20], interval: '10s', threshold: 1, webhooks: [{ name: 'smoke', type: 'pre-rollout', url: hook.url }] });
      expect(status().phase).toBe('Failed');
      expect(status().message).toMatch(/pre-rollout webhook smoke answered 500 before any traffic moved/);
      expect(status().history.some((h) => h.operation === 'set-weight')).toBe(false);
      expect(hook.bodies[0]).toEqual({ name: 'r', namespace: NS, phase: 'Progressing', metadata: { type: 'pre-rollout', service: 'reviews', version: 'v2' } });
    } finally {
      await hook.close();
    }
  });

  it('confirm-promotion holds WaitingForPromotion until it answers 200', async () => {
    let code = 403;
    const hook = await hookServer(() => code);
    try {
      traffic = { v1: { requests: 400, errors: 0, p99: 20 }, v2: { requests: 100, errors: 0, p99: 25 } };
      await start({ stepWeights: [20], interval: '10s', webhooks: [{ name: 'gate', type: 'confirm-promotion', url: hook.url }] });
      await interval();
      expect(status().phase).toBe('WaitingForPromotion');
      await interval();
      expect(status().phase).toBe('WaitingForPromotion');
      expect(weights()).toEqual({ v1: 80, v2: 20 });
      code = 200;
      await interval();
      expect(status().phase).toBe('Succeeded');
      expect(status().analysis?.webhooks.map((w) => w.status)).toEqual([403, 403, 200]);
    } finally {
      await hook.close();
    }
  });

  it('abort rolls back at once, recorded as the person who asked', async () => {
    traffic = { v2: { requests: 100, errors: 0, p99: 5 } };
    await start({ stepWeights: [20, 50], interval: '10s' });
    const r = await ctl.abort(NS, 'r', { user: 'bob' });
    expect(r.status?.phase).toBe('Failed');
    expect(r.status?.message).toMatch(/rolled back: aborted by bob/);
    expect(status().history.at(-1)).toEqual(expect.objectContaining({ user: 'bob', operation: 'abort' }));
    await expect(ctl.promote(NS, 'r', { user: 'bob' })).rejects.toThrow(/promote refused: the release has failed/);
  });
});
