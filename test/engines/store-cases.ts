/**
 * The object store contract (src/engine/store.ts) every engine's implementation keeps,
 * written once: reads with selectors, the catalogue's errors on a create of an existing
 * object and on a stale resourceVersion, status kept apart, apply that says whether it
 * changed anything, merge patch, delete, watch, and what a transaction guarantees.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Deployment, KubeObject } from '../../src/api/objects.js';
import type { ObjectStore, StoreEvent } from '../../src/engine/store.js';
import { eventually } from './harness.js';

export interface StoreHarness {
  readonly name: 'local' | 'kubernetes';
  /** A batch lands whole or not at all (else: in order, the writes before a failure kept). */
  readonly atomic: boolean;
  start(): Promise<ObjectStore>;
  stop(): Promise<void>;
}

const NS = 'store-cases';

const service = (name: string, labels: Record<string, string> = { app: name }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS, labels },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
});

const deployment = (name: string): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS, labels: { app: name } },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `example.com/${name}:1` }] } } },
});

const failure = (p: Promise<unknown>): Promise<{ code?: string; status?: number }> =>
  p.then(
    () => ({}),
    (err: { code?: string; status?: number }) => ({ code: err.code, status: err.status }),
  );

export function storeCases(make: () => StoreHarness): void {
  const probe = make();
  const t = (title: string): string => `${probe.name}: ${title}`;
  let h: StoreHarness;
  let store: ObjectStore;

  beforeEach(async () => {
    h = make();
    store = await h.start();
  });

  afterEach(() => h.stop());

  it(t('create sets what the store sets; a second create is alreadyExists; status is not written by it'), async () => {
    const created = await store.create({ ...deployment('ratings'), status: { readyReplicas: 1 } });
    expect(created.metadata).toMatchObject({ name: 'ratings', namespace: NS, uid: expect.any(String), resourceVersion: expect.any(String), generation: 1 });
    expect((await store.get<Deployment>('Deployment', NS, 'ratings'))?.status?.readyReplicas).toBeUndefined();
    expect(await failure(store.create(deployment('ratings')))).toEqual({ code: 'GM_ERR_ALREADY_EXISTS', status: 409 });
    expect(await store.get('Deployment', NS, 'nothing')).toBeUndefined();
  });

  it(t('lists by namespace and label selector'), async () => {
    await store.create(service('details', { app: 'details', tier: 'backend' }));
    await store.create(service('ratings', { app: 'ratings', tier: 'backend' }));
    await store.create(service('productpage', { app: 'productpage', tier: 'front' }));
    const names = async (labels?: Record<string, string>): Promise<string[]> =>
      (await store.list('Service', { namespace: NS, ...(labels ? { labels } : {}) })).map((o) => o.metadata.name).sort();
    expect(await names()).toEqual(['details', 'productpage', 'ratings']);
    expect(await names({ tier: 'backend' })).toEqual(['details', 'ratings']);
    expect(await names({ tier: 'backend', app: 'ratings' })).toEqual(['ratings']);
    expect(await store.list('Service', { namespace: 'elsewhere' })).toEqual([]);
  });

  it(t('update with a stale resourceVersion is the catalogue conflict and changes nothing; status is kept'), async () => {
    const created = await store.create(deployment('reviews'));
    const withStatus = await store.updateStatus({ ...created, status: { replicas: 1, readyReplicas: 1 } });
    const changed = await store.update({ ...withStatus, spec: { ...withStatus.spec!, replicas: 2 } });
    expect(changed.metadata.resourceVersion).not.toBe(withStatus.metadata.resourceVersion);
    expect(changed.metadata.generation).toBe(2);
    expect(await failure(store.update({ ...withStatus, spec: { ...withStatus.spec!, replicas: 3 } }))).toEqual({ code: 'GM_ERR_CONFLICT', status: 409 });
    expect(await failure(store.updateStatus({ ...withStatus, status: { readyReplicas: 0 } }))).toEqual({ code: 'GM_ERR_CONFLICT', status: 409 });
    const now = await store.get<Deployment>('Deployment', NS, 'reviews');
    expect(now?.spec?.replicas).toBe(2);
    expect(now?.status?.readyReplicas).toBe(1);
    // Without a resourceVersion the write is unconditional.
    const { resourceVersion: _rv, ...metadata } = withStatus.metadata;
    expect((await store.update({ ...withStatus, metadata, spec: { ...withStatus.spec!, replicas: 4 } })).spec?.replicas).toBe(4);
  });

  it(t('apply creates, says unchanged for the same object, and replaces what changed'), async () => {
    const first = await store.apply(service('details'));
    expect(first.changed).toBe(true);
    const again = await store.apply(service('details'));
    expect(again).toMatchObject({ changed: false, object: { metadata: { resourceVersion: first.object.metadata.resourceVersion } } });
    const relabelled = await store.apply(service('details', { app: 'details', tier: 'backend' }));
    expect(relabelled.changed).toBe(true);
    expect((await store.get('Service', NS, 'details'))?.metadata.labels).toEqual({ app: 'details', tier: 'backend' });
  });

  it(t('patch merges and null removes; delete says whether the object was there'), async () => {
    await store.create(service('details', { app: 'details', tier: 'backend' }));
    await store.patch('Service', NS, 'details', { metadata: { labels: { tier: null, owner: 'shop' } } });
    expect((await store.get('Service', NS, 'details'))?.metadata.labels).toEqual({ app: 'details', owner: 'shop' });
    expect(await store.delete('Service', NS, 'details')).toBe(true);
    expect(await store.delete('Service', NS, 'details')).toBe(false);
  });

  it(t('watch tells what is there, then every change in order, until unwatched'), async () => {
    await store.create(service('details'));
    const events: string[] = [];
    const unwatch = await store.watch('Service', { namespace: NS }, (e: StoreEvent) => events.push(`${e.type} ${e.object.metadata.name}`));
    expect(events).toEqual(['ADDED details']);
    await store.create(service('ratings'));
    await store.patch('Service', NS, 'ratings', { metadata: { labels: { tier: 'backend' } } });
    await store.delete('Service', NS, 'details');
    await eventually(() => events.length === 4, 'four events');
    expect(events).toEqual(['ADDED details', 'ADDED ratings', 'MODIFIED ratings', 'DELETED details']);
    await unwatch();
    await store.create(service('productpage'));
    // A later watch sees it: the first one was stopped before it, and told nothing of it.
    const later: string[] = [];
    await (await store.watch('Service', { namespace: NS }, (e) => later.push(e.object.metadata.name)))();
    expect(later.sort()).toEqual(['productpage', 'ratings']);
    expect(events).toHaveLength(4);
  });

  it(t(`a transaction writes in order; a failing one ${probe.atomic ? 'writes nothing' : 'keeps the writes before the failure'}`), async () => {
    await store.transaction([
      { op: 'create', object: service('details') },
      { op: 'apply', object: service('ratings') },
      { op: 'delete', kind: 'Service', namespace: NS, name: 'details' },
    ]);
    expect((await store.list('Service', { namespace: NS })).map((o) => o.metadata.name)).toEqual(['ratings']);
    const failed = store.transaction([
      { op: 'create', object: service('productpage') },
      { op: 'create', object: service('ratings') },
    ]);
    expect(await failure(failed)).toEqual({ code: 'GM_ERR_ALREADY_EXISTS', status: 409 });
    expect(await store.get('Service', NS, 'productpage')).toEqual(h.atomic ? undefined : expect.objectContaining({ kind: 'Service' }));
  });
}
