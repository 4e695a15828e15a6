/**
 * The Kubernetes engine against a recorded contract of the API server (fake-apiserver.ts, a
 * real HTTP server on 127.0.0.1): it applies manifests by server-side apply, and the one
 * release controller creates, shifts, takes over, offlines and deletes a release on the
 * cluster in make-before-break order, waiting on istiod's sync status at each step, as the
 * API calls show them; it recovers from a 409 conflict, a dropped watch and a 410 Gone. Every
 * request is checked against the contract (`violations`). test/engines runs the release
 * scenarios on both engines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/objects.js';
import type { Release } from '../../src/config/release/types.js';
import { bookinfoDeployment } from '../../src/config/samples/bookinfo.js';
import { KubeClient } from '../../src/kubernetes/client.js';
import { IstiodConvergence } from '../../src/kubernetes/convergence.js';
import { KubernetesEngine } from '../../src/kubernetes/engine.js';
import { exportProject } from '../../src/config/export/export.js';
import { Informer, type InformerEvent } from '../../src/kubernetes/informer.js';
import { FakeApiServer, type FakeOptions } from './fake-apiserver.js';
import { canaryRelease, liveCanaryProject, NS } from './fixtures.js';
import * as rec from './recorded.js';

const OPS = { user: 'admin', readyTimeoutMs: 5_000 };

/** Asserts the lines matching `patterns` appear in the timeline in this order. */
function expectInOrder(timeline: string[], patterns: RegExp[]): void {
  let from = 0;
  for (const p of patterns) {
    const at = timeline.findIndex((l, i) => i >= from && p.test(l));
    expect(at, `${String(p)} not found after line ${from} of:\n${timeline.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = at + 1;
  }
}

async function eventually<T>(fn: () => T | undefined | false, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Bookinfo (reviews v1 only) as exported for the cluster, without CRDs or the release and its rules. */
function bookinfo(): KubeObject[] {
  const p = liveCanaryProject();
  p.objects = p.objects.filter((o) => !(o.kind === 'Release' || o.metadata.annotations?.['graymesh.dev/release'] || o.metadata.labels?.['graymesh.dev/release']));
  return exportProject(p, { crds: false }).items;
}

function clusterCanary(): Release {
  const r = canaryRelease();
  r.spec!.newVersion.image = 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3';
  return r;
}

describe('Kubernetes engine on a recorded API server contract', () => {
  let fake: FakeApiServer;
  let engine: KubernetesEngine;
  const logs: string[] = [];

  async function setUp(opts: FakeOptions = {}): Promise<void> {
    // Bookinfo comes up ready; then the deployment controller behaves as the test asks.
    fake = await new FakeApiServer({ ...opts, autoReady: true }).start();
    const client = new KubeClient({ context: 'fake', server: fake.url, namespace: 'default' });
    engine = new KubernetesEngine(client, {
      convergence: new IstiodConvergence(client, { debounceMs: 5, pollMs: 5, settleMs: 40, timeoutMs: 5_000, log: (m) => logs.push(m) }),
      log: (m) => logs.push(m),
      pollMs: 10,
    });
    await engine.installCrds(5_000);
    await engine.applyObjects(bookinfo());
    await eventually(() => fake.list('Deployment', NS).every((d) => (d.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1));
    fake.opts.autoReady = opts.autoReady ?? true;
    fake.timeline.length = 0;
  }

  beforeEach(() => {
    logs.length = 0;
  });

  afterEach(async () => {
    expect(fake.violations).toEqual([]);
    await engine.close();
    await fake.stop();
  });

  it('applies manifests by server-side apply (fieldManager=graymesh, force), in dependency order, and again as unchanged', async () => {
    await setUp();
    const applies = fake.log.filter((r) => r.method === 'PATCH');
    expect(applies.length).toBeGreaterThan(10);
    for (const r of applies) {
      expect(r.contentType).toBe('application/apply-patch+yaml');
      expect(r.query).toMatchObject({ fieldManager: 'graymesh', force: 'true' });
    }
    const kinds = applies.map((r) => (r.body as KubeObject).kind).filter((k, i, a) => a.indexOf(k) === i);
    expect(kinds).toEqual(['CustomResourceDefinition', 'Namespace', 'Application', 'ServiceAccount', 'Service', 'Deployment', 'VirtualService', 'Gateway']);
    expect(applies.find((r) => r.path === `/api/v1/namespaces/${NS}`)).toMatchObject({ body: { metadata: { labels: { 'istio-injection': 'enabled' } } } });
    expect(applies.map((r) => r.path)).toContain(`/apis/apps/v1/namespaces/${NS}/deployments/reviews-v1`);
    expect(applies.map((r) => r.path)).toContain(`/apis/networking.istio.io/v1/namespaces/${NS}/gateways/bookinfo-gateway`);
    const again = await engine.applyObjects(bookinfo());
    expect(new Set(again.results.map((x) => x.action))).toEqual(new Set(['unchanged']));
  });

  it('refuses the whole apply when one manifest is invalid, before writing anything', async () => {
    await setUp();
    const before = fake.log.length;
    const bad = bookinfoDeployment(NS, 'ratings', 'v2', 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.3');
    (bad.spec as Record<string, unknown>).replica = 2;
    await expect(engine.applyObjects([...bookinfo(), bad])).rejects.toThrow(/Deployment ratings-v2: spec.replica: unknown field; did you mean "replicas"\?/);
    expect(fake.log.length).toBe(before);
  });

  it('creates, shifts, takes over and offlines a release in make-before-break order', async () => {
    await setUp();
    // Create: subsets, then the route pinned to v1, then the new Deployment, and only once it is
    // ready the 50/50 rules; every route change waits for istiod to report the proxies in sync.
    const created = await engine.releases.create(clusterCanary(), OPS);
    expect(created.status?.phase).toBe('Running');
    expect(created.status?.versions.map((v) => [v.version, v.weight, v.readyReplicas])).toEqual([['v1', 50, 1], ['v2', 50, 1]]);
    expectInOrder(fake.timeline, [
      /^create Release canary$/,
      /^apply DestinationRule reviews subsets=v1,v2 owned$/,
      /^istiod: in sync$/,
      /^apply VirtualService reviews \[pin\] v1=100 owned$/,
      /^istiod: in sync$/,
      /^apply Deployment reviews-v2 owned$/,
      /^ready Deployment reviews-v2$/,
      /^apply VirtualService reviews \[rules\] v1=50,v2=50 owned$/,
      /^istiod: in sync$/,
      /^status Release canary Running$/,
    ]);
    const firstV2 = fake.timeline.findIndex((l) => /VirtualService reviews .*v2=[1-9]/.test(l));
    expect(firstV2).toBeGreaterThan(fake.timeline.indexOf('ready Deployment reviews-v2'));
    const uid = fake.get('Release', NS, 'canary')!.metadata.uid;
    for (const [kind, name] of [['VirtualService', 'reviews'], ['DestinationRule', 'reviews'], ['Deployment', 'reviews-v2']] as const) {
      expect(fake.get(kind, NS, name)!.metadata.ownerReferences).toEqual([{ apiVersion: 'graymesh.dev/v1alpha1', kind: 'Release', name: 'canary', uid, controller: true }]);
    }
    const v2 = fake.get('Deployment', NS, 'reviews-v2')!;
    expect(v2.metadata.labels).toMatchObject({ app: 'reviews', version: 'v2', 'graymesh.dev/release': 'canary' });
    expect(JSON.stringify(v2.spec)).toContain('docker.io/istio/examples-bookinfo-reviews-v2:1.20.3');

    // Shift, through a 409: someone wrote the Release between graymesh's read and write.
    fake.timeline.length = 0;
    fake.fail('PUT', new RegExp(`/releases/canary$`), rec.conflict('releases.graymesh.dev', 'canary'));
    const shifted = await engine.releases.setWeights(NS, 'canary', { v1: 20, v2: 80 }, OPS);
    expect(shifted.spec?.routes.weights).toEqual({ v1: 20, v2: 80 });
    const puts = fake.log.filter((r) => r.method === 'PUT' && r.path.endsWith('/releases/canary'));
    expect(puts.slice(-2).map((r) => r.status)).toEqual([409, 200]);
    expect(logs.join('\n')).toMatch(/Operation cannot be fulfilled on releases.graymesh.dev "canary".*reading it again/);
    expectInOrder(fake.timeline, [/^fault PUT .*409$/, /^update Release canary$/, /^apply VirtualService reviews \[rules\] v1=20,v2=80 owned$/, /^istiod: in sync$/]);
    expect(shifted.status?.history.map((h) => h.operation)).toEqual(['create', 'set-weights']);

    // Take over: v2 serves everything.
    fake.timeline.length = 0;
    const taken = await engine.releases.takeover(NS, 'canary', 'v2', OPS);
    expect(taken.status?.governor).toBe('v2');
    expectInOrder(fake.timeline, [/^update Release canary$/, /^apply VirtualService reviews \[rules\] v2=100 owned$/, /^istiod: in sync$/]);

    // Offline: route to v2 (converged), subset v2 only (converged), v2 freed from the release,
    // v1's Deployment and pods gone, then the Release; the plain route stays.
    fake.timeline.length = 0;
    expect(await engine.releases.offline(NS, 'canary', OPS)).toEqual({ survivor: 'v2', removed: 'v1' });
    expectInOrder(fake.timeline, [
      /^apply VirtualService reviews\s+v2=100$/,
      /^istiod: in sync$/,
      /^apply DestinationRule reviews subsets=v2$/,
      /^istiod: in sync$/,
      /^patch Deployment reviews-v2 .*"ownerReferences":null/,
      /^delete Deployment reviews-v1$/,
      /^delete Pod reviews-v1-0$/,
      /^delete Release canary$/,
    ]);
    expect(fake.get('Release', NS, 'canary')).toBeUndefined();
    expect(fake.get('Deployment', NS, 'reviews-v1')).toBeUndefined();
    expect(fake.get('Deployment', NS, 'reviews-v2')!.metadata.ownerReferences).toBeUndefined();
    expect(fake.get('VirtualService', NS, 'reviews')!.spec).toEqual({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] });
    expect(fake.get('DestinationRule', NS, 'reviews')).toBeDefined();
  });

  it('deleting a release routes back to the principal, removes its Deployment, then its rules with the release', async () => {
    await setUp();
    await engine.releases.create(clusterCanary(), OPS);
    fake.timeline.length = 0;
    await engine.releases.delete(NS, 'canary', OPS);
    expectInOrder(fake.timeline, [
      /^status Release canary Running$/,
      /^apply VirtualService reviews \[pin\] v1=100 owned$/,
      /^istiod: in sync$/,
      /^delete Deployment reviews-v2$/,
      /^delete Pod reviews-v2-0$/,
      /^delete VirtualService reviews$/,
      /^delete DestinationRule reviews$/,
      /^delete Release canary$/,
    ]);
    // The pending delete was recorded before the first step.
    const statusPuts = fake.log.filter((r) => r.method === 'PUT' && r.path.endsWith('/releases/canary/status'));
    expect((statusPuts.at(-1)?.body as Release).status?.pending).toMatchObject({ operation: 'delete', user: 'admin', survivor: 'v1' });
    expect(fake.get('VirtualService', NS, 'reviews')).toBeUndefined();
    expect(fake.get('DestinationRule', NS, 'reviews')).toBeUndefined();
    expect(fake.get('Deployment', NS, 'reviews-v1')).toBeDefined();
  });

  it('waits for readiness from Deployment status: readyReplicas of the observed generation', async () => {
    await setUp({ autoReady: false });
    const pending = await engine.releases.create(clusterCanary(), { ...OPS, readyTimeoutMs: 100 });
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.status?.message).toMatch(/waiting for workload reviews-v2 to be ready/);
    expect(fake.get('VirtualService', NS, 'reviews')!.metadata.annotations?.['graymesh.dev/stage']).toBe('pin');
    // Ready replicas of an older generation do not count.
    fake.setDeploymentStatus(NS, 'reviews-v2', { observedGeneration: 0, replicas: 1, readyReplicas: 1, updatedReplicas: 1 });
    expect((await engine.releases.reconcile(NS, 'canary'))?.status?.phase).toBe('Pending');
    fake.setDeploymentStatus(NS, 'reviews-v2', { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1 });
    expect((await engine.releases.reconcile(NS, 'canary'))?.status?.phase).toBe('Running');
    expect(fake.get('VirtualService', NS, 'reviews')!.metadata.annotations?.['graymesh.dev/stage']).toBe('rules');
  });

  it('runs a Release applied with kubectl: the controller watches Releases and the Deployments they create', async () => {
    await setUp({ autoReady: false });
    await engine.startController();
    const r = clusterCanary();
    fake.seed(r);
    await eventually(() => fake.get('Deployment', NS, 'reviews-v2'));
    expect(fake.get('VirtualService', NS, 'reviews')!.metadata.annotations?.['graymesh.dev/stage']).toBe('pin');
    // The new version becomes ready: the Deployment watch moves the release on, no poll needed.
    fake.setDeploymentStatus(NS, 'reviews-v2', { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1 });
    await eventually(() => (fake.get('Release', NS, 'canary')?.status as { phase?: string } | undefined)?.phase === 'Running');
    expect(fake.get('VirtualService', NS, 'reviews')!.metadata.annotations?.['graymesh.dev/stage']).toBe('rules');
    const watches = fake.log.filter((x) => x.query.watch === '1');
    expect(watches.map((x) => x.path).sort()).toEqual([`/apis/apps/v1/deployments`, `/apis/graymesh.dev/v1alpha1/releases`]);
    // Every Deployment: a version's workload may be one the user made, without the release's label.
    expect(watches.find((x) => x.path.endsWith('deployments'))?.query.labelSelector).toBeUndefined();
  });

  it('falls back to the documented settle time when istiod cannot be read through the service proxy', async () => {
    await setUp({ istiod: false });
    const client = engine.client;
    const c = new IstiodConvergence(client, { debounceMs: 5, settleMs: 120 });
    const r = await c.settle();
    expect(r.method).toBe('settle-time');
    expect(r.waitedMs).toBeGreaterThanOrEqual(110);
    expect(fake.log.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/istio-system/services/istiod:15014/proxy/debug/syncz', status: 503 });
    // A missing istiod is not asked again on the next step.
    const n = fake.log.length;
    expect((await c.settle()).method).toBe('settle-time');
    expect(fake.log.length).toBe(n);
  });
});

describe('informer on a recorded watch stream', () => {
  let fake: FakeApiServer;
  let client: KubeClient;
  let informer: Informer | undefined;

  beforeEach(async () => {
    fake = await new FakeApiServer({ autoReady: false }).start();
    client = new KubeClient({ context: 'fake', server: fake.url, namespace: 'default' });
    fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });

  afterEach(async () => {
    await informer?.stop();
    await client.close();
    expect(fake.violations).toEqual([]);
    await fake.stop();
  });

  const svc = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS, labels: { app: name } }, spec: { ports: [{ name: 'http', port: 9080 }] } });

  it('lists, watches from the list resourceVersion, and sees ADDED, MODIFIED and DELETED', async () => {
    fake.seed(svc('details'));
    const events: string[] = [];
    informer = new Informer(client, 'Service', { namespace: NS }, (e: InformerEvent) => events.push(`${e.type} ${e.object.metadata.name}`));
    await informer.start();
    expect(events).toEqual(['ADDED details']);
    const listRv = informer.resourceVersion;
    await eventually(() => fake.watcherCount === 1);
    expect(fake.log.find((r) => r.query.watch === '1')?.query).toMatchObject({ resourceVersion: listRv, allowWatchBookmarks: 'true' });
    await client.apply(svc('ratings'));
    await client.mergePatch('Service', NS, 'ratings', { metadata: { labels: { tier: 'backend' } } });
    await client.delete('Service', NS, 'details');
    await eventually(() => events.length === 4);
    expect(events).toEqual(['ADDED details', 'ADDED ratings', 'MODIFIED ratings', 'DELETED details']);
    expect([...informer.cache.keys()]).toEqual([`${NS}/ratings`]);
  });

  it('keeps the resourceVersion of BOOKMARKs and resumes from it after a dropped connection, missing nothing', async () => {
    const events: string[] = [];
    informer = new Informer(client, 'Service', { namespace: NS, backoffMs: 10 }, (e) => events.push(`${e.type} ${e.object.metadata.name}`));
    await informer.start();
    await eventually(() => fake.watcherCount === 1);
    fake.seed({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'other', namespace: NS } });
    fake.bookmark();
    await eventually(() => informer!.stats.bookmarks === 1);
    const bookmarked = informer.resourceVersion;
    fake.dropWatches();
    // Written while no watch is open: the resumed watch replays it from the bookmark.
    fake.seed(svc('reviews'));
    await eventually(() => events.includes('ADDED reviews'));
    const watches = fake.log.filter((r) => r.query.watch === '1');
    expect(watches.length).toBe(2);
    expect(watches[1]?.query.resourceVersion).toBe(bookmarked);
    expect(informer.stats).toMatchObject({ lists: 1, relists: 0, resumes: 1 });
  });

  it('lists again after 410 Expired and tells what changed while it was away', async () => {
    fake.seed(svc('details'));
    fake.seed(svc('ratings'));
    const events: string[] = [];
    informer = new Informer(client, 'Service', { namespace: NS, backoffMs: 10 }, (e) => events.push(`${e.type} ${e.object.metadata.name}`));
    await informer.start();
    await eventually(() => fake.watcherCount === 1);
    events.length = 0;
    fake.dropWatches();
    // While disconnected: one deleted, one added, and the history compacted past the informer's version.
    await client.delete('Service', NS, 'details');
    fake.seed(svc('productpage'));
    fake.compact();
    await eventually(() => events.length === 2);
    expect(events.sort()).toEqual(['ADDED productpage', 'DELETED details']);
    expect(fake.timeline.some((l) => /watch services from \d+: 410 Expired/.test(l))).toBe(true);
    expect(informer.stats).toMatchObject({ lists: 2, relists: 1 });
    expect([...informer.cache.keys()].sort()).toEqual([`${NS}/productpage`, `${NS}/ratings`]);
  });
});
