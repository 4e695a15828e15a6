/**
 * The audit log: one row per write request (who, what, when, the result,
 * refusals included), in the instance's SQLite file. Reads are not recorded.
 * The log keeps the most recent MAX_ROWS entries.
 */
import type Database from 'better-sqlite3';
import type { AuditStore } from './account-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  user TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  project TEXT,
  workspace TEXT,
  objects TEXT,
  status INTEGER NOT NULL,
  result TEXT NOT NULL,
  message TEXT,
  ip TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_project ON audit_log (project, id);
CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (user, id);
`;

const MAX_ROWS = 100_000;

/** allowed: done; refused: 401, 403, 404 or 429 from authorization; failed: any other error. */
export type AuditResult = 'allowed' | 'refused' | 'failed';

/** One audited request. */
export interface AuditEntry {
  /** Sequence number. */
  id: number;
  /** RFC 3339. */
  time: string;
  /** The account (`admin` for the instance token), `token:<id>` for a scoped token, `-` when unauthenticated. */
  user: string;
  method: string;
  /** The request path, without the query. */
  path: string;
  /** The project the request addressed, when it named one. */
  project?: string;
  /** The workspace the request addressed, when it named one. */
  workspace?: string;
  /** Objects a manifest apply or delete named (`Kind/namespace/name`, comma-separated). */
  objects?: string;
  /** HTTP status of the answer. */
  status: number;
  result: AuditResult;
  /** The error message of a refusal or failure. */
  message?: string;
  /** The client address. */
  ip?: string;
}

export interface AuditQuery {
  project?: string;
  user?: string;
  /** Only entries of these projects (for callers who may not see all). */
  projects?: string[];
  limit?: number;
}

type Row = { [K in keyof AuditEntry]: AuditEntry[K] | null };

export class AuditLog implements AuditStore {
  private inserts = 0;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
  }

  record(e: Omit<AuditEntry, 'id'>): void {
    this.db
      .prepare(
        'INSERT INTO audit_log (time, user, method, path, project, workspace, objects, status, result, message, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(e.time, e.user, e.method, e.path, e.project ?? null, e.workspace ?? null, e.objects ?? null, e.status, e.result, e.message ?? null, e.ip ?? null);
    if (++this.inserts % 1000 === 0) {
      this.db.prepare('DELETE FROM audit_log WHERE id <= (SELECT MAX(id) FROM audit_log) - ?').run(MAX_ROWS);
    }
  }

  /** The newest entries first. */
  query(q: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.project !== undefined) {
      where.push('project = ?');
      args.push(q.project);
    }
    if (q.user !== undefined) {
      where.push('user = ?');
      args.push(q.user);
    }
    if (q.projects !== undefined) {
      if (q.projects.length === 0) return [];
      where.push(`project IN (${q.projects.map(() => '?').join(', ')})`);
      args.push(...q.projects);
    }
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 10_000);
    const sql = `SELECT * FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    const rows = this.db.prepare(sql).all(...args) as Row[];
    return rows.map((r) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (v !== null) out[k] = v;
      return out as unknown as AuditEntry;
    });
  }
}
