/**
 * The Kubernetes API (`up --kube-port`) against hostile requests over real HTTPS: a body over
 * the limit is answered 413, a body nested without end is a 400, a malformed path escape is a
 * 400, and a user's concurrent watches are bounded (and counted down when they close).
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instance, eventually, freePort } from '../helpers/instance.js';

interface Reply {
  status: number;
  body: string;
}

describe('the Kubernetes API under hostile requests', () => {
  const gm = new Instance();
  let url = '';
  let ca = '';
  let admin = '';
  let vera = '';

  const call = (method: string, urlPath: string, token: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = https.request(`${url}${urlPath}`, { method, ca, agent: false, timeout: 30_000, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers } }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      });
      req.on('timeout', () => req.destroy(new Error('request timeout')));
      req.on('error', reject);
      req.end(body);
    });

  /** A watch whose response head arrived; close() ends it. */
  const openWatch = (token: string): Promise<{ status: number; body: Promise<string>; close: () => void }> =>
    new Promise((resolve, reject) => {
      const req = https.request(`${url}/api/v1/namespaces/demo/configmaps?watch=true&timeoutSeconds=120`, { ca, agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        const body = new Promise<string>((done) => {
          res.on('end', () => done(data));
          res.on('close', () => done(data));
        });
        resolve({ status: res.statusCode ?? 0, body, close: () => req.destroy() });
      });
      req.on('error', reject);
      req.end();
    });

  const tokenOf = (kubeconfig: string): string => /token: (\S+)/.exec(kubeconfig)?.[1] as string;

  beforeAll(async () => {
    const up = await gm.up(['--no-sample', '--kube-port', String(await freePort())]);
    expect(up.code, up.stderr).toBe(0);
    const kc = gm.cli(['kubeconfig']);
    expect(kc.code, kc.stderr).toBe(0);
    url = /server: (\S+)/.exec(kc.stdout)?.[1] as string;
    ca = readFileSync(path.join(gm.home, 'kube-api.crt'), 'utf8');
    admin = tokenOf(kc.stdout);
    const ns = await call('POST', '/api/v1/namespaces', admin, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }));
    expect(ns.status, ns.body).toBe(201);
    expect(gm.cli(['user', 'create', 'vera', '--password-stdin'], 'vera-password-1').code).toBe(0);
    expect(gm.cli(['member', 'add', 'vera', '-p', 'demo', '--role', 'project-viewer']).code).toBe(0);
    const vkc = gm.cli(['kubeconfig', '--user', 'vera', '--password-stdin'], 'vera-password-1');
    expect(vkc.code, vkc.stderr).toBe(0);
    vera = tokenOf(vkc.stdout);
  }, 120_000);

  afterAll(() => gm.cleanup());

  it('answers a body over the limit with a 413 Status, not a reset connection', async () => {
    const r = await call('POST', '/api/v1/namespaces/demo/configmaps', admin, Buffer.alloc(4 * 1024 * 1024, 'a'));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', code: 413, reason: 'RequestEntityTooLarge' });
  });

  it('refuses a body nested without end as a 400, not an internal error', async () => {
    const n = 20_000;
    const deep = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"a":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}}`;
    const r = await call('POST', '/api/v1/namespaces/demo/configmaps', admin, deep);
    expect(r.status, r.body).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: expect.stringMatching(/nest/) });
    const patch = await call('PATCH', '/api/v1/namespaces/demo/configmaps/deep', admin, `${'['.repeat(n)}${']'.repeat(n)}`, { 'content-type': 'application/merge-patch+json' });
    expect(patch.status, patch.body).toBe(400);
  });

  it('answers a malformed escape in the path with a 400', async () => {
    const r = await call('GET', '/api/v1/namespaces/%zz/pods', admin);
    expect(r.status, r.body).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
  });

  it("bounds a user's concurrent watches at 100 and counts one down when its client goes", async () => {
    const open = await Promise.all(Array.from({ length: 100 }, () => openWatch(vera)));
    try {
      expect(open.map((w) => w.status)).toEqual(Array.from({ length: 100 }, () => 200));
      const over = await openWatch(vera);
      expect(over.status).toBe(429);
      expect(JSON.parse(await over.body)).toMatchObject({ kind: 'Status', code: 429, reason: 'TooManyRequests' });
      // Another user's watches are their own.
      const other = await openWatch(admin);
      expect(other.status).toBe(200);
      other.close();
      open.pop()?.close();
      const again = await eventually(async () => {
        const w = await openWatch(vera);
        if (w.status === 200) return w;
        w.close();
        return undefined;
      });
      open.push(again);
    } finally {
      for (const w of open) w.close();
    }
  }, 60_000);
});
