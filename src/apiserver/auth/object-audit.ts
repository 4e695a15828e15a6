/**
 * The audit log as AuditEvent objects in an object store (one per audited request, named
 * `audit-<sequence>`, the project in label graymesh.dev/project), the rolling record the
 * Kubernetes engine keeps in the cluster: the newest MAX_EVENTS stay, older ones are deleted
 * as new ones arrive. An entry is readable at once from the cache (fed by a watch, so the
 * entries of every graymesh process in front of the cluster are read) and written in the
 * background, in order; a write that fails is told to the log, the entry kept in memory.
 */
import { ACCOUNTS_API_VERSION, AUDIT_PROJECT_LABEL, type AuditEventObject } from '../../api/account-objects.js';
import type { ObjectStore } from '../../engine/store.js';
import type { AuditStore } from './account-store.js';
import type { AuditEntry, AuditQuery } from './audit-log.js';
import { ObjectCache } from './object-cache.js';

/** Entries kept in the cluster. */
export const MAX_EVENTS = 10_000;

const FIELDS = ['time', 'user', 'method', 'path', 'project', 'workspace', 'objects', 'status', 'result', 'message', 'ip'] as const;

function toEntry(o: AuditEventObject): AuditEntry {
  const out: Record<string, unknown> = { id: Number(o.spec.sequence) };
  for (const f of FIELDS) if (o.spec[f] !== undefined) out[f] = o.spec[f];
  return out as unknown as AuditEntry;
}

export class ObjectAudit implements AuditStore {
  private readonly events: ObjectCache<AuditEventObject>;
  private lastSequence = 0;
  /** Writes and deletes go one after the other, in the order of the requests. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: ObjectStore,
    private readonly log: (msg: string) => void,
    private readonly max = MAX_EVENTS,
  ) {
    this.events = new ObjectCache(store, 'AuditEvent');
  }

  async start(): Promise<void> {
    await this.events.start();
  }

  /** Waits for the writes already queued, then stops the watch. */
  async close(): Promise<void> {
    await this.queue;
    await this.events.close();
  }

  /** Epoch µs, unique in this process and increasing, so entries of several processes sort by time. */
  private nextSequence(): number {
    this.lastSequence = Math.max(this.lastSequence + 1, Date.now() * 1000);
    return this.lastSequence;
  }

  record(e: Omit<AuditEntry, 'id'>): void {
    const sequence = this.nextSequence();
    const spec: Record<string, string | number> = { sequence };
    for (const [k, v] of Object.entries(e)) if (v !== undefined) spec[k] = v as string | number;
    const obj: AuditEventObject = {
      apiVersion: ACCOUNTS_API_VERSION,
      kind: 'AuditEvent',
      metadata: { name: `audit-${sequence}`, ...(e.project ? { labels: { [AUDIT_PROJECT_LABEL]: e.project } } : {}) },
      spec,
    };
    this.events.put(obj);
    this.queue = this.queue.then(async () => {
      try {
        this.events.put(await this.store.create(obj));
        await this.prune();
      } catch (err) {
        this.log(`audit entry ${e.method} ${e.path} by ${e.user} not kept in the store: ${(err as Error).message}`);
      }
    });
  }

  /** Deletes the oldest entries beyond the limit. */
  private async prune(): Promise<void> {
    // In batches of a hundredth, so the sort is paid once per batch rather than per entry.
    if (this.events.size <= this.max + Math.ceil(this.max / 100)) return;
    const oldest = this.events.values().sort((a, b) => Number(a.spec.sequence) - Number(b.spec.sequence));
    for (const o of oldest.slice(0, oldest.length - this.max)) {
      await this.store.delete('AuditEvent', undefined, o.metadata.name);
      this.events.drop(o.metadata.name);
    }
  }

  query(q: AuditQuery = {}): AuditEntry[] {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 10_000);
    const projects = q.projects ? new Set(q.projects) : undefined;
    return this.events
      .values()
      .map(toEntry)
      .filter((e) => (q.project === undefined || e.project === q.project) && (q.user === undefined || e.user === q.user) && (!projects || (e.project !== undefined && projects.has(e.project))))
      .sort((a, b) => b.id - a.id)
      .slice(0, limit);
  }
}
