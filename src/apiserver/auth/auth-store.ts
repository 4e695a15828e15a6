/**
 * Accounts, workspaces, memberships and tokens: tables of their own in the
 * instance's SQLite file, beside the objects. Only hashes of passwords and
 * tokens are kept.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { PlatformRole, ProjectRole, WorkspaceRole } from '../../api/roles.js';
import type { AccountStore, AuthBackend } from './account-store.js';
import { AuditLog } from './audit-log.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS auth_users (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  platform_role TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_workspaces (
  name TEXT PRIMARY KEY,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS auth_members (
  scope TEXT NOT NULL,
  target TEXT NOT NULL,
  user TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (scope, target, user)
);
CREATE INDEX IF NOT EXISTS auth_members_user ON auth_members (user);
CREATE TABLE IF NOT EXISTS auth_tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  user TEXT NOT NULL,
  project TEXT,
  created_at TEXT NOT NULL,
  expires_at INTEGER
);
`;

/** An account. */
export interface User {
  /** DNS-1123 label, unique. */
  name: string;
  /** platform-admin may do everything; platform-regular only what memberships grant. */
  platformRole: PlatformRole;
  /** RFC 3339. */
  createdAt: string;
}

/** A workspace: a group of projects with its own members. */
export interface Workspace {
  /** DNS-1123 label, unique. */
  name: string;
  /** Who created it. */
  createdBy: string;
  /** RFC 3339. */
  createdAt: string;
}

export type MemberScope = 'workspace' | 'project';

/** A user's role in one workspace or project. */
export interface Member {
  /** workspace or project. */
  scope: MemberScope;
  /** The workspace or project name. */
  target: string;
  /** The user. */
  user: string;
  /** The role the user holds there. */
  role: WorkspaceRole | ProjectRole;
  /** RFC 3339. */
  createdAt: string;
}

/** session: a login; scrape: reads /metrics; ingest: sends spans. */
export type TokenKind = 'session' | 'scrape' | 'ingest';

/** A stored token (its hash stays in the table). */
export interface TokenRecord {
  /** Public id, for listing and revoking. */
  id: string;
  kind: TokenKind;
  /** The session's user, or who created a scoped token. */
  user: string;
  /** A scoped token's project, when it is limited to one. */
  project?: string;
  /** RFC 3339. */
  createdAt: string;
  /** Milliseconds since the epoch; absent when it does not expire. */
  expiresAt?: number;
}

interface UserRow {
  name: string;
  password_hash: string;
  platform_role: string;
  created_at: string;
}

interface TokenRow {
  id: string;
  kind: string;
  user: string;
  project: string | null;
  created_at: string;
  expires_at: number | null;
}

const toUser = (r: UserRow): User => ({ name: r.name, platformRole: r.platform_role as PlatformRole, createdAt: r.created_at });
const toToken = (r: TokenRow): TokenRecord => ({
  id: r.id,
  kind: r.kind as TokenKind,
  user: r.user,
  ...(r.project ? { project: r.project } : {}),
  createdAt: r.created_at,
  ...(r.expires_at !== null ? { expiresAt: r.expires_at } : {}),
});

/** Accounts in the local engine's SQLite file: each write is done when its promise is made. */
export class AuthStore implements AccountStore {
  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // Users.

  getUser(name: string): User | undefined {
    const r = this.db.prepare('SELECT * FROM auth_users WHERE name = ?').get(name) as UserRow | undefined;
    return r ? toUser(r) : undefined;
  }

  passwordHash(name: string): string | undefined {
    const r = this.db.prepare('SELECT password_hash FROM auth_users WHERE name = ?').get(name) as { password_hash: string } | undefined;
    return r?.password_hash;
  }

  listUsers(): User[] {
    return (this.db.prepare('SELECT * FROM auth_users ORDER BY name').all() as UserRow[]).map(toUser);
  }

  countPlatformAdmins(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM auth_users WHERE platform_role = 'platform-admin'").get() as { n: number }).n;
  }

  /** Creates a user; false when the name is taken. */
  async createUser(name: string, passwordHash: string, platformRole: PlatformRole): Promise<boolean> {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO auth_users (name, password_hash, platform_role, created_at) VALUES (?, ?, ?, ?)')
      .run(name, passwordHash, platformRole, new Date().toISOString());
    return r.changes === 1;
  }

  async setPassword(name: string, passwordHash: string): Promise<void> {
    this.db.prepare('UPDATE auth_users SET password_hash = ? WHERE name = ?').run(passwordHash, name);
  }

  /** Deletes a user with their memberships and tokens. */
  async deleteUser(name: string): Promise<boolean> {
    return this.transaction(() => {
      this.db.prepare('DELETE FROM auth_members WHERE user = ?').run(name);
      this.db.prepare('DELETE FROM auth_tokens WHERE user = ?').run(name);
      return this.db.prepare('DELETE FROM auth_users WHERE name = ?').run(name).changes === 1;
    });
  }

  // Workspaces.

  getWorkspace(name: string): Workspace | undefined {
    const r = this.db.prepare('SELECT name, created_by AS createdBy, created_at AS createdAt FROM auth_workspaces WHERE name = ?').get(name);
    return r as Workspace | undefined;
  }

  listWorkspaces(): Workspace[] {
    return this.db.prepare('SELECT name, created_by AS createdBy, created_at AS createdAt FROM auth_workspaces ORDER BY name').all() as Workspace[];
  }

  async createWorkspace(name: string, createdBy: string): Promise<boolean> {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO auth_workspaces (name, created_by, created_at) VALUES (?, ?, ?)')
      .run(name, createdBy, new Date().toISOString());
    return r.changes === 1;
  }

  async deleteWorkspace(name: string): Promise<boolean> {
    return this.transaction(() => {
      this.db.prepare("DELETE FROM auth_members WHERE scope = 'workspace' AND target = ?").run(name);
      return this.db.prepare('DELETE FROM auth_workspaces WHERE name = ?').run(name).changes === 1;
    });
  }

  // Members.

  members(scope: MemberScope, target: string): Member[] {
    return this.db
      .prepare('SELECT scope, target, user, role, created_at AS createdAt FROM auth_members WHERE scope = ? AND target = ? ORDER BY user')
      .all(scope, target) as Member[];
  }

  memberRole(scope: MemberScope, target: string, user: string): string | undefined {
    const r = this.db.prepare('SELECT role FROM auth_members WHERE scope = ? AND target = ? AND user = ?').get(scope, target, user) as
      | { role: string }
      | undefined;
    return r?.role;
  }

  /** Every membership of a user. */
  membershipsOf(user: string): Member[] {
    return this.db
      .prepare('SELECT scope, target, user, role, created_at AS createdAt FROM auth_members WHERE user = ? ORDER BY scope, target')
      .all(user) as Member[];
  }

  /** Adds a member, or changes their role. */
  async setMember(scope: MemberScope, target: string, user: string, role: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO auth_members (scope, target, user, role, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (scope, target, user) DO UPDATE SET role = excluded.role`,
      )
      .run(scope, target, user, role, new Date().toISOString());
  }

  async removeMember(scope: MemberScope, target: string, user: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM auth_members WHERE scope = ? AND target = ? AND user = ?').run(scope, target, user).changes === 1;
  }

  /** Forgets every member of a project (when it is deleted, so a new one of the same name starts empty). */
  async clearMembers(scope: MemberScope, target: string): Promise<void> {
    this.db.prepare('DELETE FROM auth_members WHERE scope = ? AND target = ?').run(scope, target);
  }

  // Tokens.

  async addToken(hash: string, kind: TokenKind, user: string, project: string | undefined, expiresAt: number | undefined): Promise<TokenRecord> {
    const rec: TokenRecord = {
      id: randomUUID(),
      kind,
      user,
      ...(project ? { project } : {}),
      createdAt: new Date().toISOString(),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    };
    this.db
      .prepare('INSERT INTO auth_tokens (id, hash, kind, user, project, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(rec.id, hash, kind, user, project ?? null, rec.createdAt, expiresAt ?? null);
    return rec;
  }

  tokenByHash(hash: string): TokenRecord | undefined {
    const r = this.db.prepare('SELECT id, kind, user, project, created_at, expires_at FROM auth_tokens WHERE hash = ?').get(hash) as TokenRow | undefined;
    return r ? toToken(r) : undefined;
  }

  getToken(id: string): TokenRecord | undefined {
    const r = this.db.prepare('SELECT id, kind, user, project, created_at, expires_at FROM auth_tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return r ? toToken(r) : undefined;
  }

  /** Scoped tokens (never sessions), all or one user's. */
  listScopedTokens(user?: string): TokenRecord[] {
    const rows = (
      user === undefined
        ? this.db.prepare("SELECT id, kind, user, project, created_at, expires_at FROM auth_tokens WHERE kind != 'session' ORDER BY created_at").all()
        : this.db.prepare("SELECT id, kind, user, project, created_at, expires_at FROM auth_tokens WHERE kind != 'session' AND user = ? ORDER BY created_at").all(user)
    ) as TokenRow[];
    return rows.map(toToken);
  }

  /** Revokes a token: it is gone, so it authenticates nobody. */
  async revokeToken(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM auth_tokens WHERE id = ?').run(id).changes === 1;
  }

  /** Revokes every session of a user, except one (the caller's own, on a password change). */
  async revokeSessions(user: string, except?: string): Promise<void> {
    this.db.prepare("DELETE FROM auth_tokens WHERE kind = 'session' AND user = ? AND id != ?").run(user, except ?? '');
  }

  /** Removes expired tokens. */
  async pruneExpired(now: number): Promise<void> {
    this.db.prepare('DELETE FROM auth_tokens WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
  }
}

/** Accounts and the audit log in tables of one SQLite file (the local engine's). */
export function sqliteAuth(db: Database.Database): AuthBackend {
  return { accounts: new AuthStore(db), audit: new AuditLog(db) };
}
