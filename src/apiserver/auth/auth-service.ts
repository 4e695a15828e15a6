/**
 * Authentication: the instance token, login sessions and scoped tokens; the
 * first start's `admin` account; logins with a failure limit per user and
 * per address. Secrets never reach a log or an error message.
 */
import { GmError, invalid, unauthorized } from '../../api/errors.js';
import { dns1123LabelError } from '../../api/names.js';
import type { ProjectDirectory } from '../projects.js';
import type { Principal } from './access.js';
import type { AccountStore, AuditStore, AuthBackend } from './account-store.js';
import type { TokenRecord, User } from './auth-store.js';
import { FailureLimiter } from './rate-limit.js';
import { SESSION_PREFIX, hashPassword, hashPasswordSync, newToken, safeEqual, tokenHash, verifyPassword } from './secrets.js';

/** Sessions last 12 hours unless the login asks for less. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Longest accepted bearer token; longer ones are refused unread. */
const MAX_TOKEN_LENGTH = 256;

export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 1024;

export interface AuthOptions {
  /** The home's own token (CLI on the home, node proxies): platform-admin, never expires. */
  instanceToken: string;
  /** The first start's admin password, from the credentials file. */
  adminPassword: string;
  /** Failed logins allowed per user per minute. */
  userFailures?: number;
  /** Failed logins allowed per client address per minute. */
  addressFailures?: number;
  /** The clock sessions and tokens expire by, ms since the epoch (Date.now). */
  now?: () => number;
  /** Where a write that failed in the background is told. */
  log?: (msg: string) => void;
}

/** A refused login: 429 with the seconds to wait. */
export class RateLimited extends GmError {
  constructor(readonly retryAfter: number) {
    super('GM_ERR_RATE_LIMITED', 429, `too many failed logins; try again in ${retryAfter} s`);
  }
}

export interface LoginResult {
  token: string;
  user: User;
  /** RFC 3339. */
  expiresAt: string;
}

/** Why a password cannot be used, or undefined. */
export function passwordError(password: unknown): string | undefined {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD) return `password: at least ${MIN_PASSWORD} characters`;
  if (password.length > MAX_PASSWORD) return `password: at most ${MAX_PASSWORD} characters`;
  return undefined;
}

export class AuthService {
  readonly accounts: AccountStore;
  readonly audit: AuditStore;
  /** Resolves once the first start's admin account exists (the server waits for it before it listens). */
  readonly ready: Promise<void>;
  private readonly userLimiter: FailureLimiter;
  private readonly addressLimiter: FailureLimiter;
  private readonly unwatch: () => void;
  /** The clock sessions and tokens expire by, ms since the epoch. */
  readonly now: () => number;

  /**
   * `backend`: where accounts, tokens and the audit log are kept (the local engine's SQLite
   * file, or graymesh objects in the cluster); `projects`: the engine's projects, for access decisions.
   */
  constructor(
    readonly projects: ProjectDirectory,
    private readonly backend: AuthBackend,
    private readonly opts: AuthOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.accounts = backend.accounts;
    this.audit = backend.audit;
    this.userLimiter = new FailureLimiter({ limit: opts.userFailures ?? 5, windowMs: 60_000 });
    this.addressLimiter = new FailureLimiter({ limit: opts.addressFailures ?? 20, windowMs: 60_000 });
    this.ready = this.bootstrap();
    // A deleted project takes its members with it, so one created later under the same name starts empty.
    this.unwatch = projects.onDeleted((name) => {
      this.accounts.clearMembers('project', name).catch((err: Error) => opts.log?.(`members of deleted project ${name} not removed: ${err.message}`));
    });
  }

  async close(): Promise<void> {
    this.unwatch();
    await this.backend.close?.();
  }

  /** On the first start: the `admin` platform-admin, with the password of the credentials file. */
  private async bootstrap(): Promise<void> {
    if (this.accounts.listUsers().length > 0) return;
    await this.accounts.createUser('admin', hashPasswordSync(this.opts.adminPassword), 'platform-admin');
  }

  /**
   * Who an Authorization header names. Returns undefined when there is no
   * header; throws 401 for a malformed, unknown, revoked or expired token.
   */
  authenticate(header: string | undefined, now = this.now()): Principal | undefined {
    if (header === undefined || header === '') return undefined;
    const m = /^Bearer ([\x21-\x7e]+)$/.exec(header);
    if (!m || (m[1] as string).length > MAX_TOKEN_LENGTH) {
      throw unauthorized('malformed Authorization header: send "Authorization: Bearer TOKEN"');
    }
    const token = m[1] as string;
    if (safeEqual(token, this.opts.instanceToken)) return { name: 'admin', kind: 'instance', platformAdmin: true };
    const rec = this.accounts.tokenByHash(tokenHash(token));
    if (!rec) throw unauthorized('invalid or revoked token; log in again (graymesh login)');
    if (rec.expiresAt !== undefined && rec.expiresAt <= now) throw unauthorized('the token has expired; log in again (graymesh login)');
    return this.principalOf(rec);
  }

  private principalOf(rec: TokenRecord): Principal {
    if (rec.kind === 'session') {
      const user = this.accounts.getUser(rec.user);
      if (!user) throw unauthorized('invalid or revoked token; log in again (graymesh login)');
      return {
        name: user.name,
        kind: 'user',
        platformAdmin: user.platformRole === 'platform-admin',
        tokenId: rec.id,
        ...(rec.expiresAt !== undefined ? { expiresAt: rec.expiresAt } : {}),
      };
    }
    return {
      name: `token:${rec.id}`,
      kind: 'token',
      platformAdmin: false,
      scope: rec.kind,
      tokenId: rec.id,
      ...(rec.project ? { project: rec.project } : {}),
    };
  }

  /**
   * Checks a password and opens a session. Throws 401 with one message for an
   * unknown user and a wrong password alike, 429 past the failure limit.
   */
  async login(username: unknown, password: unknown, address: string, ttlMs = SESSION_TTL_MS): Promise<LoginResult> {
    const name = typeof username === 'string' ? username.slice(0, 64) : '';
    const userKey = `user:${name}`;
    const addressKey = `address:${address}`;
    const wait = Math.max(this.userLimiter.retryAfter(userKey), this.addressLimiter.retryAfter(addressKey));
    if (wait > 0) throw new RateLimited(wait);
    const valid = dns1123LabelError(name) === undefined && typeof password === 'string' && password.length <= MAX_PASSWORD;
    const hash = valid ? this.accounts.passwordHash(name) : undefined;
    const ok = await verifyPassword(typeof password === 'string' ? password.slice(0, MAX_PASSWORD) : '', hash);
    if (!ok) {
      this.userLimiter.fail(userKey);
      this.addressLimiter.fail(addressKey);
      throw unauthorized('invalid username or password');
    }
    this.userLimiter.clear(userKey);
    const user = this.accounts.getUser(name) as User;
    const now = this.now();
    await this.accounts.pruneExpired(now);
    const token = newToken(SESSION_PREFIX);
    const expiresAt = now + Math.min(Math.max(ttlMs, 1000), SESSION_TTL_MS);
    await this.accounts.addToken(tokenHash(token), 'session', user.name, undefined, expiresAt);
    return { token, user, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Creates an account; 422 for a bad name or password. Returns false when the name is taken. */
  async createUser(name: unknown, password: unknown, platformAdmin: boolean): Promise<boolean> {
    const err = dns1123LabelError(name);
    if (err) throw invalid(`user: name ${err}`);
    const perr = passwordError(password);
    if (perr) throw invalid(perr);
    if (this.accounts.getUser(name as string)) return false;
    return this.accounts.createUser(name as string, await hashPassword(password as string), platformAdmin ? 'platform-admin' : 'platform-regular');
  }

  async setPassword(name: string, password: unknown): Promise<void> {
    const perr = passwordError(password);
    if (perr) throw invalid(perr);
    await this.accounts.setPassword(name, await hashPassword(password as string));
  }

  async checkPassword(name: string, password: unknown): Promise<boolean> {
    return typeof password === 'string' && verifyPassword(password.slice(0, MAX_PASSWORD), this.accounts.passwordHash(name));
  }
}
