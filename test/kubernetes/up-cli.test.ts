/**
 * `graymesh up --engine kubernetes` end to end through the built CLI, with the fake API server
 * as the cluster (named in a kubeconfig, as kubectl would find it): the CRDs are installed, the
 * CLI's apply, get, release and export commands work unchanged against the cluster store, and
 * every call keeps the API server contract.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/objects.js';
import { exportProject } from '../../src/config/export/export.js';
import { toYamlStream } from '../../src/cli/commands/export.js';
import { freePort, Instance } from '../helpers/instance.js';
import { FakeApiServer } from './fake-apiserver.js';
import { liveCanaryProject, NS } from './fixtures.js';

describe('graymesh up --engine kubernetes', () => {
  const gm = new Instance();
  let fake: FakeApiServer;
  /** The CLI without blocking this process, which serves the fake cluster. */
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await gm.cliAsync([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`graymesh ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    fake = await new FakeApiServer().start();
    const kubeconfig = path.join(gm.home, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: fake, cluster: {server: "' + fake.url + '"}}]',
        'users: [{name: tester, user: {token: fake-token}}]',
        'contexts: [{name: fake-ctx, context: {cluster: fake, user: tester, namespace: ' + NS + '}}]',
        'current-context: fake-ctx',
      ].join('\n'),
    );
    gm.port = await freePort();
    const r = await gm.cliAsync(['up', '--engine', 'kubernetes', '--detach', '--kubeconfig', kubeconfig, '--port', String(gm.port), '--settle-time', '50']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/running on Kubernetes/);
  }, 60_000);

  afterAll(async () => {
    gm.cleanup();
    await fake.stop();
  });

  it('installs the CRDs and applies Bookinfo to the cluster with the CLI', async () => {
    expect(fake.get('CustomResourceDefinition', undefined, 'releases.graymesh.dev')).toBeDefined();
    const p = liveCanaryProject();
    p.objects = p.objects.filter((o) => !(o.kind === 'Release' || o.metadata.annotations?.['graymesh.dev/release'] || o.metadata.labels?.['graymesh.dev/release']));
    const file = path.join(gm.home, 'bookinfo.yaml');
    writeFileSync(file, toYamlStream(exportProject(p, { crds: false }).items));
    const r = await gm.cliAsync(['apply', '-f', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('deployment/reviews-v1 (demo-project) created');
    const deps = await json<{ items: KubeObject[] }>(['get', 'workloads', '-p', NS]);
    expect(deps.items.map((d) => d.metadata.name)).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1']);
  });

  it('runs a canary, takes it over and offlines it on the cluster', async () => {
    const c = await gm.cliAsync([
      'release', 'create', 'canary', 'canary', '-p', NS, '--service', 'reviews', '--version', 'v2',
      '--image', 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3', '--weights', 'v1=50,v2=50', '-o', 'json',
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect((JSON.parse(c.stdout) as { status: { phase: string } }).status.phase).toBe('Running');
    const vs = await json<KubeObject>(['get', 'vs', 'reviews', '-p', NS]);
    expect(JSON.stringify(vs.spec)).toContain('"weight":50');
    expect(vs.metadata.ownerReferences?.[0]?.kind).toBe('Release');

    const t = await gm.cliAsync(['release', 'takeover', 'canary', 'v2', '-p', NS]);
    expect(t.code, t.stderr).toBe(0);
    const o = await gm.cliAsync(['release', 'offline', 'canary', '-p', NS]);
    expect(o.code, o.stderr).toBe(0);
    expect(fake.get('Release', NS, 'canary')).toBeUndefined();
    expect(fake.get('Deployment', NS, 'reviews-v1')).toBeUndefined();
    expect(fake.get('Deployment', NS, 'reviews-v2')).toBeDefined();
  });

  it('exports the cluster namespace as manifests', async () => {
    const list = await json<{ items: KubeObject[] }>(['export', '-p', NS]);
    expect(list.items.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v2']);
    expect(list.items.filter((o) => o.metadata.resourceVersion !== undefined || o.metadata.uid !== undefined || o.status !== undefined)).toEqual([]);
    expect(fake.violations).toEqual([]);
  });
});
