/**
 * The engine-neutral object store (src/engine/store.ts) over the local engine's
 * SQLite Store, which stays the owner of the file and of transactions: every call
 * is one Store transaction, a `transaction` batch is one too (all or nothing,
 * watchers told after the commit). The local engine's own code (apply, the
 * workload controller, the snapshot builder) keeps the Store's sync API.
 */
import type { KubeObject } from '../api/objects.js';
import { conflict, notFound } from '../api/errors.js';
import { mergePatch } from '../engine/merge-patch.js';
import type { Applied, ListOptions, MergePatch, ObjectStore, StoreEvent, StoreWrite, Unwatch } from '../engine/store.js';
import { matchesLabels, userAnnotations, type Store } from './store.js';

/** What `apply` manages of an object: the rest (status, what the store sets) is not compared. */
const managed = (o: KubeObject): string =>
  JSON.stringify([o.metadata.labels ?? {}, userAnnotations(o), o.metadata.ownerReferences ?? [], o.spec ?? null]);

const where = (o: KubeObject): string => `${o.kind} ${o.metadata.name}${o.metadata.namespace ? ` in project ${o.metadata.namespace}` : ''}`;

export class SqliteObjectStore implements ObjectStore {
  constructor(readonly store: Store) {}

  async get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    return this.store.get<T>(kind, namespace, name);
  }

  async list<T extends KubeObject = KubeObject>(kind: string, opts: ListOptions = {}): Promise<T[]> {
    return this.store.list<T>(kind, opts);
  }

  async watch(kind: string, opts: ListOptions, listener: (e: StoreEvent) => void): Promise<Unwatch> {
    const selected = (o: KubeObject): boolean =>
      o.kind === kind && (opts.namespace === undefined || o.metadata.namespace === opts.namespace) && (!opts.labels || matchesLabels(o.metadata.labels, opts.labels));
    // Told of what is there, then of every commit: nothing falls between, the store is synchronous.
    for (const o of this.store.list(kind, opts)) listener({ type: 'ADDED', object: o });
    const off = this.store.watch((e) => {
      if (selected(e.object)) listener(e);
    });
    return async () => off();
  }

  async create<T extends KubeObject>(obj: T): Promise<T> {
    return this.createNow(obj);
  }

  async update<T extends KubeObject>(obj: T): Promise<T> {
    return this.store.update(obj);
  }

  async updateStatus<T extends KubeObject>(obj: T): Promise<T> {
    return this.updateStatusNow(obj);
  }

  async apply<T extends KubeObject>(obj: T): Promise<Applied<T>> {
    return this.store.transaction(() => this.applyNow(obj));
  }

  async patch<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string, patch: MergePatch): Promise<T> {
    return this.store.transaction(() => {
      const current = this.store.mustGet<T>(kind, namespace, name);
      const next = mergePatch(current, patch) as T;
      delete next.metadata.resourceVersion;
      return this.store.update(next, { withStatus: true });
    });
  }

  async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    return this.store.delete(kind, namespace, name) !== undefined;
  }

  async transaction(writes: StoreWrite[]): Promise<void> {
    this.store.transaction(() => {
      for (const w of writes) {
        if (w.op === 'delete') this.store.delete(w.kind, w.namespace, w.name);
        else if (w.op === 'create') this.createNow(w.object);
        else if (w.op === 'update') this.store.update(w.object);
        else if (w.op === 'updateStatus') this.updateStatusNow(w.object);
        else this.applyNow(w.object);
      }
    });
  }

  /** Status is written by updateStatus only, as by the API server's status subresource. */
  private createNow<T extends KubeObject>(obj: T): T {
    const body = { ...obj };
    delete body.status;
    return this.store.create(body);
  }

  private updateStatusNow<T extends KubeObject>(obj: T): T {
    return this.store.transaction(() => {
      const current = this.store.get<T>(obj.kind, obj.metadata.namespace, obj.metadata.name);
      if (!current) throw notFound(`${where(obj)} not found`);
      const rv = obj.metadata.resourceVersion;
      if (rv !== undefined && rv !== current.metadata.resourceVersion) {
        throw conflict(`${where(obj)}: the object has been modified (resourceVersion ${rv} is stale, current is ${current.metadata.resourceVersion}); read it again and retry`);
      }
      return this.store.updateStatus<T>(obj.kind, obj.metadata.namespace, obj.metadata.name, obj.status) as T;
    });
  }

  private applyNow<T extends KubeObject>(obj: T): Applied<T> {
    const current = this.store.get<T>(obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (!current) return { object: this.createNow(obj), changed: true };
    if (managed(current) === managed(obj)) return { object: current, changed: false };
    const { resourceVersion: _rv, ...metadata } = obj.metadata;
    return { object: this.store.update({ ...obj, metadata }), changed: true };
  }
}
