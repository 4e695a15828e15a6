/**
 * The projects the API's access decisions read: a project is a Namespace, its workspace the
 * `kubesphere.io/workspace` label. Access is decided synchronously in the request guard, so an
 * engine hands the API a synchronous view: the local engine its SQLite store as it is, the
 * Kubernetes engine a cache fed by a watch of the cluster's Namespaces (`ProjectCache`), as a
 * client-go lister reads an informer's cache.
 */
import type { Namespace } from '../api/objects.js';
import type { ObjectStore, Unwatch } from '../engine/store.js';

export interface ProjectDirectory {
  /** The project's Namespace, or undefined when there is none. */
  get(name: string): Namespace | undefined;
  list(): Namespace[];
  /** Tells of every project deleted from now on; returns the call that stops telling. */
  onDeleted(listener: (name: string) => void): () => void;
}

/** A directory over a watch of an object store's Namespaces. */
export class ProjectCache implements ProjectDirectory {
  private readonly byName = new Map<string, Namespace>();
  private readonly listeners = new Set<(name: string) => void>();
  private unwatch: Unwatch | undefined;

  /** `labels`: only the Namespaces carrying these are projects (all when none are given). */
  constructor(
    private readonly store: ObjectStore,
    private readonly labels?: Record<string, string>,
  ) {}

  /** Resolves once every Namespace already there is known. */
  async start(): Promise<void> {
    this.unwatch = await this.store.watch('Namespace', this.labels ? { labels: this.labels } : {}, (e) => {
      const ns = e.object as Namespace;
      // A Namespace being deleted (a cluster's Terminating one) is no project any more.
      const deleting = (ns.metadata as { deletionTimestamp?: string }).deletionTimestamp !== undefined;
      if (e.type !== 'DELETED' && !deleting) {
        this.byName.set(ns.metadata.name, ns);
        return;
      }
      this.forget(ns.metadata.name);
    });
  }

  async close(): Promise<void> {
    await this.unwatch?.();
    this.unwatch = undefined;
  }

  get(name: string): Namespace | undefined {
    return this.byName.get(name);
  }

  /** A Namespace this process has just written, known before its watch event arrives. */
  remember(ns: Namespace): void {
    const known = this.byName.get(ns.metadata.name);
    if (!known || Number(known.metadata.resourceVersion ?? 0) <= Number(ns.metadata.resourceVersion ?? 0)) this.byName.set(ns.metadata.name, ns);
  }

  /** A Namespace this process has just deleted, gone before its watch event arrives. */
  forget(name: string): void {
    if (!this.byName.delete(name)) return;
    for (const l of this.listeners) l(name);
  }

  list(): Namespace[] {
    return [...this.byName.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  onDeleted(listener: (name: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
