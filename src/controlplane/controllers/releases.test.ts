/**
 * The local engine's release controller (the engine-neutral one over the SQLite store):
 * its order of steps, against a real store and a recorded `settle` (the point where
 * every proxy has ACKed): each change that could send a request where it cannot be
 * served must come after the settle that makes it safe. test/engines runs the same
 * scenarios on both engines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment, KubeObject } from '../../api/objects.js';
import type { Release, ReleaseSpec, ReleaseStatus } from '../../config/release/types.js';
import { Store, type WatchEventType } from '../store.js';
import type { ReleaseController } from '../../engine/releases/controller.js';
import { localMesh, localReleaseController } from './releases.js';

const NS = 'demo';

function deployment(version: string, ready = true): Deployment {
  const labels = { app: 'reviews', version };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    // Labels on the template only, as Istio's samples write them.
    metadata: { name: `reviews-${version}`, namespace: NS },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'reviews', image: `reviews-${version}` }] } } },
    status: { replicas: 1, readyReplicas: ready ? 1 : 0, updatedReplicas: 1, observedGeneration: 1 },
  };
}

function release(name: string, spec: Partial<ReleaseSpec> = {}): Release {
  return {
    apiVersion: 'graymesh.dev/v1alpha1',
    kind: 'Release',
    metadata: { name, namespace: NS },
    spec: { type: 'canary', service: 'reviews', principal: 'v1', newVersion: { version: 'v2', image: 'reviews-v2' }, routes: { weights: { v1: 50, v2: 50 } }, ...spec },
  };
}

/** What an Istio object routes to, in one word: `VS[v1=50,v2=50]`, `DR[v1,v2]`. */
function describeObject(o: KubeObject): string {
  const spec = o.spec as { http?: { route: { destination: { subset: string }; weight?: number }[] }[]; subsets?: { name: string }[] };
  if (o.kind === 'VirtualService') return `VS[${(spec.http ?? []).flatMap((h) => h.route.map((d) => `${d.destination.subset}${d.weight !== undefined ? `=${d.weight}` : ''}`)).join(',')}]`;
  if (o.kind === 'DestinationRule') return `DR[${(spec.subsets ?? []).map((s) => s.name).join(',')}]`;
  return `${o.kind} ${o.metadata.name}`;
}

describe('release controller: make-before-break order', () => {
  let store: Store;
  let ctl: ReleaseController;
  let steps: string[];

  beforeEach(async () => {
    store = new Store(':memory:');
    steps = [];
    let version = 0;
    const mesh = localMesh({
      settle: async () => {
        steps.push('settle');
        return ++version;
      },
      publish: () => version,
      waitFor: async () => undefined,
      proxies: () => [{ name: 'node-proxy', connected: true, ackedVersion: version }],
    });
    ctl = localReleaseController({ store, mesh, log: () => undefined });
    store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: NS }, spec: { ports: [{ port: 9080 }], selector: { app: 'reviews' } } });
    store.create(deployment('v1'));
    store.watch((e) => {
      const o = e.object;
      if (o.kind === 'VirtualService' || o.kind === 'DestinationRule') steps.push(`${e.type === 'DELETED' ? 'delete ' : ''}${describeObject(o)}`);
      else if ((o.kind === 'Deployment' || o.kind === 'Release') && e.type !== 'MODIFIED') steps.push(`${e.type === 'ADDED' ? 'create' : 'delete'} ${o.kind} ${o.metadata.name}`);
    });
    await ctl.start();
    await ctl.resume();
  });

  afterEach(async () => {
    await ctl.close();
    await ctl.idle();
    store.close();
  });

  /** Steps recorded since the last call, with repeated settles (nothing changed in between) folded. */
  const drain = (): string[] => {
    const out = steps.filter((s, i) => !(s === 'settle' && steps[i - 1] === 'settle'));
    steps = [];
    return out;
  };
  const ready = (version: string): void => void store.updateStatus('Deployment', NS, `reviews-${version}`, { replicas: 1, readyReplicas: 1, updatedReplicas: 1, observedGeneration: 1 });
  const status = (name: string): ReleaseStatus => store.get<Release>('Release', NS, name)?.status as ReleaseStatus;
  /** Resolves when the store tells of the object's `type` event. */
  const storeEvent = (type: WatchEventType, kind: string, name: string): Promise<void> =>
    new Promise((resolve) => {
      const off = store.watch((e) => {
        if (e.type !== type || e.object.kind !== kind || e.object.metadata.name !== name) return;
        off();
        resolve();
      });
    });

  it('create: subsets acked, then the principal pinned, then the workload; the rules only once it is ready', async () => {
    const workload = storeEvent('ADDED', 'Deployment', 'reviews-v2');
    const created = ctl.create(release('r'), { user: 'alice', readyTimeoutMs: 10_000 });
    // The new Deployment exists and is not ready: the principal keeps everything.
    await workload;
    // (Later passes while it waits change nothing, and wait for nothing.)
    expect(drain().slice(0, 6)).toEqual(['create Release r', 'DR[v1,v2]', 'settle', 'VS[v1=100]', 'settle', 'create Deployment reviews-v2']);
    expect(status('r').phase).toBe('Pending');
    ready('v2');
    const r = await created;
    expect(drain().filter((x, i, all) => x !== 'settle' || i === all.length - 1)).toEqual(['VS[v1=50,v2=50]', 'settle']);
    expect(r.status?.phase).toBe('Running');
    expect(r.status?.history).toEqual([
      expect.objectContaining({ user: 'alice', operation: 'create', after: expect.objectContaining({ weights: { v1: 50, v2: 50 } }), result: expect.stringMatching(/^enforced at config version \d+$/) }),
    ]);
  });

  it('offline: the route to the survivor acked, then its subset alone acked, then the old workload, then the release', async () => {
    store.create(deployment('v2'));
    await ctl.create(release('r'), { user: 'alice' });
    await ctl.takeover(NS, 'r', 'v2', { user: 'bob' });
    drain();
    await ctl.offline(NS, 'r', { user: 'bob' });
    expect(drain()).toEqual(['VS[v2]', 'settle', 'DR[v2]', 'settle', 'delete Deployment reviews-v1', 'delete Release r', 'settle']);
  });

  it('offline refuses while the survivor is not ready, and changes nothing', async () => {
    store.create(deployment('v2'));
    await ctl.create(release('r', { policy: 'Immediately' }), { user: 'alice' });
    await ctl.takeover(NS, 'r', 'v2', { user: 'alice' });
    store.updateStatus('Deployment', NS, 'reviews-v2', { replicas: 1, readyReplicas: 0 });
    drain();
    await expect(ctl.offline(NS, 'r', { user: 'alice' })).rejects.toThrow(/offline would leave v2 serving alone, but its workload reviews-v2 has 0\/1 ready replicas/);
    expect(drain().filter((s) => s !== 'settle')).toEqual([]);
    expect(store.get('Deployment', NS, 'reviews-v1')).toBeDefined();
  });

  it('delete: the principal pinned and acked before the workload the release created goes; the rules go last', async () => {
    await ctl.create(release('r'), { user: 'alice', readyTimeoutMs: 0 });
    ready('v2');
    await ctl.restore(NS, 'r', { user: 'alice' });
    drain();
    await ctl.delete(NS, 'r', { user: 'carol' });
    expect(drain()).toEqual(['VS[v1=100]', 'settle', 'delete Deployment reviews-v2', 'delete VS[v1=100]', 'delete DR[v1,v2]', 'delete Release r', 'settle']);
  });

  it('delete leaves a plain route to the principal when another version still runs', async () => {
    store.create(deployment('v2'));
    await ctl.create(release('r'), { user: 'alice' });
    drain();
    await ctl.delete(NS, 'r', { user: 'carol' });
    expect(drain()).toEqual(['VS[v1=100]', 'settle', 'VS[v1]', 'settle', 'DR[v1]', 'delete Release r', 'settle']);
    expect(store.get('Deployment', NS, 'reviews-v2')).toBeDefined();
  });

  it('a pending offline left by a dead control plane is finished on resume', async () => {
    store.create(deployment('v2'));
    await ctl.create(release('r'), { user: 'alice' });
    await ctl.takeover(NS, 'r', 'v2', { user: 'alice' });
    const st = status('r');
    store.updateStatus('Release', NS, 'r', { ...st, pending: { operation: 'offline', user: 'bob', survivor: 'v2', removed: 'v1' } });
    drain();
    await ctl.resume();
    await ctl.idle();
    expect(drain()).toEqual(['VS[v2]', 'settle', 'DR[v2]', 'settle', 'delete Deployment reviews-v1', 'delete Release r', 'settle']);
  });

  it('refuses other operations while an offline is pending', async () => {
    store.create(deployment('v2'));
    await ctl.create(release('r'), { user: 'alice' });
    store.updateStatus('Release', NS, 'r', { ...status('r'), pending: { operation: 'offline', user: 'bob', survivor: 'v1', removed: 'v2' } });
    await expect(ctl.setWeights(NS, 'r', { v1: 10, v2: 90 }, { user: 'alice' })).rejects.toThrow(/set-weights refused: offline is under way \(asked by bob\)/);
  });

  it('records every operation with who, before, after and the result', async () => {
    store.create(deployment('v2'));
    await ctl.create(release('r'), { user: 'alice' });
    await ctl.setWeights(NS, 'r', { v1: 20, v2: 80 }, { user: 'bob' });
    await ctl.setPolicy(NS, 'r', 'Paused', { user: 'carol' });
    await ctl.rollback(NS, 'r', { user: 'dave' });
    const h = status('r').history;
    expect(h.map((e) => [e.operation, e.user, e.result?.split(' ')[0]])).toEqual([
      ['create', 'alice', 'enforced'],
      ['set-weights', 'bob', 'enforced'],
      ['set-policy', 'carol', 'held'],
      ['rollback', 'dave', 'held'],
    ]);
    expect(h[1]).toMatchObject({ before: { weights: { v1: 50, v2: 50 } }, after: { weights: { v1: 20, v2: 80 } } });
    expect(h[3]).toMatchObject({ before: { governor: '' }, after: { governor: 'v1' } });
    expect(h.every((e) => !Number.isNaN(Date.parse(e.time)))).toBe(true);
  });
});
