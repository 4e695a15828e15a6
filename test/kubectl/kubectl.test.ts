/**
 * The real kubectl against a real graymesh instance's Kubernetes API (`up --kube-port`, the
 * kubeconfig `graymesh kubeconfig` prints): a namespace created, Istio's own Bookinfo manifest
 * applied and waited for, pods and deployments listed as a cluster prints them, traffic rules
 * applied, listed, diffed and deleted, explain, scale, logs, server-side apply conflicts, a
 * viewer's refusals, and the same objects seen by `graymesh get`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instance, ROOT, freePort } from '../helpers/instance.js';

const KUBECTL = '/usr/bin/kubectl';
const BOOKINFO = path.join(ROOT, 'src/config/validate/testdata/bookinfo.yaml');
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
    for (const r of ['deployments', 'pods', 'services', 'namespaces', 'virtualservices', 'destinationrules', 'gateways', 'serviceentries', 'applications', 'releases', 'secrets', 'configmaps']) {
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

  it('reads a pod log and scales a deployment', () => {
    const pod = ok(['get', 'pods', '-n', 'demo', '-l', 'app=ratings', '-o', 'jsonpath={.items[0].metadata.name}']);
    expect(kubectl(['logs', '-n', 'demo', pod]).code).toBe(0);
    expect(ok(['scale', 'deploy/details-v1', '-n', 'demo', '--replicas=2'])).toBe('deployment.apps/details-v1 scaled\n');
    expect(ok(['get', 'deploy', 'details-v1', '-n', 'demo', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
  });

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
    expect(seen.items.map((v) => v.metadata.name)).toEqual(['reviews']);
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
});
