/**
 * The API contract: the same requests answered the same way by both engines' servers, over
 * real sockets: who is refused what with which error, what the audit log records, and the
 * console. Each engine gives a running API (api-engines.ts); the cases speak HTTP only.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canaryRelease } from '../kubernetes/fixtures.js';
import { accountCases } from './account-cases.js';

export interface ApiHarness {
  readonly name: 'local' | 'kubernetes';
  /** Starts the engine's API; `consoleDir` holds the console's built files. */
  start(consoleDir: string): Promise<{ url: string; token: string; adminPassword: string }>;
  stop(): Promise<void>;
  /**
   * What the engine keeps of an account where it keeps accounts (the home's SQLite file
   * locally, a User object in the cluster): its password hash and the hashes of its tokens.
   */
  kept(user: string): Promise<{ passwordHash: string; tokenHashes: string[] } | undefined>;
  /** Breaches of the engine's API contract seen so far (the recorded API server's; none locally). */
  breaches(): string[];
}

export const PROJECT = 'contract';
const WORKSPACE = 'contract-ws';
const PASSWORD = 'contract-P@ss-1';
export const INDEX_HTML = '<!doctype html><html><head><title>graymesh console</title></head><body><div id="root"></div></body></html>\n';

interface Answer {
  status: number;
  type: string;
  body: unknown;
  text: string;
}

const service = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: PROJECT, labels: { app: name } },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
});

interface AuditRow {
  user: string;
  method: string;
  path: string;
  project?: string;
  objects?: string;
  status: number;
  result: string;
  message?: string;
}

/** A built console of one file, index.html. */
function consoleFixture(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-console-'));
  writeFileSync(path.join(dir, 'index.html'), INDEX_HTML);
  return dir;
}

export function apiCases(make: () => ApiHarness): void {
  const engine = make();
  const consoleDir = consoleFixture();
  let url = '';
  let instanceToken = '';
  const tokens: Record<string, string> = {};

  const call = async (token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, text, body: type.startsWith('application/json') ? JSON.parse(text) : undefined };
  };
  const ok = async (a: Promise<Answer>): Promise<unknown> => {
    const r = await a;
    expect(r.status, r.text).toBeLessThan(300);
    return r.body;
  };
  const login = async (user: string, password: string): Promise<string> => ((await ok(call(undefined, 'POST', '/api/v1/login', { username: user, password }))) as { token: string }).token;
  const audit = async (): Promise<AuditRow[]> => ((await ok(call(instanceToken, 'GET', `/api/v1/audit?project=${PROJECT}`))) as { items: AuditRow[] }).items;

  beforeAll(async () => {
    const started = await engine.start(consoleDir);
    url = started.url;
    instanceToken = started.token;
    await ok(call(instanceToken, 'POST', '/api/v1/workspaces', { name: WORKSPACE }));
    await ok(call(instanceToken, 'POST', '/api/v1/apply', { objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: PROJECT, labels: { 'kubesphere.io/workspace': WORKSPACE } } }] }));
    await ok(call(instanceToken, 'POST', '/api/v1/users', { name: 'viewer', password: PASSWORD, workspace: WORKSPACE }));
    await ok(call(instanceToken, 'POST', `/api/v1/projects/${PROJECT}/members`, { user: 'viewer', role: 'project-viewer' }));
    tokens.viewer = await login('viewer', PASSWORD);
    tokens.admin = await login('admin', started.adminPassword);
  }, 60_000);

  afterAll(async () => {
    const breaches = engine.breaches();
    await engine.stop();
    expect(breaches).toEqual([]);
  });

  it(`${engine.name}: a project-viewer is refused a write with the catalogue's 403 and an audit entry`, async () => {
    const r = await call(tokens.viewer, 'POST', '/api/v1/apply', { objects: [service('refused')] });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({
      error: {
        code: 'GM_ERR_FORBIDDEN',
        message: `viewer may not change Service objects in project ${PROJECT}: that needs project-regular or above, and viewer is project-viewer in project ${PROJECT}`,
      },
    });
    const rows = await audit();
    expect(rows).toContainEqual(
      expect.objectContaining({ user: 'viewer', method: 'POST', path: '/api/v1/apply', project: PROJECT, objects: `Service/${PROJECT}/refused`, status: 403, result: 'refused' }),
    );
    // The viewer still reads the project.
    expect((await call(tokens.viewer, 'GET', `/api/v1/projects/${PROJECT}`)).status).toBe(200);
  });

  it(`${engine.name}: an unauthenticated request gets 401`, async () => {
    const r = await call(undefined, 'GET', '/api/v1/projects');
    expect(r.status).toBe(401);
    expect(r.body).toEqual({
      error: { code: 'GM_ERR_UNAUTHORIZED', message: 'missing credentials: send "Authorization: Bearer TOKEN" (graymesh login, or GRAYMESH_TOKEN)' },
    });
    const bad = await call('not-a-token', 'GET', `/api/v1/projects/${PROJECT}/services`);
    expect(bad.status).toBe(401);
    expect((bad.body as { error: { code: string } }).error.code).toBe('GM_ERR_UNAUTHORIZED');
  });

  it(`${engine.name}: a platform-admin's apply is audited`, async () => {
    const r = await call(tokens.admin, 'POST', '/api/v1/apply', { objects: [service('reviews')] });
    expect(r.status, r.text).toBe(200);
    expect((r.body as { results: unknown[] }).results).toEqual([{ kind: 'Service', name: 'reviews', namespace: PROJECT, action: 'created' }]);
    const rows = await audit();
    expect(rows).toContainEqual(expect.objectContaining({ user: 'admin', method: 'POST', path: '/api/v1/apply', project: PROJECT, objects: `Service/${PROJECT}/reviews`, status: 200, result: 'allowed' }));
    expect(((await ok(call(tokens.viewer, 'GET', `/api/v1/projects/${PROJECT}/services/reviews`))) as { metadata: { name: string } }).metadata.name).toBe('reviews');
  });

  it(`${engine.name}: one object created, a stale replace refused with 409, then deleted by its manifest`, async () => {
    const created = await call(tokens.admin, 'POST', `/api/v1/projects/${PROJECT}/services`, service('ratings'));
    expect(created.status, created.text).toBe(201);
    const first = created.body as { metadata: { name: string; resourceVersion: string }; warnings: string[] };
    expect(first.metadata.name).toBe('ratings');
    expect(first.warnings).toEqual([]);
    const again = await call(tokens.admin, 'POST', `/api/v1/projects/${PROJECT}/services`, service('ratings'));
    expect(again.status).toBe(409);
    expect((again.body as { error: { code: string } }).error.code).toBe('GM_ERR_ALREADY_EXISTS');

    const changed = { ...service('ratings'), metadata: { ...service('ratings').metadata, labels: { app: 'ratings', tier: 'back' }, resourceVersion: first.metadata.resourceVersion } };
    const replaced = (await ok(call(tokens.admin, 'PUT', `/api/v1/projects/${PROJECT}/services/ratings`, changed))) as { metadata: { labels: Record<string, string>; resourceVersion: string } };
    expect(replaced.metadata.labels).toEqual({ app: 'ratings', tier: 'back' });
    expect(replaced.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
    const stale = await call(tokens.admin, 'PUT', `/api/v1/projects/${PROJECT}/services/ratings`, changed);
    expect(stale.status).toBe(409);
    expect((stale.body as { error: { code: string } }).error.code).toBe('GM_ERR_CONFLICT');
    const misnamed = await call(tokens.admin, 'PUT', `/api/v1/projects/${PROJECT}/services/other`, changed);
    expect(misnamed.status).toBe(400);
    expect(misnamed.body).toEqual({ error: { code: 'GM_ERR_BAD_REQUEST', message: 'body: must be Service other' } });

    const deleted = await call(tokens.admin, 'POST', '/api/v1/delete', { objects: [service('ratings')] });
    expect(deleted.status, deleted.text).toBe(200);
    expect((deleted.body as { results: unknown[] }).results).toEqual([{ kind: 'Service', name: 'ratings', namespace: PROJECT, action: 'deleted' }]);
    expect((await call(tokens.admin, 'GET', `/api/v1/projects/${PROJECT}/services/ratings`)).status).toBe(404);
    const gone = await call(tokens.admin, 'POST', '/api/v1/delete', { objects: [service('ratings')] });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      error: { code: 'GM_ERR_NOT_FOUND', message: `Service ratings not found in project ${PROJECT}; nothing deleted (use --ignore-not-found to delete the rest)` },
    });
    const ignored = (await ok(call(tokens.admin, 'POST', '/api/v1/delete', { objects: [service('ratings')], ignoreNotFound: true }))) as { results: unknown[] };
    expect(ignored.results).toEqual([]);
  });

  it(`${engine.name}: a Release created as one object is admitted by the release controller first`, async () => {
    await ok(call(tokens.admin, 'POST', `/api/v1/projects/${PROJECT}/services`, service('details')));
    const r = canaryRelease(PROJECT);
    const body = { ...r, spec: { ...r.spec, service: 'details' } };
    const refused = await call(tokens.admin, 'POST', `/api/v1/projects/${PROJECT}/releases`, body);
    expect(refused.status, refused.text).toBe(422);
    expect((refused.body as { error: { code: string; message: string } }).error).toEqual({
      code: 'GM_ERR_INVALID',
      message: expect.stringMatching(new RegExp(`^Release ${r.metadata.name}: spec\\.principal: service details has no workload of version`)),
    });
    expect((await call(tokens.admin, 'GET', `/api/v1/projects/${PROJECT}/releases/${r.metadata.name}`)).status).toBe(404);
    const replaced = await call(tokens.admin, 'PUT', `/api/v1/projects/${PROJECT}/releases/${r.metadata.name}`, body);
    expect(replaced.status).toBe(422);
  });

  it(`${engine.name}: a project is created in a workspace, changed and deleted`, async () => {
    const name = `${PROJECT}-new`;
    const created = await call(tokens.admin, 'POST', '/api/v1/projects', { name, workspace: WORKSPACE });
    expect(created.status, created.text).toBe(201);
    const read = (await ok(call(tokens.admin, 'GET', `/api/v1/projects/${name}`))) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
    expect(read.metadata.labels['kubesphere.io/workspace']).toBe(WORKSPACE);
    expect(read.metadata.annotations['graymesh.dev/governance']).toBe('true');
    expect((await call(tokens.admin, 'POST', '/api/v1/projects', { name, workspace: WORKSPACE })).status).toBe(409);

    const changed = (await ok(call(tokens.admin, 'PATCH', `/api/v1/projects/${name}`, { governance: false }))) as { metadata: { annotations: Record<string, string> } };
    expect(changed.metadata.annotations['graymesh.dev/governance']).toBe('false');
    const locked = (await ok(call(tokens.admin, 'PATCH', `/api/v1/projects/${name}`, { outboundPolicy: 'REGISTRY_ONLY' }))) as { metadata: { annotations: Record<string, string> } };
    expect(locked.metadata.annotations['graymesh.dev/outbound-traffic-policy']).toBe('REGISTRY_ONLY');
    expect(locked.metadata.annotations['graymesh.dev/governance']).toBe('false');
    const wrong = await call(tokens.admin, 'PATCH', `/api/v1/projects/${name}`, { outboundPolicy: 'DENY_ALL' });
    expect(wrong.status).toBe(422);
    expect((wrong.body as { error: { message: string } }).error.message).toBe(
      'outboundPolicy: "DENY_ALL" is not a mode; use REGISTRY_ONLY (only hosts the mesh or a ServiceEntry declares) or ALLOW_ANY (any host)',
    );
    const allow = (await ok(call(tokens.admin, 'PATCH', `/api/v1/projects/${name}`, { allowRoutesFrom: [PROJECT] }))) as { metadata: { annotations: Record<string, string> } };
    expect(allow.metadata.annotations['graymesh.dev/allow-routes-from']).toBe(PROJECT);

    expect(await ok(call(tokens.admin, 'DELETE', `/api/v1/projects/${name}`))).toEqual({ deleted: name });
    expect((await call(tokens.admin, 'GET', `/api/v1/projects/${name}`)).status).toBe(404);
    expect((await call(tokens.viewer, 'POST', '/api/v1/projects', { name: `${PROJECT}-refused`, workspace: WORKSPACE })).status).toBe(403);
  });

  it(`${engine.name}: a route parameter that is not a name is refused before any handler`, async () => {
    const r = await call(tokens.admin, 'GET', `/api/v1/projects/${PROJECT}/services/Not_A_Name`);
    expect(r.status).toBe(422);
    expect((r.body as { error: { code: string; message: string } }).error).toEqual(expect.objectContaining({ code: 'GM_ERR_INVALID', message: expect.stringMatching(/^name: /) }));
  });

  it(`${engine.name}: the console's index.html is served, at / and for its pages`, async () => {
    for (const page of ['/', `/projects/${PROJECT}/topology`]) {
      const r = await call(undefined, 'GET', page);
      expect(r.status).toBe(200);
      expect(r.type).toBe('text/html; charset=utf-8');
      expect(r.text).toBe(INDEX_HTML);
    }
  });

  it(`${engine.name}: the OpenAPI document lists the shared routes`, async () => {
    const doc = (await ok(call(tokens.viewer, 'GET', '/api/openapi.json'))) as { paths: Record<string, Record<string, unknown>> };
    for (const [p, m] of [
      ['/api/v1/apply', 'post'],
      ['/api/v1/login', 'post'],
      ['/api/v1/audit', 'get'],
      ['/api/v1/projects/{project}/releases', 'post'],
      ['/api/v1/projects/{project}/{resource}/{name}', 'delete'],
      ['/api/v1/projects/{project}/{resource}/{name}', 'put'],
      ['/api/v1/projects/{project}/{resource}', 'post'],
      ['/api/v1/delete', 'post'],
      ['/api/v1/projects', 'post'],
      ['/api/v1/projects/{project}', 'patch'],
      ['/api/v1/projects/{project}', 'delete'],
      ['/api/v1/projects/{project}/export', 'get'],
      ['/api/v1/projects/{project}/samples/{name}', 'post'],
      ['/api/v1/config/wait', 'get'],
      ['/api/v1/projects/{project}/pods/{name}/log', 'get'],
      ['/api/v1/projects/{project}/pods/{name}/proxy-log', 'get'],
      ['/api/v1/projects/{project}/deployments/{name}/log', 'get'],
      ['/api/v1/proxies/restart', 'post'],
      ['/api/v1/projects/{project}/graph', 'get'],
      ['/api/v1/projects/{project}/traces', 'get'],
    ] as const) {
      expect(doc.paths[p]?.[m], `${m} ${p}`).toBeDefined();
    }
  });

  it(`${engine.name}: a sample is applied through the engine's writes, and config/wait answers once every proxy enforces it`, async () => {
    const project = `${PROJECT}-sample`;
    const deployed = await call(tokens.admin, 'POST', `/api/v1/projects/${project}/samples/bookinfo`, {});
    expect(deployed.status, deployed.text).toBe(200);
    const results = (deployed.body as { results: { kind: string; name: string; action: string }[] }).results;
    expect(results).toContainEqual(expect.objectContaining({ kind: 'Namespace', name: project, action: 'created' }));
    expect(results).toContainEqual(expect.objectContaining({ kind: 'Deployment', name: 'productpage-v1', action: 'created' }));
    const deployments = (await ok(call(tokens.admin, 'GET', `/api/v1/projects/${project}/deployments`))) as { items: { metadata: { name: string } }[] };
    expect(deployments.items.map((d) => d.metadata.name).sort()).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1']);
    const unknown = await call(tokens.admin, 'POST', `/api/v1/projects/${project}/samples/nope`, {});
    expect(unknown.body).toEqual({ error: { code: 'GM_ERR_NOT_FOUND', message: 'unknown sample "nope"; the samples are: bookinfo, grpc-greeter, tcp-echo' } });

    const waited = (await ok(call(tokens.viewer, 'GET', '/api/v1/config/wait?timeout=10000'))) as { method: string; proxies: unknown[] };
    expect(waited.method).toBe(engine.name === 'local' ? 'acks' : 'istiod');
    expect((await call(tokens.viewer, 'GET', '/api/v1/config/wait?timeout=soon')).status).toBe(400);
    await ok(call(tokens.admin, 'DELETE', `/api/v1/projects/${project}`));
  });

  it(`${engine.name}: logs and the node proxy's restart are one route set; a cluster answers 501 naming kubectl`, async () => {
    const log = await call(tokens.admin, 'GET', `/api/v1/projects/${PROJECT}/pods/reviews-v1-0/log`);
    const restart = await call(tokens.admin, 'POST', '/api/v1/proxies/restart');
    if (engine.name === 'kubernetes') {
      expect(log.status).toBe(501);
      expect(log.body).toEqual({ error: { code: 'GM_ERR_NOT_IMPLEMENTED', message: `the kubernetes engine keeps no logs (kubelet does); use kubectl logs -n ${PROJECT} reviews-v1-0` } });
      expect(restart.status).toBe(501);
      expect((restart.body as { error: { message: string } }).error.message).toMatch(/kubectl rollout restart/);
    } else {
      expect(log.body).toEqual({ error: { code: 'GM_ERR_NOT_FOUND', message: `pod reviews-v1-0 not found in project ${PROJECT}` } });
      // This control plane was started without the node proxy's supervisor.
      expect(restart.status).toBe(503);
    }
    expect((await call(tokens.viewer, 'POST', '/api/v1/proxies/restart')).status).toBe(403);
    expect((await call(tokens.admin, 'GET', '/api/v1/projects/nope/pods/x/log')).status).toBe(404);
  });

  accountCases({ engine, project: PROJECT, workspace: WORKSPACE, admin: () => tokens.admin as string, call });
}
