/**
 * The object store of the embedded default: one SQLite file (WAL), objects
 * kept as JSON with a store-wide resourceVersion, as the Kubernetes API server
 * keeps them in etcd. Writes inside `transaction` are all-or-nothing, and
 * watchers hear of them only after commit.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { KubeObject } from '../api/objects.js';
import { alreadyExists, conflict, notFound } from '../api/errors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface ListOptions {
  namespace?: string;
  labels?: Record<string, string>;
}

interface Row {
  body: string;
}

/** How an object's JSON is kept in its row: Secrets sealed (secret-seal.ts), everything else as it is. */
export interface BodyCodec {
  encode(kind: string, json: string): string;
  decode(body: string): string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export class Store {
  private readonly db: Database.Database;
  private readonly events = new EventEmitter();
  private pending: WatchEvent[] | undefined;

  constructor(
    file: string,
    private readonly codec?: BodyCodec,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.events.setMaxListeners(100);
  }

  close(): void {
    this.db.close();
  }

  /** The SQLite database, for repositories that keep tables of their own in the same file (accounts, the audit log). */
  get database(): Database.Database {
    return this.db;
  }

  /** Runs fn atomically: every write in it lands, or none does. Nested calls join the outer one. */
  transaction<T>(fn: () => T): T {
    if (this.pending) return fn();
    this.pending = [];
    let events: WatchEvent[];
    try {
      const result = this.db.transaction(fn)();
      events = this.pending;
      this.pending = undefined;
      for (const e of events) this.events.emit('event', e);
      return result;
    } finally {
      this.pending = undefined;
    }
  }

  /** Subscribes to committed changes; returns the unsubscribe function. */
  watch(listener: (e: WatchEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): T | undefined {
    const row = this.db
      .prepare('SELECT body FROM objects WHERE kind = ? AND namespace = ? AND name = ?')
      .get(kind, namespace ?? '', name) as Row | undefined;
    return row ? this.parse<T>(row.body) : undefined;
  }

  mustGet<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): T {
    const o = this.get<T>(kind, namespace, name);
    if (!o) throw notFound(`${kind} ${name} not found${namespace ? ` in project ${namespace}` : ''}`);
    return o;
  }

  list<T extends KubeObject = KubeObject>(kind: string, opts: ListOptions = {}): T[] {
    const rows = (
      opts.namespace === undefined
        ? this.db.prepare('SELECT body FROM objects WHERE kind = ? ORDER BY namespace, name').all(kind)
        : this.db
            .prepare('SELECT body FROM objects WHERE kind = ? AND namespace = ? ORDER BY name')
            .all(kind, opts.namespace)
    ) as Row[];
    const items = rows.map((r) => this.parse<T>(r.body));
    const sel = opts.labels;
    if (!sel) return items;
    return items.filter((o) => matchesLabels(o.metadata.labels, sel));
  }

  /** Creates obj; 409 when it exists. Sets uid, resourceVersion, generation and creationTimestamp. */
  create<T extends KubeObject>(obj: T): T {
    return this.transaction(() => {
      const ns = obj.metadata.namespace ?? '';
      if (this.get(obj.kind, ns, obj.metadata.name)) {
        throw alreadyExists(`${obj.kind} ${obj.metadata.name} already exists${ns ? ` in project ${ns}` : ''}`);
      }
      const stored = structuredClone(obj);
      stored.metadata.uid = stored.metadata.uid ?? randomUUID();
      stored.metadata.generation = 1;
      stored.metadata.creationTimestamp = stored.metadata.creationTimestamp ?? new Date().toISOString();
      return this.write(stored, 'ADDED');
    });
  }

  /**
   * Replaces obj. When obj carries metadata.resourceVersion it must equal the
   * stored one (optimistic concurrency, 409 otherwise). Status is kept from the
   * stored object unless `withStatus`; generation is bumped when spec changed.
   */
  update<T extends KubeObject>(obj: T, opts: { withStatus?: boolean } = {}): T {
    return this.transaction(() => {
      const ns = obj.metadata.namespace ?? '';
      const current = this.get<T>(obj.kind, ns, obj.metadata.name);
      if (!current) throw notFound(`${obj.kind} ${obj.metadata.name} not found${ns ? ` in project ${ns}` : ''}`);
      const rv = obj.metadata.resourceVersion;
      if (rv !== undefined && rv !== current.metadata.resourceVersion) {
        throw conflict(
          `${obj.kind} ${obj.metadata.name}: the object has been modified (resourceVersion ${rv} is stale, current is ${current.metadata.resourceVersion}); read it again and retry`,
        );
      }
      const next = structuredClone(obj);
      keepControllerAnnotations(current, next);
      next.metadata.uid = current.metadata.uid;
      next.metadata.creationTimestamp = current.metadata.creationTimestamp;
      const specChanged = JSON.stringify(next.spec ?? null) !== JSON.stringify(current.spec ?? null);
      next.metadata.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
      if (!opts.withStatus) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      return this.write(next, 'MODIFIED');
    });
  }

  /** Updates only the status of an object; a no-op (no event) when nothing changed. */
  updateStatus<T extends KubeObject>(kind: string, namespace: string | undefined, name: string, status: T['status']): T | undefined {
    return this.transaction(() => {
      const current = this.get<T>(kind, namespace, name);
      if (!current) return undefined;
      if (JSON.stringify(current.status ?? null) === JSON.stringify(status ?? null)) return current;
      const next = { ...current, status } as T;
      return this.write(next, 'MODIFIED');
    });
  }

  /** Deletes an object; returns it, or undefined when it did not exist. */
  delete(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.transaction(() => {
      const current = this.get(kind, namespace, name);
      if (!current) return undefined;
      this.db
        .prepare('DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?')
        .run(kind, namespace ?? '', name);
      this.pending?.push({ type: 'DELETED', object: current });
      return current;
    });
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Increments a counter kept in meta and returns its new value. */
  nextCounter(key: string): number {
    return this.transaction(() => {
      const n = Number(this.getMeta(key) ?? '0') + 1;
      this.setMeta(key, String(n));
      return n;
    });
  }

  private parse<T>(body: string): T {
    return JSON.parse(this.codec ? this.codec.decode(body) : body) as T;
  }

  private write<T extends KubeObject>(obj: T, type: WatchEventType): T {
    const rv = this.nextCounter('resourceVersion');
    obj.metadata.resourceVersion = String(rv);
    this.db
      .prepare(
        `INSERT INTO objects (kind, namespace, name, resource_version, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(kind, namespace, name) DO UPDATE SET resource_version = excluded.resource_version, body = excluded.body`,
      )
      .run(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name, rv, this.codec ? this.codec.encode(obj.kind, JSON.stringify(obj)) : JSON.stringify(obj));
    this.pending?.push({ type, object: structuredClone(obj) });
    return obj;
  }
}

/**
 * Annotations a controller writes on objects users write too (a Deployment's current
 * revision): a write without them keeps them, as a client-side apply leaves fields
 * it did not set, so applying the same manifest again changes nothing.
 */
export const CONTROLLER_ANNOTATIONS: readonly string[] = ['deployment.kubernetes.io/revision'];

function keepControllerAnnotations(current: KubeObject, next: KubeObject): void {
  for (const k of CONTROLLER_ANNOTATIONS) {
    const v = current.metadata.annotations?.[k];
    if (v !== undefined && next.metadata.annotations?.[k] === undefined) next.metadata.annotations = { ...next.metadata.annotations, [k]: v };
  }
}

/** The annotations a user wrote: without those CONTROLLER_ANNOTATIONS keeps. */
export function userAnnotations(o: KubeObject): Record<string, string> {
  const out = { ...o.metadata.annotations };
  for (const k of CONTROLLER_ANNOTATIONS) delete out[k];
  return out;
}

/** True when every key of `selector` has the same value in `labels`. */
export function matchesLabels(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector)) {
    if (labels?.[k] !== v) return false;
  }
  return true;
}
