import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GmError } from '../api/errors.js';
import type { KubeObject } from '../api/objects.js';
import { matchesLabels, Store, type WatchEvent } from './store.js';

let dir: string;
let file: string;
const open: Store[] = [];

function openStore(): Store {
  const s = new Store(file);
  open.push(s);
  return s;
}

function closeStore(s: Store): void {
  s.close();
  open.splice(open.indexOf(s), 1);
}

function deployment(name: string, namespace = 'demo', labels: Record<string, string> = {}, spec: Record<string, unknown> = { replicas: 1 }): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels }, spec };
}

/** Runs fn and returns the GmError it throws (fails the test when it throws nothing or something else). */
function gmErrorOf(fn: () => unknown): GmError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GmError);
    return err as GmError;
  }
  throw new Error('expected a GmError, nothing was thrown');
}

function record(store: Store): WatchEvent[] {
  const events: WatchEvent[] = [];
  store.watch((e) => events.push(e));
  return events;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gm-store-'));
  file = path.join(dir, 'graymesh.db');
});

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Store create and get', () => {
  it('fills uid, resourceVersion, generation 1 and creationTimestamp, and leaves the caller object untouched', () => {
    const store = openStore();
    const input = deployment('reviews-v1');
    const created = store.create(input);
    // The store owns the server-side metadata, as the Kubernetes API server does.
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.resourceVersion).toBe('1');
    expect(created.metadata.generation).toBe(1);
    expect(Number.isNaN(Date.parse(created.metadata.creationTimestamp ?? ''))).toBe(false);
    // The input is cloned, so the caller's object keeps no store metadata.
    expect(input.metadata.resourceVersion).toBeUndefined();
    expect(store.get('Deployment', 'demo', 'reviews-v1')).toEqual(created);
  });

  it('refuses to create an object that exists with a 409 naming it, and writes nothing', () => {
    const store = openStore();
    store.create(deployment('reviews-v1'));
    const events = record(store);
    const err = gmErrorOf(() => store.create(deployment('reviews-v1', 'demo', {}, { replicas: 5 })));
    expect(err.status).toBe(409);
    expect(err.code).toBe('GM_ERR_ALREADY_EXISTS');
    expect(err.message).toContain('reviews-v1');
    expect(store.get('Deployment', 'demo', 'reviews-v1')?.spec).toEqual({ replicas: 1 });
    expect(events).toEqual([]);
  });

  it('keeps the same name apart across kinds and namespaces', () => {
    const store = openStore();
    store.create(deployment('reviews', 'a'));
    store.create(deployment('reviews', 'b'));
    store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'a' }, spec: { ports: [] } });
    expect(store.get('Deployment', 'a', 'reviews')?.metadata.namespace).toBe('a');
    expect(store.get('Deployment', 'b', 'reviews')?.metadata.namespace).toBe('b');
    expect(store.get('Service', 'a', 'reviews')?.kind).toBe('Service');
    expect(store.get('Service', 'b', 'reviews')).toBeUndefined();
  });

  it('stores cluster-scoped objects under no namespace', () => {
    const store = openStore();
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    expect(store.get('Namespace', undefined, 'demo')?.metadata.name).toBe('demo');
    expect(store.list('Namespace').map((o) => o.metadata.name)).toEqual(['demo']);
  });

  it('mustGet throws a 404 GmError naming the object and project when it is missing', () => {
    const store = openStore();
    const err = gmErrorOf(() => store.mustGet('Deployment', 'demo', 'nope'));
    expect(err.status).toBe(404);
    expect(err.message).toBe('Deployment nope not found in project demo');
  });
});

describe('Store list', () => {
  it('lists one namespace sorted by name, or every namespace sorted by namespace then name', () => {
    const store = openStore();
    store.create(deployment('b', 'ns2'));
    store.create(deployment('z', 'ns1'));
    store.create(deployment('a', 'ns1'));
    store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'ns1' } });
    expect(store.list('Deployment', { namespace: 'ns1' }).map((o) => o.metadata.name)).toEqual(['a', 'z']);
    expect(store.list('Deployment').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['ns1/a', 'ns1/z', 'ns2/b']);
    expect(store.list('Deployment', { namespace: 'other' })).toEqual([]);
  });

  it('filters by labels: every selector key must match, an empty selector matches all', () => {
    const store = openStore();
    store.create(deployment('reviews-v1', 'demo', { app: 'reviews', version: 'v1' }));
    store.create(deployment('reviews-v2', 'demo', { app: 'reviews', version: 'v2' }));
    store.create(deployment('ratings-v1', 'demo', { app: 'ratings', version: 'v1' }));
    store.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bare', namespace: 'demo' } });
    const names = (labels: Record<string, string>): string[] =>
      store.list('Deployment', { namespace: 'demo', labels }).map((o) => o.metadata.name);
    expect(names({ app: 'reviews' })).toEqual(['reviews-v1', 'reviews-v2']);
    expect(names({ app: 'reviews', version: 'v2' })).toEqual(['reviews-v2']);
    expect(names({ version: 'v1' })).toEqual(['ratings-v1', 'reviews-v1']);
    expect(names({ app: 'nothing' })).toEqual([]);
    expect(names({})).toEqual(['bare', 'ratings-v1', 'reviews-v1', 'reviews-v2']);
    expect(matchesLabels(undefined, { app: 'x' })).toBe(false);
    expect(matchesLabels(undefined, {})).toBe(true);
  });
});

describe('Store update', () => {
  it('rejects a stale resourceVersion with a 409 GmError and changes nothing', () => {
    const store = openStore();
    const v1 = store.create(deployment('reviews-v1'));
    const v2 = store.update({ ...v1, spec: { replicas: 2 } });
    const events = record(store);
    // v1 carries resourceVersion 1, but the stored object is at 2: optimistic concurrency refuses the write.
    const err = gmErrorOf(() => store.update({ ...v1, spec: { replicas: 9 } }));
    expect(err.status).toBe(409);
    expect(err.code).toBe('GM_ERR_CONFLICT');
    expect(err.message).toContain('resourceVersion 1 is stale, current is 2');
    expect(store.get('Deployment', 'demo', 'reviews-v1')).toEqual(v2);
    expect(events).toEqual([]);
    // The failed write consumed no resourceVersion either.
    expect(store.update({ ...v2, spec: { replicas: 3 } }).metadata.resourceVersion).toBe('3');
  });

  it('accepts an update without resourceVersion as a blind overwrite', () => {
    const store = openStore();
    const created = store.create(deployment('reviews-v1'));
    const next = deployment('reviews-v1', 'demo', { app: 'reviews' }, { replicas: 4 });
    const updated = store.update(next);
    expect(updated.spec).toEqual({ replicas: 4 });
    expect(updated.metadata.resourceVersion).toBe('2');
    // Identity and creation time belong to the stored object, not to the caller.
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    expect(updated.metadata.creationTimestamp).toBe(created.metadata.creationTimestamp);
    expect(store.get('Deployment', 'demo', 'reviews-v1')).toEqual(updated);
  });

  it('bumps generation only when the spec changes', () => {
    const store = openStore();
    const created = store.create(deployment('reviews-v1'));
    const relabelled = store.update({ ...created, metadata: { ...created.metadata, labels: { app: 'reviews' } } });
    // Labels are metadata, not spec: generation stays, resourceVersion moves.
    expect(relabelled.metadata.generation).toBe(1);
    expect(relabelled.metadata.resourceVersion).toBe('2');
    const sameSpec = store.update({ ...relabelled, spec: { replicas: 1 } });
    expect(sameSpec.metadata.generation).toBe(1);
    const scaled = store.update({ ...sameSpec, spec: { replicas: 3 } });
    expect(scaled.metadata.generation).toBe(2);
    expect(store.get('Deployment', 'demo', 'reviews-v1')?.metadata.generation).toBe(2);
  });

  it('keeps the stored status unless withStatus, which replaces it', () => {
    const store = openStore();
    const created = store.create(deployment('reviews-v1'));
    store.updateStatus('Deployment', 'demo', 'reviews-v1', { readyReplicas: 1 });
    // A user's update carries a status of their own making; the store keeps the controller's.
    const kept = store.update({ ...created, metadata: { ...created.metadata, resourceVersion: undefined }, status: { readyReplicas: 99 } });
    expect(kept.status).toEqual({ readyReplicas: 1 });
    expect(store.get('Deployment', 'demo', 'reviews-v1')?.status).toEqual({ readyReplicas: 1 });
    const noStatusGiven = store.update(deployment('reviews-v1'));
    expect(noStatusGiven.status).toEqual({ readyReplicas: 1 });
    const replaced = store.update({ ...noStatusGiven, status: { readyReplicas: 2 } }, { withStatus: true });
    expect(replaced.status).toEqual({ readyReplicas: 2 });
    expect(store.get('Deployment', 'demo', 'reviews-v1')?.status).toEqual({ readyReplicas: 2 });
  });

  it('drops a status the caller sends for an object that has none, unless withStatus', () => {
    const store = openStore();
    store.create(deployment('reviews-v1'));
    const updated = store.update({ ...deployment('reviews-v1'), status: { readyReplicas: 5 } });
    expect(updated.status).toBeUndefined();
    expect(store.get('Deployment', 'demo', 'reviews-v1')?.status).toBeUndefined();
  });

  it('answers 404 for an object that does not exist', () => {
    const store = openStore();
    const err = gmErrorOf(() => store.update(deployment('ghost')));
    expect(err.status).toBe(404);
    expect(store.get('Deployment', 'demo', 'ghost')).toBeUndefined();
  });
});

describe('Store updateStatus', () => {
  it('writes the status with a MODIFIED event, keeping spec and generation', () => {
    const store = openStore();
    store.create(deployment('reviews-v1'));
    const events = record(store);
    const updated = store.updateStatus('Deployment', 'demo', 'reviews-v1', { readyReplicas: 1 });
    expect(updated?.status).toEqual({ readyReplicas: 1 });
    expect(updated?.metadata.resourceVersion).toBe('2');
    expect(updated?.metadata.generation).toBe(1);
    expect(updated?.spec).toEqual({ replicas: 1 });
    expect(events.map((e) => e.type)).toEqual(['MODIFIED']);
    expect(events[0]?.object.status).toEqual({ readyReplicas: 1 });
  });

  it('is a no-op with no event and no new resourceVersion when the status is the same', () => {
    const store = openStore();
    store.create(deployment('reviews-v1'));
    store.updateStatus('Deployment', 'demo', 'reviews-v1', { readyReplicas: 1 });
    const events = record(store);
    const same = store.updateStatus('Deployment', 'demo', 'reviews-v1', { readyReplicas: 1 });
    expect(same?.metadata.resourceVersion).toBe('2');
    expect(events).toEqual([]);
    expect(store.get('Deployment', 'demo', 'reviews-v1')?.metadata.resourceVersion).toBe('2');
  });

  it('returns undefined for a missing object and creates nothing', () => {
    const store = openStore();
    expect(store.updateStatus('Deployment', 'demo', 'ghost', { readyReplicas: 1 })).toBeUndefined();
    expect(store.list('Deployment')).toEqual([]);
  });
});

describe('Store delete', () => {
  it('removes the object, returns it and emits DELETED', () => {
    const store = openStore();
    const created = store.create(deployment('reviews-v1'));
    const events = record(store);
    expect(store.delete('Deployment', 'demo', 'reviews-v1')).toEqual(created);
    expect(store.get('Deployment', 'demo', 'reviews-v1')).toBeUndefined();
    expect(events).toEqual([{ type: 'DELETED', object: created }]);
  });

  it('returns undefined and emits nothing for an object that does not exist', () => {
    const store = openStore();
    const events = record(store);
    expect(store.delete('Deployment', 'demo', 'ghost')).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('lets a deleted name be created again, as a new object', () => {
    const store = openStore();
    const first = store.create(deployment('reviews-v1'));
    store.delete('Deployment', 'demo', 'reviews-v1');
    const second = store.create(deployment('reviews-v1'));
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    expect(second.metadata.generation).toBe(1);
  });
});

describe('Store transaction and watch', () => {
  it('rolls back every write when fn throws, and emits no watch event', () => {
    const store = openStore();
    const existing = store.create(deployment('productpage-v1'));
    const events = record(store);
    expect(() =>
      store.transaction(() => {
        store.create(deployment('reviews-v1'));
        store.update({ ...existing, spec: { replicas: 7 } });
        store.delete('Deployment', 'demo', 'productpage-v1');
        store.create(deployment('ratings-v1'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    // All or nothing: none of the four writes may be visible.
    expect(store.list('Deployment').map((o) => o.metadata.name)).toEqual(['productpage-v1']);
    expect(store.get('Deployment', 'demo', 'productpage-v1')).toEqual(existing);
    expect(events).toEqual([]);
    // The counter bumped inside the rolled-back transaction is rolled back too.
    expect(store.create(deployment('details-v1')).metadata.resourceVersion).toBe('2');
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED details-v1']);
  });

  it('rolls back when a store call inside the transaction fails (409), keeping earlier writes out too', () => {
    const store = openStore();
    store.create(deployment('reviews-v1'));
    const events = record(store);
    expect(() =>
      store.transaction(() => {
        store.create(deployment('ratings-v1'));
        store.create(deployment('reviews-v1'));
      }),
    ).toThrow(GmError);
    expect(store.get('Deployment', 'demo', 'ratings-v1')).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('delivers events only after commit, in write order, with the committed objects', () => {
    const store = openStore();
    const events = record(store);
    const seenInside: number[] = [];
    const result = store.transaction(() => {
      store.create(deployment('a'));
      seenInside.push(events.length);
      store.create(deployment('b'));
      store.updateStatus('Deployment', 'demo', 'a', { readyReplicas: 1 });
      seenInside.push(events.length);
      return 'done';
    });
    expect(result).toBe('done');
    // Nothing was heard while the transaction was open.
    expect(seenInside).toEqual([0, 0]);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name} rv${e.object.metadata.resourceVersion}`)).toEqual([
      'ADDED a rv1',
      'ADDED b rv2',
      'MODIFIED a rv3',
    ]);
  });

  it('lets a nested transaction join the outer one, so an outer throw undoes the inner writes too', () => {
    const store = openStore();
    const events = record(store);
    expect(() =>
      store.transaction(() => {
        store.transaction(() => store.create(deployment('inner')));
        throw new Error('outer fails');
      }),
    ).toThrow('outer fails');
    expect(store.get('Deployment', 'demo', 'inner')).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('emits single writes at once, and stops after unsubscribe', () => {
    const store = openStore();
    const events: WatchEvent[] = [];
    const stop = store.watch((e) => events.push(e));
    store.create(deployment('a'));
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
    stop();
    store.create(deployment('b'));
    expect(events).toHaveLength(1);
  });

  it('hands watchers a copy: mutating an event object changes neither the store nor what the writer got back', () => {
    const store = openStore();
    store.watch((e) => {
      (e.object.spec as { replicas: number }).replicas = 100;
      e.object.metadata.name = 'renamed';
    });
    const created = store.create(deployment('a'));
    expect(created.spec).toEqual({ replicas: 1 });
    expect(created.metadata.name).toBe('a');
    expect(store.get('Deployment', 'demo', 'a')?.spec).toEqual({ replicas: 1 });
  });
});

describe('Store durability and counters', () => {
  it('keeps objects and the resourceVersion sequence across closing and reopening the file', () => {
    const first = openStore();
    const created = first.create(deployment('reviews-v1', 'demo', { app: 'reviews' }));
    first.updateStatus('Deployment', 'demo', 'reviews-v1', { readyReplicas: 1 });
    first.setMeta('note', 'kept');
    closeStore(first);

    const second = openStore();
    const got = second.get('Deployment', 'demo', 'reviews-v1');
    expect(got?.metadata.uid).toBe(created.metadata.uid);
    expect(got?.status).toEqual({ readyReplicas: 1 });
    expect(got?.metadata.resourceVersion).toBe('2');
    expect(second.getMeta('note')).toBe('kept');
    // resourceVersion continues from the file, never reusing a number a client may hold.
    expect(second.create(deployment('ratings-v1')).metadata.resourceVersion).toBe('3');
  });

  it('nextCounter counts 1, 2, 3 per key, independently, and persists', () => {
    const store = openStore();
    expect([store.nextCounter('a'), store.nextCounter('a'), store.nextCounter('b'), store.nextCounter('a')]).toEqual([1, 2, 1, 3]);
    closeStore(store);
    const again = openStore();
    expect(again.nextCounter('a')).toBe(4);
    expect(again.getMeta('b')).toBe('1');
  });

  it('nextCounter inside a failed transaction is rolled back', () => {
    const store = openStore();
    store.nextCounter('config');
    expect(() =>
      store.transaction(() => {
        store.nextCounter('config');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.nextCounter('config')).toBe(2);
  });
});
