/**
 * Issue contract, end to end: graymesh up, Bookinfo deployed and served
 * through the gateway, workloads supervised, the control plane killed and
 * brought back, and every command's output shape.
 */
import { isAlive as alive } from '../../src/runtime/process-marker.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Instance, eventually, request } from '../helpers/instance.js';
import { httpbinManifests } from '../helpers/httpbin.js';

interface Item {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

const PAGE = '/productpage';
const HOST = 'productpage.demo-project.localhost';

describe('graymesh runs Bookinfo on one machine', () => {
  const gm = new Instance();

  beforeAll(async () => {
    const r = await gm.up([]);
    expect(r.code, r.stderr).toBe(0);
    // The welcome names the console, where the credentials are, and the Bookinfo URL.
    expect(r.stdout).toContain(`http://127.0.0.1:${gm.port}/`);
    expect(r.stdout).toContain(path.join(gm.home, 'admin-credentials'));
    expect(r.stdout).toContain(`http://productpage.demo-project.localhost:${gm.gatewayPort}/productpage`);
  }, 120_000);

  afterAll(() => gm.cleanup());

  it('deploys Bookinfo into demo-project on first start and serves the v1 page through the gateway', async () => {
    // `up` returns before every Bookinfo workload is ready: wait for the page with both backends it shows.
    const res = await eventually(async () => {
      const r = await gm.gateway(HOST, PAGE);
      return r.status === 200 && r.body.includes('Reviews served by') && r.body.includes('Book Details') ? r : undefined;
    }, 60_000, 250);
    expect(res.body).toContain('The Comedy of Errors');
    expect(res.body).toContain('Book Details');
    expect(res.body).toContain('Book Reviews');
    expect(res.body).toContain('Reviewer1');
    expect(res.body).toContain('Reviewer2');
    expect(res.body).toMatch(/Reviews served by:\s*(<[^>]+>\s*)*reviews-v1-/);
    expect(res.body).not.toContain('★');
    // x-request-id is set at the edge and reaches the client-facing response path intact.
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  it('status reports a healthy control plane and a proxy enforcing the current config', () => {
    const s = gm.json<{
      controlPlane: { url: string; healthy: boolean; pid: number };
      gateway: { url: string };
      proxies: { name: string; pid: number; ackedVersion: number; current: boolean }[];
      configVersion: number;
    }>(['status']);
    expect(s.controlPlane.healthy).toBe(true);
    expect(s.controlPlane.url).toBe(gm.apiUrl);
    expect(s.gateway.url).toContain(String(gm.gatewayPort));
    expect(s.proxies).toHaveLength(1);
    expect(s.proxies[0]?.ackedVersion).toBe(s.configVersion);
    expect(s.proxies[0]?.current).toBe(true);
  });

  it('lists workloads and pods with the contract fields', () => {
    const w = gm.json<{ items: Item[] }>(['get', 'workloads', '-p', 'demo-project']);
    const names = w.items.map((i) => i.metadata.name).sort();
    expect(names).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1']);
    const reviews = w.items.find((i) => i.metadata.name === 'reviews-v1') as Item & {
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
      status: { readyReplicas: number };
    };
    expect(reviews.metadata.labels).toMatchObject({ app: 'reviews', version: 'v1' });
    expect(reviews.spec.replicas).toBe(1);
    expect(reviews.spec.template.spec.containers[0]?.image).toMatch(/examples-bookinfo-reviews-v1/);
    expect(reviews.status.readyReplicas).toBe(1);
    const pods = gm.json<{ items: (Item & { status: { phase: string; pid: number; port: number; containerStatuses: { ready: boolean; restartCount: number }[] } })[] }>([
      'get',
      'pods',
      '-p',
      'demo-project',
    ]);
    expect(pods.items).toHaveLength(4);
    for (const p of pods.items) {
      expect(p.metadata.name).toMatch(/^[a-z]+-v1-[a-z0-9]{5}-[a-z0-9]{5}$/);
      expect(p.status.phase).toBe('Running');
      expect(p.status.containerStatuses[0]?.ready).toBe(true);
      expect(p.status.pid).toBeGreaterThan(0);
      expect(p.status.port).toBeGreaterThan(0);
    }
    const apps = gm.json<{ items: Item[] }>(['get', 'apps', '-p', 'demo-project']);
    expect(apps.items.map((a) => a.metadata.name)).toEqual(['bookinfo']);
  });

  it('restarts a killed workload process, counts the restart, and serves again', async () => {
    const before = gm.json<{ items: { metadata: { name: string; labels: Record<string, string> }; status: { pid: number; containerStatuses: { restartCount: number }[] } }[] }>([
      'get',
      'pods',
      '-p',
      'demo-project',
    ]);
    const details = before.items.find((p) => p.metadata.labels.app === 'details');
    expect(details).toBeDefined();
    process.kill(details!.status.pid, 'SIGKILL');
    await eventually(async () => {
      const p = gm.json<{ status: { pid?: number; containerStatuses: { ready: boolean; restartCount: number }[] } }>([
        'get',
        'pods',
        details!.metadata.name,
        '-p',
        'demo-project',
      ]);
      return p.status.containerStatuses[0]?.restartCount === 1 && p.status.containerStatuses[0]?.ready && p.status.pid !== details!.status.pid;
    }, 10_000, 100);
    const page = await gm.gateway(HOST, PAGE);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Book Details');
    expect(page.body).not.toContain('product details are currently unavailable');
  });

  it('keeps serving through the gateway while the control plane is killed, and up brings the same objects back', async () => {
    const status = gm.json<{ controlPlane: { pid: number } }>(['status']);
    const podsBefore = gm.json<{ items: Item[] }>(['get', 'pods', '-p', 'demo-project']).items.map((p) => p.metadata.name).sort();
    let failures = 0;
    let served = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const r = await gm.gateway(HOST, PAGE).catch(() => ({ status: 0, body: '' }));
        if (r.status === 200 && r.body.includes('Book Reviews')) served++;
        else failures++;
      }
    })();
    // Pages are served before the kill, and ten more once the control plane is gone.
    await eventually(() => served > 0, 30_000, 20);
    process.kill(status.controlPlane.pid, 'SIGKILL');
    await eventually(() => !alive(status.controlPlane.pid), 10_000, 20);
    const servedAtDeath = served;
    await eventually(() => served >= servedAtDeath + 10, 30_000, 20);
    stop = true;
    await load;
    expect(failures).toBe(0);
    // The API is gone: commands say so in one line.
    const dead = gm.cli(['get', 'pods', '-p', 'demo-project']);
    expect(dead.code).not.toBe(0);
    expect(dead.stderr.trim().split('\n')).toHaveLength(1);
    expect(dead.stderr).toMatch(/^error: cannot reach the control plane/);
    // up on the same home adopts what still runs: same pods, no duplicates.
    const again = await gm.up([]);
    expect(again.code, again.stderr).toBe(0);
    const podsAfter = gm.json<{ items: Item[] }>(['get', 'pods', '-p', 'demo-project']).items.map((p) => p.metadata.name).sort();
    expect(podsAfter).toEqual(podsBefore);
    const w = gm.json<{ items: Item[] }>(['get', 'workloads', '-p', 'demo-project']);
    expect(w.items).toHaveLength(4);
    const page = await gm.gateway(HOST, PAGE);
    expect(page.status).toBe(200);
  });

  it('with --all-versions serves all three reviews versions: v1 without stars, v2 black, v3 red', async () => {
    const r = gm.cli(['deploy', 'bookinfo', '-p', 'books', '--all-versions']);
    expect(r.code, r.stderr).toBe(0);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const page = await gm.gateway('productpage.books.localhost', PAGE);
      expect(page.status).toBe(200);
      const m = /reviews-(v[123])-/.exec(page.body);
      expect(m).not.toBeNull();
      const v = m![1] as string;
      seen.add(v);
      if (v === 'v1') expect(page.body).not.toContain('★');
      if (v === 'v2') expect(page.body).toMatch(/color:\s*black[^>]*>\s*★/);
      if (v === 'v3') expect(page.body).toMatch(/color:\s*red[^>]*>\s*★/);
    }
    expect([...seen].sort()).toEqual(['v1', 'v2', 'v3']);
  });

  it('applies manifests as users write them for a cluster, and refuses a stale update with 409', async () => {
    const file = path.join(gm.home, 'httpbin.yaml');
    // A user's manifests as written for a cluster: a ServiceAccount, the Service and its v1 Deployment.
    writeFileSync(file, `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: httpbin\n---\n${httpbinManifests()}`);
    const r = gm.cli(['apply', '-f', file, '-p', 'books']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('deployment/httpbin-v1 (books) created');
    const again = gm.cli(['apply', '-f', file, '-p', 'books']);
    expect(again.stdout).toContain('deployment/httpbin-v1 (books) unchanged');
    const res = await eventually(async () => {
      const x = await gm.gateway('httpbin.books.localhost', '/get');
      return x.status === 200 ? x : undefined;
    }, 30_000, 200);
    expect(JSON.parse(res.body)).toMatchObject({ version: 'v1' });

    const token = gm.cli(['status', '-o', 'json']);
    expect(token.code).toBe(0);
    const cred = (await import('node:fs')).readFileSync(path.join(gm.home, 'admin-credentials'), 'utf8');
    const auth = { authorization: `Bearer ${/token:\s*(\S+)/.exec(cred)![1]}` };
    const svc = JSON.parse((await request(gm.port, '/api/v1/projects/books/services/httpbin', auth)).body) as Item;
    const stale = { ...svc, metadata: { ...svc.metadata, resourceVersion: '1' } };
    const put = await request(gm.port, '/api/v1/projects/books/services/httpbin', { ...auth, 'content-type': 'application/json' }, 'PUT', JSON.stringify(stale));
    expect(put.status).toBe(409);
    expect(JSON.parse(put.body).error.message).toMatch(/modified/);
    const unauth = await request(gm.port, '/api/v1/projects');
    expect(unauth.status).toBe(401);
  });

  it('refuses bad input with one clear line and creates nothing', async () => {
    const before = gm.json<{ items: Item[] }>(['get', 'projects']).items.length;
    const cases: { args: string[]; match: RegExp; input?: string }[] = [
      { args: ['deploy', 'bookstore', '-p', 'x1'], match: /unknown sample "bookstore"/ },
      { args: ['deploy', 'bookinfo', '-p', 'Bad_Name'], match: /-p Bad_Name: project name .* DNS-1123/ },
      {
        args: ['apply', '-f', '-', '-p', 'books'],
        input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: mystery}\nspec:\n  selector: {matchLabels: {app: m}}\n  template:\n    metadata: {labels: {app: m}}\n    spec:\n      containers: [{name: m, image: acme/mystery:1}]\n',
        match: /image "acme\/mystery:1" is not in the local image catalog/,
      },
      { args: ['apply', '-f', '-', '-p', 'books'], input: 'kind: [unclosed\n', match: /invalid YAML at line/ },
    ];
    for (const c of cases) {
      const r = gm.cli(c.args, c.input);
      expect(r.code, c.args.join(' ')).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(c.match);
    }
    expect(gm.json<{ items: Item[] }>(['get', 'projects']).items.length).toBe(before);
    expect(gm.cli(['get', 'workloads', 'mystery', '-p', 'books']).code).not.toBe(0);
    // A busy port: a second instance on the same ports is refused.
    const other = new Instance();
    other.port = gm.port;
    other.gatewayPort = gm.gatewayPort;
    const busy = await other.up();
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toMatch(/^error: API port \d+ is in use; stop what uses it or pass --port N/);
    other.cleanup();
  });

  it('delete app removes the composed app with its components, and only them', async () => {
    const r = gm.cli(['delete', 'app', 'bookinfo', '-p', 'books']);
    expect(r.code, r.stderr).toBe(0);
    // The Application's selector (app.kubernetes.io/name: bookinfo) picks its Services and Deployments;
    // httpbin, applied to the same project by hand, is not part of it.
    await eventually(() => gm.json<{ items: Item[] }>(['get', 'pods', '-p', 'books']).items.every((p) => p.metadata.name.startsWith('httpbin-')), 30_000, 200);
    const left = gm.json<{ items: Item[] }>(['get', 'workloads', '-p', 'books']).items.map((d) => d.metadata.name);
    expect(left).toEqual(['httpbin-v1']);
    expect(gm.json<{ items: Item[] }>(['get', 'services', '-p', 'books']).items.map((s) => s.metadata.name)).toEqual(['httpbin']);
    expect(gm.cli(['get', 'apps', 'bookinfo', '-p', 'books']).code).not.toBe(0);
  });

  it('down stops every process it started', async () => {
    const pods = gm.json<{ items: { status: { pid: number } }[] }>(['get', 'pods', '-p', 'demo-project']).items.map((p) => p.status.pid);
    const status = gm.json<{ controlPlane: { pid: number }; proxies: { pid: number }[] }>(['status']);
    const r = gm.down();
    expect(r.code).toBe(0);
    for (const pid of [...pods, status.controlPlane.pid, ...status.proxies.map((p) => p.pid)]) {
      await eventually(() => !alive(pid), 10_000);
    }
  });
});
