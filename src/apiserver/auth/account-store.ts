/**
 * Where graymesh's accounts are kept, as the guard and the account routes read and write them:
 * users with their password hashes, workspaces, memberships, tokens (only their hashes) and the
 * audit log. Reads are synchronous, since the guard decides synchronously; writes are
 * asynchronous and resolve once the write is kept (and readable here). Two implementations:
 * tables in the local engine's SQLite file (auth-store.ts, audit-log.ts), and graymesh objects
 * in a cluster through the engine's object store (object-accounts.ts, object-audit.ts).
 */
import type { PlatformRole } from '../../api/roles.js';
import type { AuditEntry, AuditQuery } from './audit-log.js';
import type { Member, MemberScope, TokenKind, TokenRecord, User, Workspace } from './auth-store.js';

export interface AccountStore {
  getUser(name: string): User | undefined;
  passwordHash(name: string): string | undefined;
  listUsers(): User[];
  countPlatformAdmins(): number;
  /** Creates a user; false when the name is taken. */
  createUser(name: string, passwordHash: string, platformRole: PlatformRole): Promise<boolean>;
  setPassword(name: string, passwordHash: string): Promise<void>;
  /** Deletes a user with their memberships and tokens. */
  deleteUser(name: string): Promise<boolean>;

  getWorkspace(name: string): Workspace | undefined;
  listWorkspaces(): Workspace[];
  createWorkspace(name: string, createdBy: string): Promise<boolean>;
  /** Deletes a workspace with its memberships. */
  deleteWorkspace(name: string): Promise<boolean>;

  members(scope: MemberScope, target: string): Member[];
  memberRole(scope: MemberScope, target: string, user: string): string | undefined;
  /** Every membership of a user, by scope and target. */
  membershipsOf(user: string): Member[];
  /** Adds a member, or changes their role. */
  setMember(scope: MemberScope, target: string, user: string, role: string): Promise<void>;
  removeMember(scope: MemberScope, target: string, user: string): Promise<boolean>;
  /** Forgets every member of a project (when it is deleted, so a new one of the same name starts empty). */
  clearMembers(scope: MemberScope, target: string): Promise<void>;

  addToken(hash: string, kind: TokenKind, user: string, project: string | undefined, expiresAt: number | undefined): Promise<TokenRecord>;
  tokenByHash(hash: string): TokenRecord | undefined;
  getToken(id: string): TokenRecord | undefined;
  /** Scoped tokens (never sessions), all or one user's, oldest first. */
  listScopedTokens(user?: string): TokenRecord[];
  /** Revokes a token: it is gone, so it authenticates nobody. */
  revokeToken(id: string): Promise<boolean>;
  /** Revokes every session of a user, except one (the caller's own, on a password change). */
  revokeSessions(user: string, except?: string): Promise<void>;
  /** Removes expired tokens. */
  pruneExpired(now: number): Promise<void>;
}

export interface AuditStore {
  /** Records one entry; it is readable by `query` at once, and kept as soon as the store has written it. */
  record(e: Omit<AuditEntry, 'id'>): void;
  /** The newest entries first. */
  query(q?: AuditQuery): AuditEntry[];
}

/** Where an AuthService keeps what it knows. */
export interface AuthBackend {
  accounts: AccountStore;
  audit: AuditStore;
  /** Stops what the backend runs (watches); the SQLite one has nothing to stop. */
  close?(): Promise<void>;
}
