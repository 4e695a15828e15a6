/** Sessions and tokens: login, logout, who am I, scoped tokens for scraping and span ingestion. */
import type { FastifyInstance } from 'fastify';
import { badRequest, invalid, notFound } from '../../api/errors.js';
import { dns1123LabelError } from '../../api/names.js';
import { type AuthService, RateLimited, SESSION_TTL_MS } from '../auth/auth-service.js';
import type { TokenRecord } from '../auth/auth-store.js';
import { ProjectAccess } from '../../api/roles.js';
import { SCOPED_PREFIX, newToken, tokenHash } from '../auth/secrets.js';
import type { OpenApi } from '../openapi.js';

/** Bodies of account routes are small; anything bigger is refused unread (413). */
export const AUTH_BODY_LIMIT = 16 * 1024;

/** Seconds from a body field, within [1, max]; undefined when absent. */
export function secondsField(v: unknown, field: string, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw invalid(`${field}: a whole number of seconds from 1 to ${max}`);
  return v;
}

const tokenView = (t: TokenRecord): Record<string, unknown> => ({
  id: t.id,
  scope: t.kind,
  createdBy: t.user,
  ...(t.project ? { project: t.project } : {}),
  createdAt: t.createdAt,
  ...(t.expiresAt !== undefined ? { expiresAt: new Date(t.expiresAt).toISOString() } : {}),
});

export function registerAuthRoutes(app: FastifyInstance, api: OpenApi, auth: AuthService): void {
  const opts = { bodyLimit: AUTH_BODY_LIMIT };

  app.post('/api/v1/login', opts, async (req, reply) => {
    const b = (req.body ?? {}) as { username?: unknown; password?: unknown; expiresIn?: unknown };
    if (typeof b.username === 'string' && dns1123LabelError(b.username) === undefined) req.access.claimedUser = b.username;
    const ttl = secondsField(b.expiresIn, 'expiresIn', SESSION_TTL_MS / 1000);
    try {
      const r = await auth.login(b.username, b.password, req.ip, ttl !== undefined ? ttl * 1000 : undefined);
      return { token: r.token, user: { name: r.user.name, platformRole: r.user.platformRole }, expiresAt: r.expiresAt };
    } catch (err) {
      req.access.refused = true;
      if (err instanceof RateLimited) reply.header('retry-after', String(err.retryAfter));
      throw err;
    }
  });
  api.add('post', '/api/v1/login', 'Opens a session: {username, password, expiresIn?} → {token, user, expiresAt}; 429 with Retry-After after repeated failures', false);

  app.post('/api/v1/logout', opts, async (req) => {
    const p = req.access.principal!;
    if (p.kind !== 'user' || !p.tokenId) throw badRequest('this token is not a login session; there is nothing to log out of');
    await auth.accounts.revokeToken(p.tokenId);
    return { revoked: true };
  });
  api.add('post', '/api/v1/logout', 'Ends the calling session: its token stops working');

  app.get('/api/v1/me', async (req) => {
    const p = req.access.principal!;
    const user = p.kind === 'token' ? undefined : auth.accounts.getUser(p.name);
    const platformRole = p.platformAdmin ? 'platform-admin' : (user?.platformRole ?? 'platform-regular');
    const memberships = p.kind === 'user' ? auth.accounts.membershipsOf(p.name) : [];
    return {
      user: { name: p.name, kind: p.kind, platformRole },
      ...(p.expiresAt !== undefined ? { expiresAt: new Date(p.expiresAt).toISOString() } : {}),
      roles: [
        { scope: 'platform', role: platformRole },
        ...memberships.map((m) => ({ scope: m.scope, [m.scope]: m.target, role: m.role })),
      ],
      workspaces: req.access.visibleWorkspaces().map((w) => w.name),
    };
  });
  api.add('get', '/api/v1/me', 'The caller: {user, roles, workspaces}');

  app.post('/api/v1/tokens', opts, async (req, reply) => {
    const b = (req.body ?? {}) as { scope?: unknown; project?: unknown; expiresIn?: unknown };
    if (b.scope !== 'scrape' && b.scope !== 'ingest') throw invalid('scope: scrape (read /metrics) or ingest (send spans)');
    const project = b.project === undefined || b.project === null ? undefined : b.project;
    if (project !== undefined) {
      const err = dns1123LabelError(project);
      if (err) throw invalid(`project: ${err}`);
      req.access.requireProject(project as string, ProjectAccess.Admin, `create tokens for project ${String(project)}`);
      if (!auth.projects.get(project as string)) throw notFound(`project ${String(project)} not found`);
    } else {
      req.access.requirePlatform(`create ${b.scope} tokens for every project (name one with -p PROJECT)`);
    }
    const ttl = secondsField(b.expiresIn, 'expiresIn', 10 * 365 * 24 * 3600);
    const token = newToken(SCOPED_PREFIX);
    const rec = await auth.accounts.addToken(tokenHash(token), b.scope, req.access.user, project as string | undefined, ttl !== undefined ? auth.now() + ttl * 1000 : undefined);
    reply.status(201);
    return { ...tokenView(rec), token };
  });
  api.add('post', '/api/v1/tokens', 'Creates a scoped token: {scope: scrape|ingest, project?, expiresIn?}; the token is shown once');

  app.get('/api/v1/tokens', async (req) => ({
    items: auth.accounts.listScopedTokens(req.access.isPlatformAdmin ? undefined : req.access.user).map(tokenView),
  }));
  api.add('get', '/api/v1/tokens', 'Lists scoped tokens (a platform admin sees all, others their own); never the tokens themselves');

  app.delete('/api/v1/tokens/:id', async (req) => {
    const { id } = req.params as { id: string };
    const rec = auth.accounts.getToken(id);
    if (!rec || rec.kind === 'session' || (!req.access.isPlatformAdmin && rec.user !== req.access.user)) throw notFound(`token ${id} not found`);
    await auth.accounts.revokeToken(id);
    return { revoked: id };
  });
  api.add('delete', '/api/v1/tokens/:id', 'Revokes a scoped token');
}
