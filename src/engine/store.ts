/**
 * The object store both engines offer their controllers, after Istio pilot's
 * `model.ConfigStore`: the object model of src/api/objects.ts, read and written
 * asynchronously, with watches. Two implementations: SQLite for the local engine
 * (src/controlplane/object-store.ts, an adapter over the Store that owns the
 * file) and the Kubernetes API for the cluster engine
 * (src/kubernetes/object-store.ts, server-side apply and informers).
 *
 * The rules every implementation keeps (test/engines/store-cases.ts holds it to them):
 * - `create` of an existing object is the catalogue's alreadyExists (409); status is
 *   not written by it (as the API server's status subresource), `updateStatus` writes it.
 * - `update` and `updateStatus` check `metadata.resourceVersion` when the object carries
 *   one: a stale one is the catalogue's conflict (409, GM_ERR_CONFLICT). Without one the
 *   write is unconditional (last write wins). `update` keeps the stored status.
 * - `apply` creates or replaces an object graymesh manages (its labels, annotations,
 *   owner references and spec), and says whether anything changed.
 * - `watch` tells the listener of every object already there (ADDED), then of every
 *   change, as an informer does after its first list; it resolves once that first
 *   list is told.
 * - `transaction` writes a batch: on SQLite all or nothing, watchers told after the
 *   commit; on a cluster in order, each write atomic on its own, stopping at the first
 *   failure with the writes before it kept (the API server has no multi-object
 *   transaction), watchers told of each write as it lands.
 */
import type { KubeObject } from '../api/objects.js';
import { GmError } from '../api/errors.js';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  object: KubeObject;
}

export interface ListOptions {
  /** One namespace; every namespace when undefined. */
  namespace?: string;
  /** Equality selector: every label given must have that value. */
  labels?: Record<string, string>;
}

/** Stops a watch. */
export type Unwatch = () => Promise<void>;

export interface Applied<T extends KubeObject> {
  object: T;
  /** False when the store already held exactly this. */
  changed: boolean;
}

/** A JSON merge patch (RFC 7386): null removes a field. */
export type MergePatch = Record<string, unknown>;

/** One write of a transaction. */
export type StoreWrite =
  | { op: 'create' | 'update' | 'updateStatus' | 'apply'; object: KubeObject }
  | { op: 'delete'; kind: string; namespace?: string; name: string };

export interface ObjectStore {
  get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): Promise<T | undefined>;
  list<T extends KubeObject = KubeObject>(kind: string, opts?: ListOptions): Promise<T[]>;
  watch(kind: string, opts: ListOptions, listener: (e: StoreEvent) => void): Promise<Unwatch>;
  create<T extends KubeObject>(obj: T): Promise<T>;
  update<T extends KubeObject>(obj: T): Promise<T>;
  updateStatus<T extends KubeObject>(obj: T): Promise<T>;
  apply<T extends KubeObject>(obj: T): Promise<Applied<T>>;
  patch<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string, patch: MergePatch): Promise<T>;
  /** True when the object existed. */
  delete(kind: string, namespace: string | undefined, name: string): Promise<boolean>;
  transaction(writes: StoreWrite[]): Promise<void>;
}

/** True for the catalogue's conflict: a stale resourceVersion. */
export function isConflict(err: unknown): boolean {
  return err instanceof GmError && err.code === 'GM_ERR_CONFLICT';
}

const CONFLICT_ATTEMPTS = 5;

/**
 * Runs a read-modify-write again on a conflict, so the change is made to the
 * fresh object and never to a stale one (client-go's RetryOnConflict).
 */
export async function retryOnConflict<T>(what: string, log: (msg: string) => void, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConflict(err) || attempt >= CONFLICT_ATTEMPTS) throw err;
      log(`${what}: ${(err as Error).message}; reading it again (attempt ${attempt + 1})`);
    }
  }
}

/** Writes `change(status)` as the object's status, read fresh and retried on a conflict; unchanged, nothing is written. */
export async function changeStatus<T extends KubeObject>(
  store: ObjectStore,
  log: (msg: string) => void,
  kind: string,
  namespace: string,
  name: string,
  change: (status: T['status'] | undefined, fresh: T) => T['status'],
): Promise<T | undefined> {
  return retryOnConflict(`${kind} ${namespace}/${name}`, log, async () => {
    const fresh = await store.get<T>(kind, namespace, name);
    if (!fresh) return undefined;
    const status = change(fresh.status as T['status'] | undefined, fresh);
    if (JSON.stringify(status ?? null) === JSON.stringify(fresh.status ?? null)) return fresh;
    return store.updateStatus<T>({ ...fresh, status });
  });
}
