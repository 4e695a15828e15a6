/**
 * The span store: spans in their own SQLite file (`traces.db` in the home,
 * WAL) so tracing load never contends with the object store. Inserts come in
 * batches, one transaction each. Retention is bounded by count and by age and
 * runs in batches so a large deletion never blocks the API for long.
 *
 * Search follows Jaeger's semantics: a trace matches when one of its spans
 * matches every condition (service, operation, tags, duration, time range);
 * the most recent traces come first.
 */
import Database from 'better-sqlite3';
import type { SpanQuery } from '../../telemetry/query/span-query.js';
import { SPAN_KINDS, type Span, type SpanKind } from '../../telemetry/query/span.js';
import { SCHEMA, indexed, toSpan, type SpanRow } from './span-schema.js';
import { spanPredicate } from './span-search.js';

export interface RetentionOptions {
  /** Most spans kept (oldest dropped first). Default 1,000,000. */
  maxSpans?: number;
  /** Oldest span kept, ms. Default 24 h. */
  maxAgeMs?: number;
  /** Rows deleted per statement. */
  batch?: number;
}

export class SpanStore {
  private readonly db: Database.Database;
  private readonly insertSpan: Database.Statement;
  private readonly insertTags = new Map<number, Database.Statement>();
  private readonly insertOp: Database.Statement;
  private readonly knownOps = new Set<string>();
  private count: number;
  readonly maxSpans: number;
  readonly maxAgeMs: number;
  private readonly batch: number;

  constructor(file: string, retention: RetentionOptions = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536');
    this.db.exec(SCHEMA);
    this.maxSpans = retention.maxSpans ?? 1_000_000;
    this.maxAgeMs = retention.maxAgeMs ?? 24 * 3_600_000;
    this.batch = retention.batch ?? 10_000;
    this.insertSpan = this.db.prepare(
      `INSERT INTO spans (trace_id, span_id, parent_id, service, operation, kind, namespace, start_us, duration_us, error, tags, resource, events)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertOp = this.db.prepare('INSERT OR IGNORE INTO operations (service, operation, kind) VALUES (?, ?, ?)');
    this.count = (this.db.prepare('SELECT count(*) AS n FROM spans').get() as { n: number }).n;
  }

  /** How many spans are stored. */
  get size(): number {
    return this.count;
  }

  close(): void {
    this.db.close();
  }

  /** Inserts spans in one transaction, then enforces the span-count bound. */
  insert(spans: Span[]): void {
    if (spans.length === 0) return;
    this.db.transaction(() => {
      for (const s of spans) {
        const kind = SPAN_KINDS.indexOf(s.kind);
        const r = this.insertSpan.run(
          s.traceId,
          s.spanId,
          s.parentSpanId,
          s.service,
          s.operation,
          kind,
          s.namespace,
          s.startUs,
          s.durationUs,
          s.error ? 1 : 0,
          JSON.stringify(s.tags),
          JSON.stringify(s.resource),
          s.events.length > 0 ? JSON.stringify(s.events) : null,
        );
        const id = r.lastInsertRowid;
        const rows: (string | number | bigint)[] = [];
        for (const k in s.tags) {
          const text = String(s.tags[k]);
          if (indexed(k, text)) rows.push(id, k, text);
        }
        if (rows.length > 0) this.tagStatement(rows.length / 3).run(rows);
        const opKey = `${s.service}\u0000${s.operation}\u0000${kind}`;
        if (!this.knownOps.has(opKey)) {
          this.insertOp.run(s.service, s.operation, kind);
          this.knownOps.add(opKey);
        }
      }
    })();
    this.count += spans.length;
    if (this.count > this.maxSpans) this.trimToCount();
  }

  /** One statement inserting n tag rows (a statement per row costs more than the row). */
  private tagStatement(n: number): Database.Statement {
    let st = this.insertTags.get(n);
    if (!st) {
      st = this.db.prepare(`INSERT OR IGNORE INTO span_tags (span, key, value) VALUES ${Array.from({ length: n }, () => '(?, ?, ?)').join(', ')}`);
      this.insertTags.set(n, st);
    }
    return st;
  }

  /** Drops the oldest spans beyond maxSpans, in batches. */
  trimToCount(): number {
    let removed = 0;
    while (this.count > this.maxSpans) {
      const n = Math.min(this.batch, this.count - this.maxSpans);
      const row = this.db.prepare('SELECT id FROM spans ORDER BY id LIMIT 1 OFFSET ?').get(n - 1) as { id: number } | undefined;
      if (!row) break;
      removed += this.deleteUpTo(row.id);
    }
    return removed;
  }

  /** Drops spans that started before now - maxAgeMs, oldest first, in batches; returns how many. */
  trimByAge(nowMs = Date.now()): number {
    const cutoffUs = (nowMs - this.maxAgeMs) * 1000;
    let removed = 0;
    const oldest = this.db.prepare('SELECT id, start_us FROM spans ORDER BY id LIMIT ?');
    for (;;) {
      const rows = oldest.all(this.batch) as { id: number; start_us: number }[];
      // Spans arrive roughly in time order: delete the leading run of expired ones.
      let last = -1;
      for (const r of rows) {
        if (r.start_us >= cutoffUs) break;
        last = r.id;
      }
      if (last < 0) break;
      removed += this.deleteUpTo(last);
      if (rows.length < this.batch) break;
    }
    if (removed > 0) {
      this.db.exec('DELETE FROM operations WHERE NOT EXISTS (SELECT 1 FROM spans WHERE spans.service = operations.service)');
      this.knownOps.clear();
    }
    return removed;
  }

  private deleteUpTo(id: number): number {
    return this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM spans WHERE id <= ?').run(id).changes;
      this.db.prepare('DELETE FROM span_tags WHERE span <= ?').run(id);
      this.count -= n;
      return n;
    })();
  }

  /** All spans of one trace, by start time. */
  trace(traceId: string): Span[] {
    const rows = this.db.prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_us, id').all(traceId.toLowerCase()) as SpanRow[];
    return rows.map(toSpan);
  }

  /** Spans of many traces, grouped by trace id. */
  traces(traceIds: string[]): Map<string, Span[]> {
    const out = new Map<string, Span[]>();
    const stmt = this.db.prepare('SELECT * FROM spans WHERE trace_id = ? ORDER BY start_us, id');
    for (const id of traceIds) out.set(id, (stmt.all(id) as SpanRow[]).map(toSpan));
    return out;
  }

  /** Trace ids matching the query, most recent first. */
  findTraceIds(q: SpanQuery): string[] {
    const { sql: predicate, args } = spanPredicate(q);
    const limit = q.limit ?? 20;
    const sql = `SELECT trace_id FROM spans ${predicate} ORDER BY start_us DESC`;
    const ids: string[] = [];
    const seen = new Set<string>();
    for (const row of this.db.prepare(sql).iterate(...args) as IterableIterator<{ trace_id: string }>) {
      if (seen.has(row.trace_id)) continue;
      seen.add(row.trace_id);
      ids.push(row.trace_id);
      if (ids.length >= limit) break;
    }
    return ids;
  }

  /** Service names seen, sorted. */
  services(): string[] {
    return (this.db.prepare('SELECT DISTINCT service FROM operations ORDER BY service').all() as { service: string }[]).map((r) => r.service);
  }

  /** A service's operations (span names) with their span kinds, sorted. */
  operations(service: string): { name: string; kind: SpanKind }[] {
    const rows = this.db.prepare('SELECT operation, kind FROM operations WHERE service = ? ORDER BY operation, kind').all(service) as {
      operation: string;
      kind: number;
    }[];
    return rows.map((r) => ({ name: r.operation, kind: SPAN_KINDS[r.kind] ?? 'unspecified' }));
  }
}
