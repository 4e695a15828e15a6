import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GmError } from '../api/errors.js';
import type { Deployment, ReplicaSet } from '../api/objects.js';
import { REVISION_ANNOTATION, RESTARTED_AT_ANNOTATION, rollbackDeployment, restartDeployment, scaleDeployment } from '../engine/deployments.js';
import { SqliteObjectStore } from './object-store.js';
import { Store } from './store.js';

let dir: string;
let store: Store;
let objects: SqliteObjectStore;

const template = (image: string) => ({ metadata: { labels: { app: 'reviews', version: 'v1' } }, spec: { containers: [{ name: 'reviews', image }] } });

function replicaSet(d: Deployment, hash: string, revision: number, image: string): ReplicaSet {
  const t = template(image);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `reviews-v1-${hash}`,
      namespace: 'demo',
      labels: { ...t.metadata.labels, 'pod-template-hash': hash },
      annotations: { [REVISION_ANNOTATION]: String(revision) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews-v1', uid: d.metadata.uid ?? '', controller: true }],
    },
    spec: { replicas: 0, selector: { matchLabels: { 'pod-template-hash': hash } }, template: { ...t, metadata: { labels: { ...t.metadata.labels, 'pod-template-hash': hash } } } },
  };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-deployments-'));
  store = new Store(path.join(dir, 'store.db'));
  objects = new SqliteObjectStore(store);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Deployments port over the local store', () => {
  it('rolls back to the previous revision, or a named one, with the template as it was', async () => {
    const d = store.create<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reviews-v1', namespace: 'demo', annotations: { [REVISION_ANNOTATION]: '3' } }, spec: { replicas: 2, template: template('r:3') } });
    store.create(replicaSet(d, 'aaaaa', 1, 'r:1'));
    store.create(replicaSet(d, 'bbbbb', 2, 'r:2'));
    store.create(replicaSet(d, 'ccccc', 3, 'r:3'));
    const back = await rollbackDeployment(objects, 'demo', 'reviews-v1');
    expect(back.spec?.template).toEqual(template('r:2'));
    expect(back.spec?.replicas).toBe(2);
    expect(back.metadata.generation).toBe(2);
    const named = await rollbackDeployment(objects, 'demo', 'reviews-v1', 1);
    expect(named.spec?.template).toEqual(template('r:1'));
    const err = await rollbackDeployment(objects, 'demo', 'reviews-v1', 9).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GmError);
    expect((err as GmError).message).toContain('revision 9 not found');
  });

  it('scales and restarts by writing the Deployment, and refuses a bad count', async () => {
    store.create<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reviews-v1', namespace: 'demo' }, spec: { replicas: 1, template: template('r:1') } });
    expect((await scaleDeployment(objects, 'demo', 'reviews-v1', 3)).spec?.replicas).toBe(3);
    const restarted = await restartDeployment(objects, 'demo', 'reviews-v1', '2024-01-01T00:00:00Z');
    expect(restarted.spec?.template.metadata?.annotations?.[RESTARTED_AT_ANNOTATION]).toBe('2024-01-01T00:00:00Z');
    expect(restarted.metadata.generation).toBe(3);
    const err = await scaleDeployment(objects, 'demo', 'reviews-v1', -1).catch((e: unknown) => e);
    expect((err as GmError).status).toBe(422);
    expect((await scaleDeployment(objects, 'demo', 'nope', 1).catch((e: unknown) => e)) as GmError).toMatchObject({ status: 404 });
  });

  it('keeps the controller\'s revision annotation when a user writes the Deployment without it', () => {
    const d = store.create<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'demo', annotations: { [REVISION_ANNOTATION]: '4' } }, spec: { replicas: 1, template: template('r:1') } });
    const next = structuredClone(d);
    delete next.metadata.annotations;
    delete next.metadata.resourceVersion;
    expect(store.update(next).metadata.annotations?.[REVISION_ANNOTATION]).toBe('4');
  });
});
