/**
 * The engine against a real cluster with Istio (1.22 or later), when GRAYMESH_TEST_KUBECONFIG
 * names its kubeconfig (GRAYMESH_TEST_CONTEXT picks a context). It creates its own namespace,
 * applies Bookinfo with Istio's images, runs a canary of reviews to v2, takes it over, offlines
 * it, and deletes the namespace. Skipped otherwise: no cluster runs here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/objects.js';
import type { Release } from '../../src/config/release/types.js';
import { KubernetesEngine } from '../../src/kubernetes/engine.js';
import { exportProject } from '../../src/config/export/export.js';
import { loadKubeconfig } from '../../src/kubernetes/kubeconfig.js';
import { liveCanaryProject } from './fixtures.js';

const KUBECONFIG = process.env.GRAYMESH_TEST_KUBECONFIG;
const NS = `graymesh-test-${Date.now().toString(36)}`;

if (!KUBECONFIG) {
  process.stderr.write('test/kubernetes/real-cluster.test.ts: skipped; set GRAYMESH_TEST_KUBECONFIG to a kubeconfig of a cluster with Istio 1.22+ to run it\n');
}

describe.skipIf(!KUBECONFIG)('on a real cluster (GRAYMESH_TEST_KUBECONFIG)', () => {
  let engine: KubernetesEngine;
  const ops = { user: 'graymesh-test', readyTimeoutMs: 300_000 };

  beforeAll(async () => {
    const conn = loadKubeconfig({ file: KUBECONFIG as string, ...(process.env.GRAYMESH_TEST_CONTEXT ? { context: process.env.GRAYMESH_TEST_CONTEXT } : {}) });
    engine = new KubernetesEngine(conn, { log: (m) => process.stderr.write(`${m}\n`), pollMs: 1_000 });
    await engine.installCrds();
  }, 120_000);

  afterAll(async () => {
    await engine?.client.delete('Namespace', undefined, NS).catch(() => undefined);
    await engine?.close();
  }, 60_000);

  it('applies Bookinfo, runs a canary, takes it over and offlines it', async () => {
    const p = liveCanaryProject();
    p.namespace.metadata.name = NS;
    const objects = p.objects
      .filter((o) => !(o.kind === 'Release' || o.metadata.annotations?.['graymesh.dev/release'] || o.metadata.labels?.['graymesh.dev/release']))
      .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: NS } }) as KubeObject);
    const items = exportProject({ namespace: p.namespace, objects }, { crds: false }).items;
    await engine.applyObjects(items);
    const r: Release = {
      apiVersion: 'graymesh.dev/v1alpha1',
      kind: 'Release',
      metadata: { name: 'canary', namespace: NS },
      spec: { type: 'canary', service: 'reviews', principal: 'v1', newVersion: { version: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' }, routes: { weights: { v1: 50, v2: 50 } } },
    };
    // The principal must be ready before a release can pin to it.
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const d = await engine.client.get('Deployment', NS, 'reviews-v1');
      if ((d?.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1) break;
      await new Promise((res) => setTimeout(res, 2_000));
    }
    const created = await engine.releases.create(r, ops);
    expect(created.status?.phase).toBe('Running');
    const vs = await engine.client.get('VirtualService', NS, 'reviews');
    expect(vs?.metadata.ownerReferences?.[0]?.uid).toBe(created.metadata.uid);
    await engine.releases.takeover(NS, 'canary', 'v2', ops);
    expect(await engine.releases.offline(NS, 'canary', ops)).toEqual({ survivor: 'v2', removed: 'v1' });
    expect(await engine.client.get('Release', NS, 'canary')).toBeUndefined();
    expect(await engine.client.get('VirtualService', NS, 'reviews')).toBeDefined();
  }, 900_000);
});
