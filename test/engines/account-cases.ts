/**
 * The API contract of accounts and tenancy, on both engines over real sockets: a member created,
 * logged in as, held to their role and audited; where the engine keeps the account (hashes
 * only); a route into another project refused alike on both, and allowed once that project
 * lets the first in.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import type { ApiHarness } from './api-cases.js';

export interface AccountCaseContext {
  engine: ApiHarness;
  project: string;
  workspace: string;
  /** The platform-admin's token. */
  admin(): string;
  call(token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; text: string }>;
}

const PASSWORD = 'member-P@ss-1';

const refusedMessage = (host: string, owner: string, from: string, vs: string): string =>
  `VirtualService ${vs}: spec.hosts[0]: ${host} belongs to project ${owner}; name a host of project ${from}, or have an admin of project ${owner} let ${from} in (graymesh project set ${owner} --allow-routes-from ${from})`;

export function accountCases(c: AccountCaseContext): void {
  const { engine } = c;
  const ok = async (a: Promise<{ status: number; body: unknown; text: string }>): Promise<unknown> => {
    const r = await a;
    expect(r.status, r.text).toBeLessThan(300);
    return r.body;
  };
  const service = (name: string, namespace: string) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { app: name } },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
  });

  it(`${engine.name}: a member is created, logs in, is held to their role, and is audited`, async () => {
    await ok(c.call(c.admin(), 'POST', '/api/v1/users', { name: 'member', password: PASSWORD, workspace: c.workspace }));
    await ok(c.call(c.admin(), 'POST', `/api/v1/projects/${c.project}/members`, { user: 'member', role: 'project-regular' }));
    const login = (await ok(c.call(undefined, 'POST', '/api/v1/login', { username: 'member', password: PASSWORD }))) as { token: string; user: unknown };
    expect(login.user).toEqual({ name: 'member', platformRole: 'platform-regular' });
    const me = (await ok(c.call(login.token, 'GET', '/api/v1/me'))) as { roles: unknown[] };
    expect(me.roles).toContainEqual({ scope: 'project', project: c.project, role: 'project-regular' });

    // A regular changes the project's objects, not its settings.
    expect((await c.call(login.token, 'POST', '/api/v1/apply', { objects: [service('by-member', c.project)] })).status).toBe(200);
    const settings = await c.call(login.token, 'PATCH', `/api/v1/projects/${c.project}`, { governance: false });
    expect(settings.status).toBe(403);
    expect(settings.body).toEqual({
      error: { code: 'GM_ERR_FORBIDDEN', message: `member may not change the settings of project ${c.project}: that needs project-admin or above, and member is project-regular in project ${c.project}` },
    });

    const rows = ((await ok(c.call(c.admin(), 'GET', `/api/v1/audit?user=member`))) as { items: Record<string, unknown>[] }).items;
    expect(rows[0]).toEqual(expect.objectContaining({ user: 'member', method: 'PATCH', path: `/api/v1/projects/${c.project}`, status: 403, result: 'refused' }));
    expect(rows).toContainEqual(expect.objectContaining({ user: 'member', method: 'POST', path: '/api/v1/apply', objects: `Service/${c.project}/by-member`, status: 200, result: 'allowed' }));
    // The member reads their own entries.
    const own = ((await ok(c.call(login.token, 'GET', '/api/v1/audit'))) as { items: { user: string }[] }).items;
    expect(own.length).toBeGreaterThanOrEqual(2);
    expect(new Set(own.map((r) => r.user))).toEqual(new Set(['member']));

    // Only hashes are kept: scrypt for the password, SHA-256 for the session.
    const kept = await engine.kept('member');
    expect(kept?.passwordHash).toMatch(/^scrypt\$65536\$8\$2\$/);
    expect(kept?.tokenHashes).toContain(createHash('sha256').update(login.token).digest('hex'));

    // Logging out revokes the session at once.
    await ok(c.call(login.token, 'POST', '/api/v1/logout'));
    expect((await c.call(login.token, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await engine.kept('member'))?.tokenHashes).toEqual([]);
  });

  it(`${engine.name}: a route into another project is refused, and allowed once that project lets it in`, async () => {
    const other = `${c.project}-owner`;
    await ok(c.call(c.admin(), 'POST', '/api/v1/projects', { name: other, workspace: c.workspace }));
    await ok(c.call(c.admin(), 'POST', '/api/v1/apply', { objects: [service('secret', other)] }));
    const host = `secret.${other}.svc.cluster.local`;
    const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'hijack', namespace: c.project }, spec: { hosts: [host], http: [{ route: [{ destination: { host } }] }] } };

    const refused = await c.call(c.admin(), 'POST', '/api/v1/apply', { objects: [vs] });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body).toEqual({ error: { code: 'GM_ERR_INVALID', message: refusedMessage(host, other, c.project, 'hijack'), details: [refusedMessage(host, other, c.project, 'hijack')] } });
    const one = await c.call(c.admin(), 'POST', `/api/v1/projects/${c.project}/virtualservices`, vs);
    expect(one.status).toBe(422);
    expect((await c.call(c.admin(), 'GET', `/api/v1/projects/${c.project}/virtualservices/hijack`)).status).toBe(404);

    await ok(c.call(c.admin(), 'PATCH', `/api/v1/projects/${other}`, { allowRoutesFrom: [c.project] }));
    const allowed = (await ok(c.call(c.admin(), 'POST', '/api/v1/apply', { objects: [vs] }))) as { results: unknown[] };
    expect(allowed.results).toEqual([{ kind: 'VirtualService', name: 'hijack', namespace: c.project, action: 'created' }]);

    await ok(c.call(c.admin(), 'DELETE', `/api/v1/projects/${other}`));
  });
}
