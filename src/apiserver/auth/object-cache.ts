/**
 * One kind of object held in memory, fed by a watch of the object store and by this process's
 * own writes (known at once, before their watch event lands), as a client-go informer's cache
 * with the writer's results put in. An event older than what is held (by resourceVersion) is
 * ignored, and so is one for an object this process has deleted since, so a late event never
 * brings back a revoked token.
 */
import type { KubeObject } from '../../api/objects.js';
import type { ObjectStore, StoreEvent, Unwatch } from '../../engine/store.js';

/** A resourceVersion as a number; NaN when the store's versions are not numbers (then every event counts). */
/** Deletions remembered at the most. */
const MAX_TOMBSTONES = 10_000;

const rv = (o: KubeObject): number => Number(o.metadata.resourceVersion ?? NaN);

export class ObjectCache<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  /** Names deleted, with the resourceVersion they had: no event up to it brings them back. */
  private readonly deleted = new Map<string, number>();
  private unwatch: Unwatch | undefined;
  /** Bumped on every change, so indexes over the cache know when to rebuild. */
  version = 0;

  constructor(
    private readonly store: ObjectStore,
    readonly kind: string,
  ) {}

  /** Resolves once every object already there is held. */
  async start(): Promise<void> {
    this.unwatch = await this.store.watch(this.kind, {}, (e) => this.event(e));
  }

  async close(): Promise<void> {
    await this.unwatch?.();
    this.unwatch = undefined;
  }

  get(name: string): T | undefined {
    return this.items.get(name);
  }

  values(): T[] {
    return [...this.items.values()];
  }

  get size(): number {
    return this.items.size;
  }

  /** An object this process has just written. */
  put(obj: T): void {
    if (this.isStale(obj.metadata.name, rv(obj))) return;
    this.items.set(obj.metadata.name, obj);
    this.deleted.delete(obj.metadata.name);
    this.version++;
  }

  /** An object this process has just deleted. */
  drop(name: string): void {
    const held = this.items.get(name);
    if (!held) return;
    this.items.delete(name);
    this.tombstone(name, rv(held));
    this.version++;
  }

  /** Remembers a deletion until its watch event has surely passed (the oldest are forgotten first). */
  private tombstone(name: string, version: number): void {
    this.deleted.delete(name);
    this.deleted.set(name, version);
    if (this.deleted.size > MAX_TOMBSTONES) this.deleted.delete(this.deleted.keys().next().value as string);
  }

  private isStale(name: string, version: number): boolean {
    if (Number.isNaN(version)) return false;
    const held = this.items.get(name);
    if (held && rv(held) >= version) return true;
    const gone = this.deleted.get(name);
    return gone !== undefined && gone >= version;
  }

  private event(e: StoreEvent): void {
    const obj = e.object as T;
    if (e.type !== 'DELETED') return this.put(obj);
    const held = this.items.get(obj.metadata.name);
    // Deleted, then made again by this process: the new one stays.
    if (held && rv(held) > rv(obj)) return;
    this.drop(obj.metadata.name);
    this.tombstone(obj.metadata.name, rv(obj));
  }
}
