/**
 * Accounts and roles end to end, the tutorial's multi-tenant setup through the
 * CLI as several users on one machine (GRAYMESH_TOKEN): project-regular deploys
 * Bookinfo and runs the canary but cannot switch governance; project-admin can;
 * a viewer reads and changes nothing; a user of another workspace sees nothing
 * of demo-project. Then every documented route without credentials, and a
 * list of hostile requests, each refused cleanly with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AuthStore } from '../../src/apiserver/auth/auth-store.js';
import { SESSION_PREFIX, newToken, tokenHash } from '../../src/apiserver/auth/secrets.js';
import { Home } from '../../src/runtime/home.js';
import { Instance, request, usersOf } from '../helpers/instance.js';

const PASSWORD = 'P@88w0rd';
const P = 'demo-project';
const V2_IMAGE = 'kubesphere/examples-bookinfo-reviews-v2:1.13.0';

interface Item {
  metadata: { name: string; labels?: Record<string, string> };
}

interface AuditItem {
  user: string;
  method: string;
  path: string;
  project?: string;
  status: number;
  result: string;
  message?: string;
}

/** Sends raw bytes and returns the first line of the answer (the status line), or '' when the server just closes. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(bytes));
    let data = '';
    s.setEncoding('latin1');
    s.on('data', (c: string) => (data += c));
    s.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error('timeout')));
  });
}

/**
 * Announces a body of `length` bytes but sends only its first KiB, and returns
 * the status the server answers: an oversized body must be refused from its
 * Content-Length, before it is read.
 */
function announce(port: number, urlPath: string, headers: Record<string, string>, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      const head = Object.entries({ host: 'x', 'content-type': 'application/json', ...headers, 'content-length': String(length) })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      s.write(`POST ${urlPath} HTTP/1.1\r\n${head}\r\n{"x":"${'x'.repeat(1024)}`);
    });
    let data = '';
    s.setEncoding('latin1');
    s.on('data', (c: string) => {
      data += c;
      const m = /^HTTP\/1\.1 (\d+)/.exec(data);
      if (m) {
        resolve(Number(m[1]));
        s.destroy();
      }
    });
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error('no answer to an oversized body')));
  });
}

describe('workspaces, projects, accounts and roles', () => {
  const gm = new Instance();
  const tokens: Record<string, string> = {};

  /** Runs the CLI as a user (GRAYMESH_TOKEN), or as the home's own admin. */
  const { as, okAs } = usersOf(gm, tokens);
  /** A refused command: non-zero, one `error:` line, and the reason. */
  const refused = (user: string, args: string[], reason: RegExp, input?: string): void => {
    const r = as(user, args, input);
    expect(r.code, `${user}: graymesh ${args.join(' ')} should be refused`).not.toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^error: /);
    expect(r.stderr).toMatch(reason);
  };
  const api = (method: string, url: string, headers: Record<string, string> = {}, body?: string) => request(gm.port, url, headers, method, body);
  const adminToken = (): string => gm.adminCredential('token');
  /** A login session of `user` that ended a second ago, written into the home's store beside the live ones. */
  const pastSession = (user: string): string => {
    const db = new Database(new Home(gm.home).dbFile);
    try {
      const token = newToken(SESSION_PREFIX);
      new AuthStore(db).addToken(tokenHash(token), 'session', user, undefined, Date.now() - 1000);
      return token;
    } finally {
      db.close();
    }
  };
  const deployments = (): string[] =>
    gm.json<{ items: Item[] }>(['get', 'workloads', '-p', P]).items.map((d) => d.metadata.name).sort();

  beforeAll(async () => {
    const r = await gm.up(['--no-sample']);
    expect(r.code, r.stderr).toBe(0);
    // The platform admin sets up the tutorial's accounts (KubeSphere's multi-tenant quick start).
    okAs(undefined, ['workspace', 'create', 'demo-workspace']);
    okAs(undefined, ['workspace', 'create', 'other-workspace']);
    for (const [user, ws] of [
      ['ws-admin', 'demo-workspace'],
      ['project-admin', 'demo-workspace'],
      ['project-regular', 'demo-workspace'],
      ['project-viewer', 'demo-workspace'],
      ['outsider', 'other-workspace'],
    ] as const) {
      okAs(undefined, ['user', 'create', user, '--password-stdin', '--workspace', ws], `${PASSWORD}\n`);
      const login = as(undefined, ['login', '--username', user, '--password-stdin', '-o', 'token'], PASSWORD);
      expect(login.code, login.stderr).toBe(0);
      tokens[user] = login.stdout.trim();
    }
    okAs(undefined, ['member', 'add', '-w', 'demo-workspace', 'ws-admin', '--role', 'workspace-admin']);
    // The workspace admin creates the project and invites the others.
    okAs('ws-admin', ['project', 'create', P, '--workspace', 'demo-workspace']);
    okAs('ws-admin', ['member', 'add', '-p', P, 'project-admin', '--role', 'project-admin']);
    okAs('ws-admin', ['member', 'add', '-p', P, 'project-regular', '--role', 'project-regular']);
    okAs('ws-admin', ['member', 'add', '-p', P, 'project-viewer', '--role', 'project-viewer']);
  }, 180_000);

  afterAll(() => gm.cleanup());

  it('keeps the admin password in the home only, mode 0600, never in a log', () => {
    const file = path.join(gm.home, 'admin-credentials');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = /^password:\s*(\S+)/m.exec(readFileSync(file, 'utf8'))![1]!;
    expect(password.length).toBeGreaterThanOrEqual(16);
    const logs = path.join(gm.home, 'logs');
    for (const f of ['controlplane.log', 'proxy.log']) {
      if (existsSync(path.join(logs, f))) expect(readFileSync(path.join(logs, f), 'utf8')).not.toContain(password);
    }
    // login -o token stored nothing.
    expect(existsSync(path.join(gm.home, 'session'))).toBe(false);
    const members = gm.json<{ items: { user: string; role: string }[] }>(['member', 'list', '-p', P]);
    expect(members.items.map((m) => `${m.user}=${m.role}`)).toEqual(['project-admin=project-admin', 'project-regular=project-regular', 'project-viewer=project-viewer']);
  }, 240_000);

  it('lets project-regular deploy Bookinfo and run the canary, but not switch governance', () => {
    okAs('project-regular', ['deploy', 'bookinfo', '-p', P]);
    const out = okAs('project-regular', [
      'release', 'create', 'canary', 'canary-release', '-p', P,
      '--service', 'reviews', '--version', 'v2', '--image', V2_IMAGE, '--weights', 'v1=50,v2=50', '-o', 'json',
    ]);
    const rel = JSON.parse(out) as { status: { phase: string; history: { user: string }[] } };
    expect(rel.status.phase).toBe('Running');
    // The release records who ran it.
    expect(rel.status.history[0]?.user).toBe('project-regular');
    okAs('project-regular', ['release', 'set-weights', 'canary-release', 'v1=20,v2=80', '-p', P]);
    refused('project-regular', ['project', 'set', P, '--governance', 'off'], /project-regular may not change the settings of project demo-project: that needs project-admin/);
    refused('project-regular', ['member', 'add', '-p', P, 'outsider', '--role', 'project-viewer'], /may not change the members of project demo-project/);
    refused('project-regular', ['delete', 'project', P], /may not delete project demo-project/);
    refused('project-regular', ['user', 'create', 'someone', '--password-stdin'], /may not create users: that needs platform-admin/, PASSWORD);
  }, 300_000);

  it('lets project-admin switch governance and manage members', () => {
    expect(okAs('project-admin', ['project', 'set', P, '--governance', 'off'])).toContain('application governance off');
    okAs('project-admin', ['project', 'set', P, '--governance', 'on']);
    okAs('project-admin', ['member', 'add', '-p', P, 'ws-admin', '--role', 'project-viewer']);
    okAs('project-admin', ['member', 'remove', '-p', P, 'ws-admin']);
    // Members come from the project's workspace: a project admin cannot reach into another tenant.
    refused('project-admin', ['member', 'add', '-p', P, 'outsider', '--role', 'project-viewer'], /outsider is not a member of workspace demo-workspace/);
    refused('project-admin', ['delete', 'project', P], /may not delete project demo-project: that needs workspace-admin/);
  }, 240_000);

  it('lets project-viewer read apps, workloads, releases, topology and traces, and change nothing', async () => {
    for (const what of ['apps', 'workloads', 'services', 'pods', 'vs', 'dr']) okAs('project-viewer', ['get', what, '-p', P]);
    okAs('project-viewer', ['release', 'list', '-p', P]);
    okAs('project-viewer', ['logs', 'productpage-v1', '-p', P, '--tail', '5']);
    // Telemetry reads, where the control plane serves them.
    const doc = JSON.parse((await api('GET', '/api/openapi.json', { authorization: `Bearer ${adminToken()}` })).body) as { paths: Record<string, unknown> };
    for (const route of ['graph', 'traces', 'metrics']) {
      if (!doc.paths[`/api/v1/projects/{project}/${route}`]) continue;
      const r = await api('GET', `/api/v1/projects/${P}/${route}`, { authorization: `Bearer ${tokens['project-viewer']}` });
      expect(r.status, `${route}: ${r.body}`).toBe(200);
    }
    const before = deployments();
    const vs = gm.cli(['get', 'vs', 'reviews', '-p', P, '-o', 'json']).stdout;
    const nope = /project-viewer may not /;
    refused('project-viewer', ['project', 'set', P, '--governance', 'off'], nope);
    refused('project-viewer', ['deploy', 'bookinfo', '-p', P], nope);
    refused('project-viewer', ['release', 'set-weights', 'canary-release', 'v1=100,v2=0', '-p', P], nope);
    refused('project-viewer', ['release', 'rollback', 'canary-release', '-p', P], nope);
    refused('project-viewer', ['release', 'delete', 'canary-release', '-p', P], nope);
    refused('project-viewer', ['delete', 'workload', 'details-v1', '-p', P], nope);
    refused('project-viewer', ['delete', 'vs', 'reviews', '-p', P], nope);
    refused('project-viewer', ['member', 'add', '-p', P, 'project-viewer', '--role', 'project-admin'], nope);
    refused('project-viewer', ['token', 'create', '--scope', 'ingest', '-p', P], nope);
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'sneaky', namespace: P }, spec: { ports: [{ port: 80 }] } });
    refused('project-viewer', ['apply', '-f', '-'], nope, manifest);
    expect(deployments()).toEqual(before);
    expect(gm.cli(['get', 'vs', 'reviews', '-p', P, '-o', 'json']).stdout).toBe(vs);
    expect(gm.cli(['get', 'services', 'sneaky', '-p', P]).code).not.toBe(0);
  }, 240_000);

  it('shows a user of another workspace nothing of demo-project: the text of a missing project, absent from lists', () => {
    const missing = as('outsider', ['get', 'apps', '-p', 'no-such-project']);
    const hidden = as('outsider', ['get', 'apps', '-p', P]);
    expect(hidden.code).not.toBe(0);
    expect(hidden.stderr).toBe(missing.stderr.replace('no-such-project', P));
    expect(hidden.stderr).toMatch(/^error: project demo-project not found/);
    expect(gm.json<{ items: Item[] }>(['get', 'projects']).items.map((i) => i.metadata.name)).toContain(P);
    const r = as('outsider', ['get', 'projects', '-o', 'json']);
    expect((JSON.parse(r.stdout) as { items: Item[] }).items.map((i) => i.metadata.name)).not.toContain(P);
    expect(as('outsider', ['workspace', 'list', '-o', 'json']).stdout).not.toContain('demo-workspace');
    for (const args of [['delete', 'project', P], ['release', 'list', '-p', P], ['member', 'list', '-p', P], ['logs', 'productpage-v1', '-p', P], ['project', 'set', P, '--governance', 'off']]) {
      const x = as('outsider', args);
      expect(x.code, args.join(' ')).not.toBe(0);
      expect(x.stderr, args.join(' ')).toMatch(/^error: project demo-project not found/);
    }
  }, 240_000);

  it('records every write in the audit log, refusals included', () => {
    const log = gm.json<{ items: AuditItem[] }>(['audit', '-p', P, '--limit', '1000']).items;
    const governance = log.filter((e) => e.method === 'PATCH' && e.path === `/api/v1/projects/${P}`);
    expect(governance.find((e) => e.user === 'project-regular')).toMatchObject({ result: 'refused', status: 403 });
    expect(governance.filter((e) => e.user === 'project-admin' && e.result === 'allowed')).toHaveLength(2);
    expect(log.some((e) => e.user === 'project-regular' && e.path === `/api/v1/projects/${P}/releases` && e.result === 'allowed')).toBe(true);
    expect(log.some((e) => e.user === 'project-viewer' && e.result === 'refused')).toBe(true);
    const mine = gm.json<{ items: AuditItem[] }>(['audit', '--user', 'project-viewer']).items;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.user === 'project-viewer')).toBe(true);
    // A project admin reads their project's log; a regular member may not.
    expect(as('project-admin', ['audit', '-p', P, '-o', 'json']).code).toBe(0);
    refused('project-regular', ['audit', '-p', P], /may not read the audit log of project demo-project/);
  }, 240_000);

  it('logs in and out on a home, and acts on another server through GRAYMESH_URL and GRAYMESH_TOKEN', () => {
    const login = as(undefined, ['login', '--username', 'project-viewer', '--password-stdin'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    const session = path.join(gm.home, 'session');
    expect(statSync(session).mode & 0o777).toBe(0o600);
    expect(JSON.parse(okAs(undefined, ['whoami', '-o', 'json'])).user.name).toBe('project-viewer');
    const stored = (JSON.parse(readFileSync(session, 'utf8')) as { token: string }).token;
    expect(okAs(undefined, ['logout'])).toContain('logged out');
    expect(existsSync(session)).toBe(false);
    // The session's token is revoked; the home's own token acts again.
    expect(gm.cli(['whoami'], undefined, { GRAYMESH_TOKEN: stored }).stderr).toMatch(/error: invalid or revoked token/);
    expect(JSON.parse(okAs(undefined, ['whoami', '-o', 'json'])).user.name).toBe('admin');
    // Another home, no instance of its own: the URL and token say everything.
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'graymesh-other-'));
    try {
      const env = { GRAYMESH_HOME: elsewhere, GRAYMESH_URL: gm.apiUrl, GRAYMESH_TOKEN: tokens['project-regular'] as string };
      const r = gm.cli(['get', 'workloads', '-p', P, '-o', 'json'], undefined, env);
      expect(r.code, r.stderr).toBe(0);
      const noToken = gm.cli(['get', 'projects'], undefined, { GRAYMESH_HOME: elsewhere, GRAYMESH_URL: gm.apiUrl });
      expect(noToken.code).not.toBe(0);
      expect(noToken.stderr).toMatch(/^error: missing credentials/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 240_000);

  it('issues scoped tokens for scraping and ingestion that open nothing else', async () => {
    const scrape = okAs(undefined, ['token', 'create', '--scope', 'scrape']).trim();
    expect(scrape).toMatch(/^gmt_/);
    const projects = await api('GET', '/api/v1/projects', { authorization: `Bearer ${scrape}` });
    expect(projects.status).toBe(403);
    const metrics = await api('GET', '/metrics', { authorization: `Bearer ${scrape}` });
    // 404 until the telemetry routes exist; never 401 or 403.
    expect([200, 404]).toContain(metrics.status);
    expect((await api('GET', '/metrics')).status).toBe(401);
    expect((await api('GET', '/metrics', { authorization: `Bearer ${tokens['project-viewer']}` })).status).toBe(403);
    const ingest = okAs('project-admin', ['token', 'create', '--scope', 'ingest', '-p', P]).trim();
    expect((await api('GET', '/metrics', { authorization: `Bearer ${ingest}` })).status).toBe(403);
    const list = gm.json<{ items: { id: string; scope: string }[] }>(['token', 'list']);
    const id = list.items.find((t) => t.scope === 'scrape')!.id;
    okAs(undefined, ['token', 'revoke', id]);
    expect((await api('GET', '/metrics', { authorization: `Bearer ${scrape}` })).status).toBe(401);
  }, 240_000);

  it('answers 401 to every route of /api/openapi.json called without credentials (health aside)', async () => {
    const doc = JSON.parse((await api('GET', '/api/openapi.json', { authorization: `Bearer ${adminToken()}` })).body) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect((await api('GET', '/api/openapi.json')).status).toBe(401);
    let n = 0;
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const url = p.replace(/\{[^}]+\}/g, P);
        // GET and DELETE go without a body (Node's client would send DELETE's unframed).
        const body = method === 'get' || method === 'delete' ? undefined : '{}';
        const r = await api(method.toUpperCase(), url, body ? { 'content-type': 'application/json', 'content-length': '2' } : {}, body);
        if (p === '/healthz' || p === '/api/v1/login') {
          expect(op.security, `${method} ${p} is open`).toBeUndefined();
          continue;
        }
        expect(r.status, `${method.toUpperCase()} ${p}`).toBe(401);
        n++;
      }
    }
    expect(n).toBeGreaterThan(30);
  }, 240_000);

  it('refuses hostile input cleanly, changes nothing, and keeps serving', async () => {
    const before = deployments();
    const admin = { authorization: `Bearer ${adminToken()}`, 'content-type': 'application/json' };
    const regular = { authorization: `Bearer ${tokens['project-regular']}`, 'content-type': 'application/json' };
    // Oversized bodies: 8 MiB on the API, 16 KiB on account routes.
    expect(await announce(gm.port, '/api/v1/apply', { authorization: admin.authorization }, 9 * 1024 * 1024)).toBe(413);
    expect(await announce(gm.port, '/api/v1/login', {}, 20_000)).toBe(413);
    expect(await announce(gm.port, '/api/v1/users', { authorization: admin.authorization }, 20_000)).toBe(413);
    // Without credentials an oversized body is refused before its size matters.
    expect(await announce(gm.port, '/api/v1/apply', {}, 9 * 1024 * 1024)).toBe(401);
    // Path traversal in names.
    for (const url of [
      `/api/v1/projects/..%2f..%2fetc/deployments`,
      `/api/v1/projects/${P}/pods/..%2f..%2f..%2fadmin-credentials/log`,
      `/api/v1/projects/${P}/deployments/..%2fx/log`,
      `/api/v1/workspaces/..%2fx/members`,
      `/api/v1/projects/${P}/releases/..%2f..%2fx`,
    ]) {
      const r = await api('GET', url, regular);
      expect(r.status, url).toBe(422);
      expect(r.body).not.toContain('gm_');
    }
    const badName = await api('POST', '/api/v1/projects', admin, JSON.stringify({ name: '../evil', workspace: 'demo-workspace' }));
    expect(badName.status).toBe(422);
    // Header injection: CR/LF in a name or a login never reaches a header; raw CR/LF in a header is refused by the parser.
    const crlf = await api('GET', `/api/v1/projects/${P}%0d%0aSet-Cookie:%20a=b/deployments`, regular);
    expect(crlf.status).toBe(422);
    expect(crlf.headers['set-cookie']).toBeUndefined();
    const login = await api('POST', '/api/v1/login', { 'content-type': 'application/json' }, JSON.stringify({ username: 'admin\r\nSet-Cookie: a=b', password: 'x' }));
    expect(login.status).toBe(401);
    expect(login.headers['set-cookie']).toBeUndefined();
    expect(await raw(gm.port, `GET /api/v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\rInjected: 1\r\n\r\n`)).toMatch(/^(HTTP\/1\.1 400 |$)/);
    // Malformed, unknown and expired tokens.
    for (const auth of ['Bearer', 'Bearer ', 'Basic YWRtaW46eA==', 'Bearer gmu_forged', `Bearer ${'a'.repeat(5000)}`, `Bearer ${adminToken()}x`, 'bearer x y']) {
      const r = await api('GET', `/api/v1/projects/${P}/deployments`, { authorization: auth });
      expect(r.status, auth.slice(0, 20)).toBe(401);
    }
    // A shorter session ends when asked (by the server's clock, read between the two readings here).
    const loggedIn = Date.now();
    const short = as(undefined, ['login', '--username', 'project-regular', '--password-stdin', '--expires-in', '30m', '-o', 'token'], PASSWORD);
    const answered = Date.now();
    expect(short.code, short.stderr).toBe(0);
    const me = await api('GET', '/api/v1/me', { authorization: `Bearer ${short.stdout.trim()}` });
    const ends = Date.parse((JSON.parse(me.body) as { expiresAt: string }).expiresAt);
    expect(ends).toBeGreaterThanOrEqual(loggedIn + 30 * 60_000);
    expect(ends).toBeLessThanOrEqual(answered + 30 * 60_000);
    // A session whose end is already past, as the store keeps it, is refused.
    const expired = gm.cli(['get', 'workloads', '-p', P], undefined, { GRAYMESH_TOKEN: pastSession('project-regular') });
    expect(expired.code).not.toBe(0);
    expect(expired.stderr).toMatch(/^error: the token has expired/);
    // Brute force: five failures for a user, then 429 with Retry-After, even with the right password.
    for (let i = 0; i < 5; i++) {
      const r = as(undefined, ['login', '--username', 'project-viewer', '--password-stdin', '-o', 'token'], `guess-${i}-password`);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^error: invalid username or password/);
    }
    const limited = await api('POST', '/api/v1/login', { 'content-type': 'application/json' }, JSON.stringify({ username: 'project-viewer', password: PASSWORD }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).not.toContain(PASSWORD);
    // Nothing changed, and the server still serves.
    expect((await api('GET', '/healthz')).status).toBe(200);
    expect(deployments()).toEqual(before);
    expect(gm.json<{ items: Item[] }>(['get', 'projects']).items.map((i) => i.metadata.name)).not.toContain('evil');
    const audit = gm.json<{ items: AuditItem[] }>(['audit', '--limit', '200']).items;
    expect(audit.some((e) => e.path === '/api/v1/login' && e.status === 429 && e.result === 'refused')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
  }, 240_000);

  it('sends the security headers, and listens on 127.0.0.1 only', async () => {
    const r = await api('GET', '/');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(String(r.headers['content-security-policy'])).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    const inst = JSON.parse(readFileSync(path.join(gm.home, 'instance.json'), 'utf8')) as { url: string; gatewayUrl: string };
    expect(new URL(inst.url).hostname).toBe('127.0.0.1');
    expect(new URL(inst.gatewayUrl).hostname).toBe('127.0.0.1');
  }, 240_000);
});
