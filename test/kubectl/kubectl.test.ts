/**
 * The real kubectl against a real graymesh instance's Kubernetes API (`up --kube-port`, the
 * kubeconfig `graymesh kubeconfig` prints): a namespace created, Istio's own Bookinfo manifest
 * applied and waited for and its product page served through the gateway, pods and deployments
 * listed as a cluster prints them, traffic rules applied, listed, diffed and deleted, explain,
 * scale, logs (tail, limit, follow), rollout restart, history and undo over the engine's
 * ReplicaSets, server-side apply conflicts, a viewer's refusals, Secrets for project-admins
 * only, a foreground delete, and the same objects seen by `graymesh get`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instance, ROOT, eventually, freePort } from '../helpers/instance.js';

const KUBECTL = '/usr/bin/kubectl';
const BOOKINFO = path.join(ROOT, 'src/config/validate/testdata/bookinfo.yaml');
const BOOKINFO_GATEWAY = path.join(ROOT, 'src/config/validate/testdata/bookinfo-gateway.yaml');
const present = existsSync(KUBECTL);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe.skipIf(!present)('kubectl against graymesh', () => {
  const gm = new Instance();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-kubectl-'));
  const adminKc = path.join(dir, 'admin.kubeconfig');
  const viewerKc = path.join(dir, 'viewer.kubeconfig');
  // kubectl caches discovery under $HOME; each run starts without one.
  const env = { ...process.env, HOME: dir, KUBECONFIG: adminKc };
  const kubectl = (args: string[], input?: string, kc = adminKc): Run => {
    const r = spawnSync(KUBECTL, ['--kubeconfig', kc, ...args], { env, input, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (args: string[], input?: string): string => {
    const r = kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const file = (name: string, text: string): string => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  beforeAll(async () => {
    const up = await gm.up(['--no-sample', '--kube-port', String(await freePort())]);
    expect(up.code, up.stderr).toBe(0);
    const kc = gm.cli(['kubeconfig']);
    expect(kc.code, kc.stderr).toBe(0);
    writeFileSync(adminKc, kc.stdout);
  }, 120_000);

  afterAll(() => {
    gm.down();
    gm.cleanup();
  });

  it('serves the version and discovery over TLS with the kubeconfig certificate', () => {
    expect(readFileSync(adminKc, 'utf8')).toMatch(/certificate-authority-data: /);
    expect(ok(['version', '-o', 'json'])).toMatch(/"gitVersion": "v1\.32\.0-graymesh"/);
    const res = ok(['api-resources', '--no-headers']);
    for (const r of ['deployments', 'replicasets', 'pods', 'services', 'namespaces', 'virtualservices', 'destinationrules', 'gateways', 'serviceentries', 'applications', 'releases', 'secrets', 'configmaps']) {
      expect(res).toMatch(new RegExp(`^${r}\\s`, 'm'));
    }
  });

  it('creates a namespace, applies Bookinfo and waits for it to be Available', () => {
    expect(ok(['create', 'namespace', 'demo'])).toBe('namespace/demo created\n');
    const applied = ok(['apply', '-n', 'demo', '-f', BOOKINFO]);
    expect(applied).toContain('deployment.apps/reviews-v3 created');
    expect(applied).toContain('service/productpage created');
    expect(ok(['apply', '-n', 'demo', '-f', BOOKINFO])).toContain('deployment.apps/reviews-v3 unchanged');
    const waited = ok(['wait', '--for=condition=Available', 'deploy', '--all', '-n', 'demo', '--timeout=90s']);
    expect(waited.trim().split('\n')).toHaveLength(6);
    ok(['rollout', 'status', 'deploy/productpage-v1', '-n', 'demo', '--timeout=60s']);
  }, 150_000);

  it('serves the product page through the gateway once the Istio gateway is applied', async () => {
    expect(ok(['apply', '-n', 'demo', '-f', BOOKINFO_GATEWAY])).toContain('gateway.networking.istio.io/bookinfo-gateway created');
    const page = await eventually(async () => {
      const r = await gm.gateway('bookinfo.localhost', '/productpage');
      // Only productpage's rollout was waited for: the page counts once both backends it shows answer.
      return r.status === 200 && r.body.includes('Reviews served by') && r.body.includes('Book Details') ? r : undefined;
    }, 60_000, 250);
    expect(page.body).toContain('Book Details');
    expect(page.body).toContain('The Comedy of Errors');
  }, 90_000);

  it('lists pods and deployments with the columns a cluster prints', () => {
    const pods = ok(['get', 'pods', '-n', 'demo', '-o', 'wide']);
    expect(pods.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
    expect(pods).toMatch(/^reviews-v2-\S+\s+1\/1\s+Running\s+0\s+/m);
    const list = JSON.parse(ok(['get', 'pods', '-n', 'demo', '-l', 'app=reviews', '-o', 'json'])) as { items: { metadata: { labels: Record<string, string> } }[] };
    expect(list.items.map((p) => p.metadata.labels.version).sort()).toEqual(['v1', 'v2', 'v3']);
    const deploys = ok(['get', 'deploy', '-n', 'demo']);
    expect(deploys.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(deploys).toMatch(/^ratings-v1\s+1\/1\s+1\s+1\s+/m);
    expect(ok(['get', 'deploy', 'ratings-v1', '-n', 'demo', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('docker.io/istio/examples-bookinfo-ratings-v1:1.20.1');
    // A page of two, then the rest.
    expect(ok(['get', 'deploy', '-n', 'demo', '--chunk-size=2', '--no-headers']).trim().split('\n')).toHaveLength(6);
    expect(ok(['get', 'pods', '-n', 'demo', '--field-selector', 'metadata.name=nope', '--no-headers'], undefined)).toBe('');
  });

  it('reads a pod log, its last line, a limit of bytes, and scales a deployment', () => {
    const pod = ok(['get', 'pods', '-n', 'demo', '-l', 'app=productpage', '-o', 'jsonpath={.items[0].metadata.name}']);
    // The log grows as health checks come (append only): its last line first, then the whole, which holds it.
    const last = ok(['logs', '-n', 'demo', pod, '--tail=1']);
    expect(last.trim().split('\n')).toHaveLength(1);
    const all = ok(['logs', '-n', 'demo', pod]);
    expect(all.trim().split('\n').length).toBeGreaterThan(1);
    expect(all).toContain(last.trim());
    expect(ok(['logs', '-n', 'demo', pod, '--limit-bytes=5'])).toBe(all.slice(0, 5));
    expect(ok(['logs', '-n', 'demo', pod, '--since=1h'])).toContain(last.trim());
    expect(ok(['logs', '-n', 'demo', 'deploy/productpage-v1', '--tail=1']).trim().split('\n')).toHaveLength(1);
    expect(kubectl(['logs', '-n', 'demo', pod, '--previous']).stderr).toContain('Error from server (BadRequest): previous: graymesh keeps one log per pod');
    const missing = kubectl(['logs', '-n', 'demo', 'productpage-v1-nope']);
    expect(missing.stderr).toContain('pods "productpage-v1-nope" not found');
    expect(ok(['scale', 'deploy/details-v1', '-n', 'demo', '--replicas=2'])).toBe('deployment.apps/details-v1 scaled\n');
    expect(ok(['get', 'deploy', 'details-v1', '-n', 'demo', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
  });

  it('follows a pod log (-f): a line written after it started, until it is stopped', async () => {
    const pod = ok(['get', 'pods', '-n', 'demo', '-l', 'app=productpage', '-o', 'jsonpath={.items[0].metadata.name}']);
    // --tail=0: nothing of what the log holds, so every line shown was written after the start.
    const child = spawn(KUBECTL, ['--kubeconfig', adminKc, 'logs', '-f', '--tail=0', '-n', 'demo', pod], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await eventually(async () => {
        await gm.gateway('bookinfo.localhost', '/productpage');
        return /GET \/productpage 200/.test(out);
      }, 30_000, 250);
    } finally {
      child.kill();
    }
    // kubectl ends when stopped, and the follow with it (the server sees the connection close).
    expect(await Promise.race([exited.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still running'), 10_000))])).toBe('ended');
  }, 60_000);

  it('restarts a rollout, lists its revisions as ReplicaSets and undoes it', () => {
    const templateOf = (): unknown => (JSON.parse(ok(['get', 'deploy', 'reviews-v1', '-n', 'demo', '-o', 'json'])) as { spec: { template: unknown } }).spec.template;
    const before = templateOf();
    expect(ok(['rollout', 'restart', 'deploy/reviews-v1', '-n', 'demo'])).toBe('deployment.apps/reviews-v1 restarted\n');
    expect(ok(['rollout', 'status', 'deploy/reviews-v1', '-n', 'demo', '--timeout=90s'])).toContain('deployment "reviews-v1" successfully rolled out');
    interface Rs { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; spec: { replicas: number }; status: { readyReplicas?: number } }
    const sets = (JSON.parse(ok(['get', 'rs', '-n', 'demo', '-l', 'app=reviews,version=v1', '-o', 'json'])) as { items: Rs[] }).items;
    const rev = (rs: Rs): number => Number(rs.metadata.annotations['deployment.kubernetes.io/revision']);
    const [newest, old] = [...sets].sort((a, b) => rev(b) - rev(a));
    expect(sets.map(rev).sort()).toEqual([1, 2]);
    expect([newest?.spec.replicas, newest?.status.readyReplicas, old?.spec.replicas]).toEqual([1, 1, 0]);
    // The new pods are ready; none of the old template runs.
    interface P { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; status: { containerStatuses?: { ready: boolean }[] } }
    const pods = (JSON.parse(ok(['get', 'pods', '-n', 'demo', '-l', `pod-template-hash=${newest?.metadata.labels['pod-template-hash']}`, '-o', 'json'])) as { items: P[] }).items;
    expect(pods.map((p) => p.status.containerStatuses?.[0]?.ready)).toEqual([true]);
    expect(pods[0]?.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    const table = ok(['get', 'rs', '-n', 'demo', '-l', 'app=reviews,version=v1']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);
    expect(table).toMatch(new RegExp(`^${newest?.metadata.name}\\s+1\\s+1\\s+1\\s+`, 'm'));
    const history = ok(['rollout', 'history', 'deploy/reviews-v1', '-n', 'demo']);
    expect(history).toMatch(/^REVISION\s+CHANGE-CAUSE$/m);
    expect(history).toMatch(/^1\s+<none>$/m);
    expect(history).toMatch(/^2\s+<none>$/m);
    expect(ok(['rollout', 'undo', 'deploy/reviews-v1', '-n', 'demo', '--to-revision=1'])).toBe('deployment.apps/reviews-v1 rolled back\n');
    ok(['rollout', 'status', 'deploy/reviews-v1', '-n', 'demo', '--timeout=90s']);
    expect(templateOf()).toEqual(before);
    // Revision 1's ReplicaSet is the newest again (3), as a cluster numbers it.
    const after = ok(['rollout', 'history', 'deploy/reviews-v1', '-n', 'demo']);
    expect(after).toMatch(/^2\s+<none>$/m);
    expect(after).toMatch(/^3\s+<none>$/m);
    expect(after).not.toMatch(/^1\s/m);
    const write = kubectl(['delete', 'rs', old?.metadata.name ?? '', '-n', 'demo']);
    expect(write.stderr).toContain('Error from server (MethodNotAllowed): replicasets are managed by graymesh');
  }, 240_000);

  it('applies, lists, diffs and deletes Istio objects, seen by graymesh get too', () => {
    const rules = (subset: string): string => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: ${subset}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`;
    expect(ok(['apply', '-n', 'demo', '-f', file('rules.yaml', rules('v1'))])).toContain('virtualservice.networking.istio.io/reviews created');
    expect(ok(['get', 'virtualservices', '-n', 'demo'])).toMatch(/^reviews\s+reviews\s+/m);
    const seen = gm.json<{ items: { metadata: { name: string } }[] }>(['get', 'virtualservices', '-p', 'demo']);
    expect(seen.items.map((v) => v.metadata.name)).toContain('reviews');
    const diff = kubectl(['diff', '-n', 'demo', '-f', file('rules2.yaml', rules('v2'))]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^-\s+subset: v1$/m);
    expect(diff.stdout).toMatch(/^\+\s+subset: v2$/m);
    // diff changed nothing.
    expect(ok(['get', 'vs', 'reviews', '-n', 'demo', '-o', 'jsonpath={.spec.http[0].route[0].destination.subset}'])).toBe('v1');
    const explained = ok(['explain', 'virtualservices.spec.http.route.destination']);
    expect(explained).toMatch(/subset\s+<string>/);
    expect(ok(['delete', 'vs', 'reviews', '-n', 'demo'])).toBe('virtualservice.networking.istio.io "reviews" deleted\n');
    const gone = kubectl(['get', 'vs', 'reviews', '-n', 'demo']);
    expect(gone.stderr).toContain('Error from server (NotFound): virtualservices.networking.istio.io "reviews" not found');
  });

  it('refuses an invalid object with its field path', () => {
    const bad = kubectl(['apply', '-n', 'demo', '-f', '-'], 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: bad}\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews}\n      weight: 50\n    - destination: {host: ratings}\n      weight: 20\n');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The VirtualService "bad" is invalid: spec.http[0].route: weights sum to 70, must be 100');
  });

  it('keeps field managers in server-side apply: a conflict, then forced', () => {
    const cm = (v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: "${v}"}\n`;
    expect(ok(['apply', '--server-side', '--field-manager=team-a', '-n', 'demo', '-f', '-'], cm('a'))).toBe('configmap/settings serverside-applied\n');
    const clash = kubectl(['apply', '--server-side', '--field-manager=team-b', '-n', 'demo', '-f', '-'], cm('b'));
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain('conflict with "team-a": .data.mode');
    ok(['apply', '--server-side', '--field-manager=team-b', '--force-conflicts', '-n', 'demo', '-f', '-'], cm('b'));
    const managers = JSON.parse(ok(['get', 'cm', 'settings', '-n', 'demo', '-o', 'json', '--show-managed-fields'])) as { data: { mode: string }; metadata: { managedFields: { manager: string }[] } };
    expect(managers.data.mode).toBe('b');
    expect(managers.metadata.managedFields.map((m) => m.manager)).toContain('team-b');
  });

  it("holds a viewer to their role, and hides another workspace's namespaces", () => {
    expect(gm.cli(['user', 'create', 'vera', '--password-stdin'], 'vera-password-1').code).toBe(0);
    expect(gm.cli(['member', 'add', 'vera', '-p', 'demo', '--role', 'project-viewer']).code).toBe(0);
    ok(['create', 'namespace', 'hidden']);
    const kc = gm.cli(['kubeconfig', '--user', 'vera', '--password-stdin'], 'vera-password-1');
    expect(kc.code, kc.stderr).toBe(0);
    writeFileSync(viewerKc, kc.stdout);
    expect(kc.stdout).toContain('namespace: demo');
    expect(kc.stdout).not.toContain('hidden');
    const get = kubectl(['get', 'deploy', '-n', 'demo', '--no-headers'], undefined, viewerKc);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.trim().split('\n')).toHaveLength(6);
    const apply = kubectl(['apply', '-n', 'demo', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: by-vera}\ndata: {a: b}\n', viewerKc);
    expect(apply.code).not.toBe(0);
    expect(apply.stderr).toContain('Error from server (Forbidden)');
    const scale = kubectl(['scale', 'deploy/details-v1', '-n', 'demo', '--replicas=1'], undefined, viewerKc);
    expect(scale.stderr).toContain('Error from server (Forbidden)');
    const hidden = kubectl(['get', 'pods', '-n', 'hidden'], undefined, viewerKc);
    expect(hidden.stderr).toContain('namespaces "hidden" not found');
    const audit = gm.cli(['audit', '-o', 'json']);
    expect(audit.stdout).toMatch(/"user": "vera"[\s\S]*"result": "refused"|"result": "refused"[\s\S]*"user": "vera"/);
  });

  it("keeps Secrets to project-admins, and their data out of the audit log", () => {
    expect(ok(['create', 'secret', 'generic', 'creds', '-n', 'demo', '--from-literal=password=kube-s3cret-1'])).toBe('secret/creds created\n');
    ok(['apply', '-n', 'demo', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata: {name: strs}\nstringData: {token: kube-t0ken-2}\n');
    expect(Buffer.from(ok(['get', 'secret', 'strs', '-n', 'demo', '-o', 'jsonpath={.data.token}']), 'base64').toString()).toBe('kube-t0ken-2');
    expect(gm.cli(['user', 'create', 'rex', '--password-stdin'], 'rex-password-1').code).toBe(0);
    expect(gm.cli(['member', 'add', 'rex', '-p', 'demo', '--role', 'project-regular']).code).toBe(0);
    const kc = gm.cli(['kubeconfig', '--user', 'rex', '--password-stdin'], 'rex-password-1');
    const rexKc = file('rex.kubeconfig', kc.stdout);
    const read = kubectl(['get', 'secrets', '-n', 'demo'], undefined, rexKc);
    expect(read.stderr).toContain('Error from server (Forbidden): rex may not read secrets in project demo: that needs project-admin');
    expect(kubectl(['get', 'secret', 'creds', '-n', 'demo'], undefined, rexKc).stderr).toContain('(Forbidden)');
    expect(kubectl(['create', 'secret', 'generic', 'mine', '-n', 'demo', '--from-literal=a=b'], undefined, rexKc).stderr).toContain('rex may not create secrets in project demo');
    // Other kinds stay theirs to change.
    expect(kubectl(['create', 'configmap', 'by-rex', '-n', 'demo', '--from-literal=a=b'], undefined, rexKc).code).toBe(0);
    const audit = gm.cli(['audit', '-o', 'json']).stdout;
    expect(audit).toContain('"path": "/api/v1/namespaces/demo/secrets"');
    for (const secret of ['kube-s3cret-1', 'kube-t0ken-2', Buffer.from('kube-s3cret-1').toString('base64')]) expect(audit).not.toContain(secret);
  });

  it('streams a watch until the change arrives (get -w)', async () => {
    const child = spawn(KUBECTL, ['--kubeconfig', adminKc, 'get', 'configmaps', '-n', 'demo', '-w', '--no-headers'], { env });
    let out = '';
    let created = false;
    const seen = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no watch event; got: ${out}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Created once, when the watch has listed what exists: later chunks must not create it again.
        if (!created && /^settings\s/m.test(out)) {
          created = true;
          ok(['create', 'configmap', 'watched', '-n', 'demo', '--from-literal=a=b']);
        }
        if (/^watched\s/m.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      await seen;
    } finally {
      child.kill();
    }
  }, 60_000);

  it('deletes a deployment in the foreground with its pods and ReplicaSets, ending a followed log', async () => {
    const pod = ok(['get', 'pods', '-n', 'demo', '-l', 'app=details', '-o', 'jsonpath={.items[0].metadata.name}']);
    const child = spawn(KUBECTL, ['--kubeconfig', adminKc, 'logs', '-f', '-n', 'demo', pod], { env });
    let out = '';
    const started = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((out += d.toString()), resolve())));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await Promise.race([started, new Promise((_, reject) => setTimeout(() => reject(new Error(`no log output; got: ${out}`)), 30_000))]);
      expect(ok(['delete', 'deploy', 'details-v1', '-n', 'demo', '--cascade=foreground'])).toBe('deployment.apps "details-v1" deleted\n');
      expect(ok(['get', 'pods', '-n', 'demo', '-l', 'app=details', '--no-headers'])).toBe('');
      expect(ok(['get', 'rs', '-n', 'demo', '-l', 'app=details', '--no-headers'])).toBe('');
      // The followed log ends by itself once its pod is gone.
      expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))])).toBe(0);
    } finally {
      child.kill();
    }
  }, 90_000);
});
