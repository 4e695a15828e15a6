/**
 * Accounts as graymesh objects in an object store (src/api/account-objects.ts): what the
 * Kubernetes engine keeps in the cluster, so every `up --engine kubernetes` in front of one
 * cluster shares them. Reads come from caches fed by watches (the guard decides synchronously);
 * a write goes to the store and, once it has landed, into the cache, so the next request sees
 * it. A user's deletion removes their tokens and memberships first, then the user: the store
 * has no multi-object transaction, and what is left by a failure half-way is harmless (a
 * membership of nobody), never a user without their memberships' removal.
 */
import { randomUUID } from 'node:crypto';
import { GmError } from '../../api/errors.js';
import { ACCOUNTS_API_VERSION, membershipName, type MembershipObject, type TokenObject, type UserObject, type WorkspaceObject } from '../../api/account-objects.js';
import type { PlatformRole } from '../../api/roles.js';
import type { KubeObject } from '../../api/objects.js';
import type { ObjectStore } from '../../engine/store.js';
import type { AccountStore } from './account-store.js';
import type { Member, MemberScope, TokenKind, TokenRecord, User, Workspace } from './auth-store.js';
import { ObjectCache } from './object-cache.js';

const createdAt = (o: KubeObject): string => o.metadata.creationTimestamp ?? new Date(0).toISOString();
const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);

const toUser = (o: UserObject): User => ({ name: o.metadata.name, platformRole: o.spec.platformRole as PlatformRole, createdAt: createdAt(o) });
const toWorkspace = (o: WorkspaceObject): Workspace => ({ name: o.metadata.name, createdBy: o.spec.createdBy, createdAt: createdAt(o) });
const toMember = (o: MembershipObject): Member => ({
  scope: o.spec.scope as MemberScope,
  target: o.spec.target,
  user: o.spec.user,
  role: o.spec.role as Member['role'],
  createdAt: createdAt(o),
});
const toToken = (o: TokenObject): TokenRecord => ({
  id: o.metadata.name,
  kind: o.spec.kind as TokenKind,
  user: o.spec.user,
  ...(o.spec.project ? { project: o.spec.project } : {}),
  createdAt: createdAt(o),
  ...(o.spec.expiresAt ? { expiresAt: Date.parse(o.spec.expiresAt) } : {}),
});

const object = <T extends KubeObject>(kind: T['kind'], name: string, spec: T['spec']): T => ({ apiVersion: ACCOUNTS_API_VERSION, kind, metadata: { name }, spec }) as T;

export class ObjectAccounts implements AccountStore {
  private readonly users: ObjectCache<UserObject>;
  private readonly workspaces: ObjectCache<WorkspaceObject>;
  private readonly memberships: ObjectCache<MembershipObject>;
  private readonly tokens: ObjectCache<TokenObject>;
  private hashIndex: { version: number; byHash: Map<string, TokenObject> } | undefined;

  constructor(private readonly store: ObjectStore) {
    this.users = new ObjectCache(store, 'User');
    this.workspaces = new ObjectCache(store, 'Workspace');
    this.memberships = new ObjectCache(store, 'Membership');
    this.tokens = new ObjectCache(store, 'Token');
  }

  private get caches(): ObjectCache<KubeObject>[] {
    return [this.users, this.workspaces, this.memberships, this.tokens] as unknown as ObjectCache<KubeObject>[];
  }

  /** Resolves once every account object already in the store is known. */
  async start(): Promise<void> {
    await Promise.all(this.caches.map((c) => c.start()));
  }

  async close(): Promise<void> {
    await Promise.all(this.caches.map((c) => c.close()));
  }

  /** Creates an object; false when one of that name exists. */
  private async create<T extends KubeObject>(cache: ObjectCache<T>, obj: T): Promise<boolean> {
    try {
      cache.put(await this.store.create(obj));
      return true;
    } catch (err) {
      if (err instanceof GmError && err.code === 'GM_ERR_ALREADY_EXISTS') return false;
      throw err;
    }
  }

  private async remove<T extends KubeObject>(cache: ObjectCache<T>, name: string): Promise<boolean> {
    const existed = await this.store.delete(cache.kind, undefined, name);
    cache.drop(name);
    return existed;
  }

  // Users.

  getUser(name: string): User | undefined {
    const o = this.users.get(name);
    return o ? toUser(o) : undefined;
  }

  passwordHash(name: string): string | undefined {
    return this.users.get(name)?.spec.passwordHash;
  }

  listUsers(): User[] {
    return this.users.values().map(toUser).sort(byName);
  }

  countPlatformAdmins(): number {
    return this.users.values().filter((u) => u.spec.platformRole === 'platform-admin').length;
  }

  createUser(name: string, passwordHash: string, platformRole: PlatformRole): Promise<boolean> {
    return this.create(this.users, object<UserObject>('User', name, { passwordHash, platformRole }));
  }

  async setPassword(name: string, passwordHash: string): Promise<void> {
    this.users.put(await this.store.patch<UserObject>('User', undefined, name, { spec: { passwordHash } }));
  }

  async deleteUser(name: string): Promise<boolean> {
    for (const t of this.tokens.values().filter((t) => t.spec.user === name)) await this.remove(this.tokens, t.metadata.name);
    for (const m of this.memberships.values().filter((m) => m.spec.user === name)) await this.remove(this.memberships, m.metadata.name);
    return this.remove(this.users, name);
  }

  // Workspaces.

  getWorkspace(name: string): Workspace | undefined {
    const o = this.workspaces.get(name);
    return o ? toWorkspace(o) : undefined;
  }

  listWorkspaces(): Workspace[] {
    return this.workspaces.values().map(toWorkspace).sort(byName);
  }

  createWorkspace(name: string, createdBy: string): Promise<boolean> {
    return this.create(this.workspaces, object<WorkspaceObject>('Workspace', name, { createdBy }));
  }

  async deleteWorkspace(name: string): Promise<boolean> {
    await this.clearMembers('workspace', name);
    return this.remove(this.workspaces, name);
  }

  // Members.

  members(scope: MemberScope, target: string): Member[] {
    return this.memberships
      .values()
      .filter((m) => m.spec.scope === scope && m.spec.target === target)
      .map(toMember)
      .sort((a, b) => a.user.localeCompare(b.user));
  }

  memberRole(scope: MemberScope, target: string, user: string): string | undefined {
    return this.memberships.get(membershipName(scope, target, user))?.spec.role;
  }

  membershipsOf(user: string): Member[] {
    return this.memberships
      .values()
      .filter((m) => m.spec.user === user)
      .map(toMember)
      .sort((a, b) => a.scope.localeCompare(b.scope) || a.target.localeCompare(b.target));
  }

  async setMember(scope: MemberScope, target: string, user: string, role: string): Promise<void> {
    const m = object<MembershipObject>('Membership', membershipName(scope, target, user), { scope, target, user, role });
    this.memberships.put((await this.store.apply(m)).object);
  }

  async removeMember(scope: MemberScope, target: string, user: string): Promise<boolean> {
    const name = membershipName(scope, target, user);
    if (!this.memberships.get(name)) return false;
    return this.remove(this.memberships, name);
  }

  async clearMembers(scope: MemberScope, target: string): Promise<void> {
    for (const m of this.members(scope, target)) await this.remove(this.memberships, membershipName(scope, target, m.user));
  }

  // Tokens.

  async addToken(hash: string, kind: TokenKind, user: string, project: string | undefined, expiresAt: number | undefined): Promise<TokenRecord> {
    const spec: TokenObject['spec'] = { hash, kind, user, ...(project ? { project } : {}), ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt).toISOString() } : {}) };
    const created = await this.store.create(object<TokenObject>('Token', randomUUID(), spec));
    this.tokens.put(created);
    return toToken(created);
  }

  tokenByHash(hash: string): TokenRecord | undefined {
    if (this.hashIndex?.version !== this.tokens.version) {
      this.hashIndex = { version: this.tokens.version, byHash: new Map(this.tokens.values().map((t) => [t.spec.hash, t])) };
    }
    const o = this.hashIndex.byHash.get(hash);
    return o ? toToken(o) : undefined;
  }

  getToken(id: string): TokenRecord | undefined {
    const o = this.tokens.get(id);
    return o ? toToken(o) : undefined;
  }

  listScopedTokens(user?: string): TokenRecord[] {
    return this.tokens
      .values()
      .filter((t) => t.spec.kind !== 'session' && (user === undefined || t.spec.user === user))
      .map(toToken)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  revokeToken(id: string): Promise<boolean> {
    return this.remove(this.tokens, id);
  }

  async revokeSessions(user: string, except?: string): Promise<void> {
    const sessions = this.tokens.values().filter((t) => t.spec.kind === 'session' && t.spec.user === user && t.metadata.name !== except);
    for (const t of sessions) await this.remove(this.tokens, t.metadata.name);
  }

  async pruneExpired(now: number): Promise<void> {
    const expired = this.tokens.values().filter((t) => t.spec.expiresAt !== undefined && Date.parse(t.spec.expiresAt) <= now);
    for (const t of expired) await this.remove(this.tokens, t.metadata.name);
  }
}
