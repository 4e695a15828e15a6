/** Shared fixtures: Bookinfo with a live canary of reviews, as the local store holds it. */
import type { Deployment, KubeObject } from '../../src/api/objects.js';
import { compileDestinationRule, compileVirtualService } from '../../src/config/release/compile.js';
import type { Release } from '../../src/config/release/types.js';
import { bookinfoDeployment, bookinfoManifests } from '../../src/config/samples/bookinfo.js';

export const NS = 'demo-project';
let rv = 100;

/** What the store adds to every object it writes. */
export function stored<T extends KubeObject>(o: T): T {
  const out = structuredClone(o);
  out.metadata = { ...out.metadata, uid: `uid-${out.metadata.name}-${rv}`, resourceVersion: String(rv++), generation: 2, creationTimestamp: '2025-01-01T00:00:00Z' };
  return out;
}

/** A canary Release of reviews, v1 → v2 at 50/50. */
export function canaryRelease(ns = NS): Release {
  return {
    apiVersion: 'graymesh.dev/v1alpha1',
    kind: 'Release',
    metadata: { name: 'canary', namespace: ns },
    spec: {
      type: 'canary',
      service: 'reviews',
      principal: 'v1',
      newVersion: { version: 'v2', image: 'kubesphere/examples-bookinfo-reviews-v2:1.13.0', replicas: 1 },
      routes: { weights: { v1: 50, v2: 50 } },
    },
  };
}

/** The store of `graymesh deploy bookinfo -p demo-project` + `graymesh release create canary ... --weights v1=50,v2=50`. */
export function liveCanaryProject(): { namespace: KubeObject; objects: KubeObject[] } {
  const namespace = stored({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, annotations: { 'graymesh.dev/governance': 'true' } } });
  const objects = bookinfoManifests(NS).map(stored);
  const release = stored(canaryRelease()) as Release;
  release.status = { phase: 'Running', versions: [], history: [{ time: 'x', user: 'admin', operation: 'create' }], stage: 'rules' };
  const vs = stored(compileVirtualService(release, 'rules'));
  vs.metadata.annotations = { ...vs.metadata.annotations, 'graymesh.dev/stage': 'rules' };
  const v2 = stored(bookinfoDeployment(NS, 'reviews', 'v2', 'kubesphere/examples-bookinfo-reviews-v2:1.13.0')) as Deployment;
  v2.metadata.labels = { ...v2.metadata.labels, 'graymesh.dev/release': 'canary' };
  v2.status = { replicas: 1, readyReplicas: 1, observedGeneration: 2 };
  const pod = stored({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'reviews-v2-abc-1',
      namespace: NS,
      labels: { app: 'reviews', 'graymesh.dev/workload': 'reviews-v2', 'pod-template-hash': 'abc' },
      annotations: { 'graymesh.dev/terminating': 'false' },
    },
    spec: {},
  });
  objects.push(release, vs, stored(compileDestinationRule(release)), v2, pod);
  return { namespace, objects };
}
