/**
 * The engine-neutral object store (src/engine/store.ts) on a cluster, over KubeClient:
 * reads are GET and LIST with label selectors, `apply` is server-side apply with field
 * manager graymesh, `update` a PUT with the object's resourceVersion (`updateStatus`
 * on the status subresource), `patch` a JSON merge patch, and `watch` an informer
 * (list, then watch from its resourceVersion, resumed after a drop, relisted after
 * 410 Gone). The API server's answers are mapped to the error catalogue: 409
 * AlreadyExists on create, 409 Conflict on a stale resourceVersion, 404.
 * A `transaction` is best-effort ordered writes: each write is atomic on its own and
 * they land in the order given; the first failure stops the batch and the writes
 * before it stay (the API server has no multi-object transaction). The release
 * controller orders its batches so that what lands first is safe on its own.
 */
import type { KubeObject } from '../api/objects.js';
import { alreadyExists, conflict, notFound } from '../api/errors.js';
import type { Applied, ListOptions, MergePatch, ObjectStore, StoreEvent, StoreWrite, Unwatch } from '../engine/store.js';
import { retryOnConflict } from '../engine/store.js';
import type { KubeClient } from './client.js';
import { Informer, type InformerStats } from './informer.js';
import { KubeApiError } from './kube-errors.js';

/** `k=v,k2=v2`, the API server's equality selector. */
function selector(labels: Record<string, string> | undefined): { labelSelector?: string } {
  if (!labels || Object.keys(labels).length === 0) return {};
  return { labelSelector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') };
}

const where = (o: { kind: string; metadata: { name: string; namespace?: string } }): string =>
  `${o.kind} ${o.metadata.name}${o.metadata.namespace ? ` in namespace ${o.metadata.namespace}` : ''}`;

export interface KubeObjectStoreOptions {
  log: (msg: string) => void;
  /** Server-side timeout of one watch (s); the informer resumes it. */
  watchTimeoutSeconds?: number;
}

export class KubeObjectStore implements ObjectStore {
  private readonly informers = new Set<Informer>();

  constructor(
    readonly client: KubeClient,
    private readonly opts: KubeObjectStoreOptions,
  ) {}

  /** What each running informer went through, by resource (`status` shows it). */
  get informerStats(): Record<string, InformerStats> {
    return Object.fromEntries([...this.informers].map((i) => [i.rt.plural, { ...i.stats }]));
  }

  get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    return this.client.get<T>(kind, namespace, name);
  }

  async list<T extends KubeObject = KubeObject>(kind: string, opts: ListOptions = {}): Promise<T[]> {
    return (await this.client.list<T>(kind, opts.namespace, selector(opts.labels))).items;
  }

  async watch(kind: string, opts: ListOptions, listener: (e: StoreEvent) => void): Promise<Unwatch> {
    const informer = new Informer(
      this.client,
      kind,
      { timeoutSeconds: this.opts.watchTimeoutSeconds ?? 300, log: this.opts.log, ...(opts.namespace ? { namespace: opts.namespace } : {}), ...selector(opts.labels) },
      listener,
    );
    this.informers.add(informer);
    await informer.start();
    return async () => {
      this.informers.delete(informer);
      await informer.stop();
    };
  }

  async create<T extends KubeObject>(obj: T): Promise<T> {
    const body: KubeObject = { ...obj, metadata: { ...obj.metadata } };
    delete body.status;
    delete body.metadata.resourceVersion;
    try {
      return await this.client.create(body as T);
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 409) throw alreadyExists(`${where(obj)} already exists`);
      throw err;
    }
  }

  update<T extends KubeObject>(obj: T): Promise<T> {
    return this.replace(obj);
  }

  updateStatus<T extends KubeObject>(obj: T): Promise<T> {
    return this.replace(obj, 'status');
  }

  async apply<T extends KubeObject>(obj: T): Promise<Applied<T>> {
    const before = await this.client.get(obj.kind, obj.metadata.namespace, obj.metadata.name);
    const after = await this.client.apply(obj);
    return { object: after, changed: before?.metadata.resourceVersion !== after.metadata.resourceVersion };
  }

  async patch<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string, patch: MergePatch): Promise<T> {
    try {
      return await this.client.mergePatch<T>(kind, namespace, name, patch);
    } catch (err) {
      throw this.mapped(err, { kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
    }
  }

  delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    return this.client.delete(kind, namespace, name);
  }

  async transaction(writes: StoreWrite[]): Promise<void> {
    for (const w of writes) {
      if (w.op === 'delete') await this.delete(w.kind, w.namespace, w.name);
      else await this[w.op](w.object);
    }
  }

  /**
   * PUT with the object's resourceVersion; without one, with the current one, read
   * again on a conflict (an unconditional write, as the contract asks).
   */
  private async replace<T extends KubeObject>(obj: T, subresource?: 'status'): Promise<T> {
    if (obj.metadata.resourceVersion !== undefined) return this.put(obj, subresource);
    return retryOnConflict(where(obj), this.opts.log, async () => {
      const current = await this.client.get(obj.kind, obj.metadata.namespace, obj.metadata.name);
      if (!current) throw notFound(`${where(obj)} not found`);
      return this.put({ ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } }, subresource);
    });
  }

  private async put<T extends KubeObject>(obj: T, subresource?: 'status'): Promise<T> {
    try {
      return await this.client.replace(obj, subresource);
    } catch (err) {
      throw this.mapped(err, obj);
    }
  }

  private mapped(err: unknown, obj: { kind: string; metadata: { name: string; namespace?: string } }): unknown {
    if (!(err instanceof KubeApiError)) return err;
    if (err.isConflict) return conflict(`${where(obj)}: the object has been modified (${err.message}); read it again and retry`);
    if (err.statusCode === 404) return notFound(`${where(obj)} not found`);
    return err;
  }
}
