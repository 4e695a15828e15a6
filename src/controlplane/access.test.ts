/**
 * The permission model through the REST API, in process (Fastify inject): the
 * tutorial's accounts, what each may and may not do, and hostile requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { ControlPlane } from './control-plane.js';
import { buildServer } from './server.js';
import { Home } from '../runtime/home.js';
import { onlyProject } from '../apiserver/auth/guard.js';

const PASSWORD = 'P@88w0rd-test';

const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name, version: 'v1' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name, version: 'v1' } },
    template: {
      metadata: { labels: { app: name, version: 'v1' } },
      spec: { containers: [{ name, image: 'kennethreitz/httpbin', ports: [{ containerPort: 80 }] }] },
    },
  },
});

describe('authorization through the API', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-auth-'));
  let cp: ControlPlane;
  let app: FastifyInstance;
  const tokens: Record<string, string> = {};
  /** The clock sessions expire by: still unless a test moves it. */
  let now = Date.now();

  const call = (token: string | undefined, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse> =>
    app.inject({
      method: method as 'GET',
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const as = (user: string) => (method: string, url: string, body?: unknown) => call(tokens[user], method, url, body);
  const admin = (method: string, url: string, body?: unknown) => call(cp.token, method, url, body);
  const ok = async (p: Promise<LightMyRequestResponse>): Promise<unknown> => {
    const r = await p;
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };

  beforeAll(async () => {
    cp = new ControlPlane({ home: new Home(dir), port: 0, gatewayPort: 0, listen: '127.0.0.1', log: () => undefined });
    app = await buildServer(cp, { now: () => now });
    await ok(admin('POST', '/api/v1/workspaces', { name: 'demo-workspace' }));
    await ok(admin('POST', '/api/v1/workspaces', { name: 'other-workspace' }));
    for (const [name, workspace] of [
      ['ws-admin', 'demo-workspace'],
      ['project-admin', 'demo-workspace'],
      ['project-regular', 'demo-workspace'],
      ['project-viewer', 'demo-workspace'],
      ['outsider', 'other-workspace'],
    ]) {
      await ok(admin('POST', '/api/v1/users', { name, password: PASSWORD, workspace }));
      const r = (await ok(call(undefined, 'POST', '/api/v1/login', { username: name, password: PASSWORD }))) as { token: string };
      tokens[name as string] = r.token;
    }
    await ok(admin('POST', '/api/v1/workspaces/demo-workspace/members', { user: 'ws-admin', role: 'workspace-admin' }));
    // The workspace admin creates the project and invites its members.
    await ok(as('ws-admin')('POST', '/api/v1/projects', { name: 'demo-project', workspace: 'demo-workspace' }));
    for (const role of ['project-admin', 'project-regular', 'project-viewer']) {
      await ok(as('ws-admin')('POST', '/api/v1/projects/demo-project/members', { user: role, role }));
    }
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await cp.stop(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 401 to every documented route called without credentials, health and login aside', async () => {
    const doc = (await ok(admin('GET', '/api/openapi.json'))) as { paths: Record<string, Record<string, unknown>> };
    let checked = 0;
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        if (p === '/healthz' || p === '/api/v1/login') continue;
        const url = p.replace(/\{[^}]+\}/g, 'x');
        const r = await call(undefined, method.toUpperCase(), url, method === 'get' ? undefined : {});
        expect(r.statusCode, `${method} ${p}`).toBe(401);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect((await call(undefined, 'GET', '/api/openapi.json')).statusCode).toBe(401);
    // Regression: percent-encoding the path reaches the same route, and the same refusal.
    for (const url of ['/%61pi/services', '/%61pi/v1/projects', '/api/v1/%70rojects/demo-project/deployments', '/%6detrics']) {
      expect((await call(undefined, 'GET', url)).statusCode, url).toBe(401);
    }
    expect((await call(undefined, 'GET', '/healthz')).statusCode).toBe(200);
  });

  it('lets project-regular deploy and change workloads, but not the project settings', async () => {
    const regular = as('project-regular');
    await ok(regular('POST', '/api/v1/apply', { project: 'demo-project', objects: [deployment('httpbin')] }));
    const r = await regular('PATCH', '/api/v1/projects/demo-project', { governance: false });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.message).toMatch(/project-regular may not change the settings of project demo-project: that needs project-admin/);
    expect((await regular('POST', '/api/v1/projects/demo-project/members', { user: 'outsider', role: 'project-admin' })).statusCode).toBe(403);
    expect((await regular('DELETE', '/api/v1/projects/demo-project')).statusCode).toBe(403);
    // A Namespace in a manifest is a project setting too.
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo-project' } };
    expect((await regular('POST', '/api/v1/apply', { objects: [ns, deployment('sneaky')] })).statusCode).toBe(403);
    expect((await admin('GET', '/api/v1/projects/demo-project/deployments/sneaky')).statusCode).toBe(404);
  });

  it('lets project-admin switch governance and manage members, and keeps the workspace label', async () => {
    const pa = as('project-admin');
    const r = (await ok(pa('PATCH', '/api/v1/projects/demo-project', { governance: false }))) as { metadata: { annotations: Record<string, string>; labels: Record<string, string> } };
    expect(r.metadata.annotations['graymesh.dev/governance']).toBe('false');
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo-project', annotations: { 'graymesh.dev/governance': 'true' } } };
    await ok(pa('POST', '/api/v1/apply', { objects: [ns] }));
    const after = (await ok(admin('GET', '/api/v1/projects/demo-project'))) as { metadata: { labels: Record<string, string> } };
    expect(after.metadata.labels['kubesphere.io/workspace']).toBe('demo-workspace');
    const move = { ...ns, metadata: { ...ns.metadata, labels: { 'kubesphere.io/workspace': 'other-workspace' } } };
    expect((await pa('POST', '/api/v1/apply', { objects: [move] })).statusCode).toBe(403);
    expect((await pa('PATCH', '/api/v1/projects/demo-project', { workspace: 'other-workspace' })).statusCode).toBe(403);
    expect((await pa('DELETE', '/api/v1/projects/demo-project')).statusCode).toBe(403);
    // Members come from the project's workspace.
    const foreign = await pa('POST', '/api/v1/projects/demo-project/members', { user: 'outsider', role: 'project-viewer' });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().error.message).toMatch(/outsider is not a member of workspace demo-workspace/);
  });

  it('lets project-viewer read everything and change nothing', async () => {
    const v = as('project-viewer');
    for (const url of ['/api/v1/projects/demo-project', '/api/v1/projects/demo-project/deployments', '/api/v1/projects/demo-project/deployments/httpbin', '/api/v1/projects/demo-project/releases', '/api/v1/projects/demo-project/members']) {
      expect((await v('GET', url)).statusCode, url).toBe(200);
    }
    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/apply', { project: 'demo-project', objects: [deployment('x')] }],
      ['POST', '/api/v1/delete', { project: 'demo-project', objects: [deployment('httpbin')] }],
      ['POST', '/api/v1/projects/demo-project/deployments', deployment('x')],
      ['PUT', '/api/v1/projects/demo-project/deployments/httpbin', deployment('httpbin')],
      ['DELETE', '/api/v1/projects/demo-project/deployments/httpbin', undefined],
      ['POST', '/api/v1/projects/demo-project/releases', {}],
      ['POST', '/api/v1/projects/demo-project/releases/r/weights', { weights: { v1: 100 } }],
      ['POST', '/api/v1/projects/demo-project/samples/bookinfo', {}],
      ['PATCH', '/api/v1/projects/demo-project', { governance: true }],
      ['DELETE', '/api/v1/projects/demo-project', undefined],
      ['POST', '/api/v1/projects/demo-project/members', { user: 'project-viewer', role: 'project-admin' }],
    ];
    for (const [m, url, body] of writes) {
      const r = await v(m, url, body);
      expect(r.statusCode, `${m} ${url}`).toBe(403);
      expect(r.json().error.message).toMatch(/^project-viewer may not /);
    }
    expect((await admin('GET', '/api/v1/projects/demo-project/deployments/httpbin')).statusCode).toBe(200);
  });

  it('hides demo-project from a user of another workspace: 404 with the text of a missing project, absent from lists', async () => {
    const o = as('outsider');
    const r = await o('GET', '/api/v1/projects/demo-project/deployments');
    const missing = await o('GET', '/api/v1/projects/no-such-project/deployments');
    expect(r.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(r.json().error.message).toBe('project demo-project not found');
    expect(missing.json().error.message).toBe('project no-such-project not found');
    expect((await o('DELETE', '/api/v1/projects/demo-project')).statusCode).toBe(404);
    expect((await o('POST', '/api/v1/apply', { project: 'demo-project', objects: [deployment('x')] })).statusCode).toBe(404);
    const list = (await ok(o('GET', '/api/v1/projects'))) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((i) => i.metadata.name)).not.toContain('demo-project');
    expect((await o('GET', '/api/v1/workspaces/demo-workspace')).statusCode).toBe(404);
    const me = (await ok(o('GET', '/api/v1/me'))) as { workspaces: string[] };
    expect(me.workspaces).toEqual(['other-workspace']);
  });

  it('refuses hostile input cleanly and changes nothing', async () => {
    const regular = as('project-regular');
    // Path traversal in names.
    for (const url of ['/api/v1/projects/..%2F..%2Fetc/deployments', '/api/v1/projects/demo-project/pods/..%2F..%2Fadmin-credentials/log', '/api/v1/projects/demo-project/deployments/%2e%2e']) {
      const r = await regular('GET', url);
      expect(r.statusCode, url).toBe(422);
    }
    // CR/LF in a name never reaches a header.
    const crlf = await regular('GET', '/api/v1/projects/demo%0d%0aSet-Cookie:%20x%3Dy/deployments');
    expect(crlf.statusCode).toBe(422);
    expect(crlf.headers['set-cookie']).toBeUndefined();
    // Oversized bodies: 413 (16 KiB on account routes, 8 MiB elsewhere).
    const big = await call(undefined, 'POST', '/api/v1/login', { username: 'admin', password: 'x'.repeat(20_000) });
    expect(big.statusCode).toBe(413);
    // Malformed and unknown tokens.
    for (const h of ['Bearer', 'Basic YWRtaW46YWRtaW4=', 'Bearer gmu_nope', `Bearer ${'a'.repeat(1000)}`, 'Bearer a b']) {
      const r = await app.inject({ method: 'GET', url: '/api/v1/projects', headers: { authorization: h } });
      expect(r.statusCode, h).toBe(401);
    }
    expect((await admin('GET', '/api/v1/projects/demo-project/deployments/httpbin')).statusCode).toBe(200);
  });

  it('expires sessions and revokes them on logout', async () => {
    const r = (await ok(call(undefined, 'POST', '/api/v1/login', { username: 'project-viewer', password: PASSWORD, expiresIn: 1 }))) as { token: string };
    now += 999;
    expect((await call(r.token, 'GET', '/api/v1/me')).statusCode).toBe(200);
    now += 1;
    const expired = await call(r.token, 'GET', '/api/v1/me');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.message).toMatch(/expired/);
    const s = (await ok(call(undefined, 'POST', '/api/v1/login', { username: 'project-viewer', password: PASSWORD }))) as { token: string };
    await ok(call(s.token, 'POST', '/api/v1/logout'));
    expect((await call(s.token, 'GET', '/api/v1/me')).statusCode).toBe(401);
  });

  it('issues scoped tokens that reach only their endpoints', async () => {
    const created = (await ok(admin('POST', '/api/v1/tokens', { scope: 'scrape' }))) as { token: string; id: string };
    expect(created.token).toMatch(/^gmt_/);
    expect((await call(created.token, 'GET', '/api/v1/projects')).statusCode).toBe(403);
    expect((await as('project-regular')('POST', '/api/v1/tokens', { scope: 'ingest' })).statusCode).toBe(403);
    expect((await as('project-admin')('POST', '/api/v1/tokens', { scope: 'ingest', project: 'demo-project' })).statusCode).toBe(201);
    // The Jaeger query API (every project's traces) takes a scrape token not limited to a project.
    expect((await call(created.token, 'GET', '/api/services')).statusCode).toBe(200);
    const limited = (await ok(as('project-admin')('POST', '/api/v1/tokens', { scope: 'scrape', project: 'demo-project' }))) as { token: string };
    expect((await call(limited.token, 'GET', '/api/services')).statusCode).toBe(403);
    expect((await call(limited.token, 'GET', '/metrics')).statusCode).toBe(200);
    expect((await as('project-admin')('GET', '/api/services')).statusCode).toBe(403);
    await ok(admin('DELETE', `/api/v1/tokens/${created.id}`));
    expect((await call(created.token, 'GET', '/api/v1/projects')).statusCode).toBe(401);
  });

  it("gives a project's scrape token that project's series only", () => {
    const text = [
      '# HELP istio_requests_total Requests.',
      '# TYPE istio_requests_total counter',
      'istio_requests_total{source_workload_namespace="demo-project",destination_workload_namespace="demo-project"} 3',
      'istio_requests_total{source_workload_namespace="other",destination_workload_namespace="other"} 5',
      'istio_requests_total{source_workload_namespace="unknown",destination_service_namespace="demo-project"} 1',
      'graymesh_spans_stored 7',
      '',
    ].join('\n');
    expect(onlyProject(text, 'demo-project').split('\n')).toEqual([
      '# HELP istio_requests_total Requests.',
      '# TYPE istio_requests_total counter',
      'istio_requests_total{source_workload_namespace="demo-project",destination_workload_namespace="demo-project"} 3',
      'istio_requests_total{source_workload_namespace="unknown",destination_service_namespace="demo-project"} 1',
      '',
    ]);
  });

  it('shows a trace to whoever may read its project, and to nobody else', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const now = BigInt(Date.now()) * 1_000_000n;
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'productpage' } }, { key: 'k8s.namespace.name', value: { stringValue: 'demo-project' } }] },
          scopeSpans: [{ spans: [{ traceId, spanId: '00f067aa0ba902b7', name: 'GET /productpage', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 5_000_000n) }] }],
        },
      ],
    };
    const ingest = (await ok(admin('POST', '/api/v1/tokens', { scope: 'ingest' }))) as { token: string };
    expect((await call(ingest.token, 'POST', '/v1/traces', otlp)).statusCode).toBe(200);
    expect((await as('project-viewer')('GET', `/api/v1/traces/${traceId}`)).statusCode).toBe(200);
    const hidden = await as('outsider')('GET', `/api/v1/traces/${traceId}`);
    const missing = await as('outsider')('GET', `/api/v1/traces/${'1'.repeat(32)}`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.message).toBe(missing.json().error.message.replace('1'.repeat(32), traceId));
    // Spans are sent with an ingest token, never a session.
    expect((await as('project-admin')('POST', '/v1/traces', otlp)).statusCode).toBe(403);
  });

  it('records every write in the audit log, refusals included', async () => {
    const all = (await ok(admin('GET', '/api/v1/audit?project=demo-project&limit=1000'))) as { items: { user: string; method: string; path: string; result: string; message?: string }[] };
    const refusal = all.items.find((e) => e.user === 'project-regular' && e.method === 'PATCH');
    expect(refusal).toMatchObject({ result: 'refused', path: '/api/v1/projects/demo-project' });
    expect(refusal?.message).toMatch(/needs project-admin/);
    expect(all.items.some((e) => e.user === 'project-regular' && e.path === '/api/v1/apply' && e.result === 'allowed')).toBe(true);
    // A project admin reads their project's log; a regular member only their own entries.
    expect((await as('project-admin')('GET', '/api/v1/audit?project=demo-project')).statusCode).toBe(200);
    expect((await as('project-regular')('GET', '/api/v1/audit?project=demo-project')).statusCode).toBe(403);
    const own = (await ok(as('project-regular')('GET', '/api/v1/audit'))) as { items: { user: string }[] };
    expect(own.items.every((e) => e.user === 'project-regular')).toBe(true);
    const logins = (await ok(admin('GET', '/api/v1/audit?limit=1000'))) as { items: { path: string; message?: string; objects?: string }[] };
    expect(JSON.stringify(logins)).not.toContain(PASSWORD);
  });

  it('sets security headers on every answer', async () => {
    for (const url of ['/', '/api/v1/projects', '/healthz']) {
      const r = await call(undefined, 'GET', url);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(String(r.headers['content-security-policy'])).toContain("default-src 'self'");
    }
  });

  it('limits failed logins per user: 429 with Retry-After, even for the right password', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await call(undefined, 'POST', '/api/v1/login', { username: 'project-admin', password: `wrong-${i}-pass` })).statusCode).toBe(401);
    }
    const r = await call(undefined, 'POST', '/api/v1/login', { username: 'project-admin', password: PASSWORD });
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    // Others still log in, and the server still serves.
    expect((await call(undefined, 'POST', '/api/v1/login', { username: 'project-viewer', password: PASSWORD })).statusCode).toBe(200);
  });
});
