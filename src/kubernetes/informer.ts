/**
 * An informer, as client-go's reflector runs one: list (a consistent snapshot and its
 * resourceVersion), then watch from that resourceVersion; keep the resourceVersion of every event
 * and BOOKMARK; after a dropped connection or a server timeout, watch again from it; after
 * 410 Gone (the version was compacted), list again and tell the handler what changed meanwhile.
 * https://kubernetes.io/docs/reference/using-api/api-concepts/#watch-bookmarks
 */
import type { KubeObject } from '../api/objects.js';
import type { KubeClient, WatchEvent } from './client.js';
import { KubeApiError, watchError } from './kube-errors.js';
import { resourceOf, type ResourceType } from './resources.js';

export type InformerEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface InformerEvent {
  type: InformerEventType;
  object: KubeObject;
}

export interface InformerOptions {
  /** Watch one namespace; all when undefined. */
  namespace?: string;
  labelSelector?: string;
  /** Server-side timeout of one watch (s). */
  timeoutSeconds?: number;
  /** First retry delay after an error (ms), doubled up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  log?: (msg: string) => void;
}

/** What the informer went through; tests and `status` read it. */
export interface InformerStats {
  lists: number;
  watches: number;
  /** Watches resumed from a resourceVersion after a drop or a timeout. */
  resumes: number;
  /** Lists after 410 Gone. */
  relists: number;
  bookmarks: number;
  errors: number;
}

const key = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

export class Informer {
  readonly rt: ResourceType;
  /** The objects as last seen, by namespace/name. */
  readonly cache = new Map<string, KubeObject>();
  readonly stats: InformerStats = { lists: 0, watches: 0, resumes: 0, relists: 0, bookmarks: 0, errors: 0 };
  resourceVersion = '';
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private synced: Promise<void> | undefined;

  constructor(
    private readonly client: KubeClient,
    kind: string,
    private readonly opts: InformerOptions,
    private readonly handler: (e: InformerEvent) => void,
  ) {
    this.rt = resourceOf(kind);
  }

  /** Starts; resolves once the first list is in the cache. */
  start(): Promise<void> {
    if (this.synced) return this.synced;
    let ready!: () => void;
    let failed!: (err: Error) => void;
    this.synced = new Promise<void>((res, rej) => {
      ready = res;
      failed = rej;
    });
    this.loop = this.run(ready, failed);
    return this.synced;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private emit(type: InformerEventType, object: KubeObject): void {
    try {
      this.handler({ type, object });
    } catch (err) {
      this.opts.log?.(`${this.rt.plural} informer: handler: ${(err as Error).message}`);
    }
  }

  /** Lists and replaces the cache, telling the handler the difference (all ADDED on the first list). */
  private async list(): Promise<void> {
    const { items, resourceVersion } = await this.client.list(this.rt.kind, this.opts.namespace, {
      ...(this.opts.labelSelector ? { labelSelector: this.opts.labelSelector } : {}),
    });
    this.stats.lists++;
    const seen = new Set<string>();
    for (const o of items) {
      const k = key(o);
      seen.add(k);
      const prev = this.cache.get(k);
      this.cache.set(k, o);
      if (!prev) this.emit('ADDED', o);
      else if (prev.metadata.resourceVersion !== o.metadata.resourceVersion) this.emit('MODIFIED', o);
    }
    for (const [k, o] of [...this.cache]) {
      if (!seen.has(k)) {
        this.cache.delete(k);
        this.emit('DELETED', o);
      }
    }
    this.resourceVersion = resourceVersion;
  }

  private onEvent(e: WatchEvent): void {
    if (e.type === 'ERROR') throw watchError(e.object as { code?: number; reason?: string; message?: string });
    const rv = e.object.metadata?.resourceVersion;
    if (e.type === 'BOOKMARK') {
      this.stats.bookmarks++;
      if (rv) this.resourceVersion = rv;
      return;
    }
    const o = { ...e.object, apiVersion: e.object.apiVersion ?? this.rt.apiVersion, kind: e.object.kind ?? this.rt.kind };
    if (e.type === 'DELETED') this.cache.delete(key(o));
    else this.cache.set(key(o), o);
    if (rv) this.resourceVersion = rv;
    this.emit(e.type, o);
  }

  private async run(ready: () => void, failed: (err: Error) => void): Promise<void> {
    const signal = this.abort.signal;
    let backoff = this.opts.backoffMs ?? 200;
    let needList = true;
    let first = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          if (!first) this.stats.relists++;
          await this.list();
          needList = false;
          if (first) ready();
          first = false;
        } else {
          this.stats.resumes++;
        }
        this.stats.watches++;
        await this.client.watch(
          this.rt,
          this.opts.namespace,
          {
            resourceVersion: this.resourceVersion,
            timeoutSeconds: this.opts.timeoutSeconds ?? 300,
            signal,
            ...(this.opts.labelSelector ? { labelSelector: this.opts.labelSelector } : {}),
          },
          (e) => this.onEvent(e),
        );
        backoff = this.opts.backoffMs ?? 200;
      } catch (err) {
        if (signal.aborted) break;
        this.stats.errors++;
        if (err instanceof KubeApiError && err.isGone) {
          // The resourceVersion was compacted away: only a new list knows what happened.
          this.opts.log?.(`${this.rt.plural} informer: ${err.message}; listing again`);
          needList = true;
          continue;
        }
        if (first) {
          failed(err as Error);
          return;
        }
        this.opts.log?.(`${this.rt.plural} informer: ${(err as Error).message}; retrying in ${backoff} ms`);
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, this.opts.maxBackoffMs ?? 5_000);
      }
    }
  }
}
