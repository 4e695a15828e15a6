/**
 * Deployments on the local engine behave as on a cluster: status conditions and
 * observedGeneration, scale to more processes, a restart that replaces every
 * process one by one with no failed request, and an undo that brings the previous
 * template (its ReplicaSet) back as the newest revision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Pod, ReplicaSet } from '../../src/api/objects.js';
import { isAlive } from '../../src/runtime/process-marker.js';
import { Instance, eventually } from '../helpers/instance.js';
import { Load, productpageVersion } from '../helpers/load.js';

const P = 'demo-project';
const REVISION = 'deployment.kubernetes.io/revision';
const RESTARTED = 'kubectl.kubernetes.io/restartedAt';

describe('Deployments behave as on a cluster (local engine)', () => {
  const gm = new Instance();
  const deployment = (name: string): Deployment => gm.json<Deployment>(['get', 'workload', name, '-p', P]);
  const podsOf = (name: string): Pod[] =>
    gm.json<{ items: Pod[] }>(['get', 'pods', '-p', P]).items.filter((p) => p.metadata.name.startsWith(`${name}-`) && !p.metadata.deletionTimestamp);
  const replicaSetsOf = (name: string): ReplicaSet[] =>
    gm.json<{ items: ReplicaSet[] }>(['get', 'replicasets', '-p', P]).items.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === name));
  const cond = (d: Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);
  /** Done as `kubectl rollout status` decides it, with the Progressing condition saying so. */
  const rolledOut = (name: string): Deployment | undefined => {
    const d = deployment(name);
    const s = d.status ?? {};
    const want = d.spec?.replicas ?? 1;
    const done =
      s.observedGeneration === d.metadata.generation &&
      s.updatedReplicas === want &&
      s.replicas === want &&
      s.availableReplicas === want &&
      cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable' &&
      cond(d, 'Available')?.status === 'True';
    return done ? d : undefined;
  };
  /** Writes the Deployment back with `change` made to it, as a user's apply. */
  const applyChanged = (d: Deployment, change: (spec: NonNullable<Deployment['spec']>) => void): void => {
    const spec = structuredClone(d.spec as NonNullable<Deployment['spec']>);
    change(spec);
    const doc = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: d.metadata.name, namespace: P, labels: d.metadata.labels }, spec };
    const r = gm.cli(['apply', '-f', '-'], JSON.stringify(doc));
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    const r = await gm.up([]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  afterAll(() => gm.cleanup());

  it('brings every Bookinfo Deployment to Available with its generation observed and revision 1', async () => {
    for (const name of ['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1']) {
      const d = await eventually(() => rolledOut(name), 90_000, 250);
      expect(d.status).toMatchObject({ observedGeneration: d.metadata.generation, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 0 });
      expect(cond(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
      expect(d.metadata.annotations?.[REVISION]).toBe('1');
      const sets = replicaSetsOf(name);
      expect(sets).toHaveLength(1);
      expect(sets[0]?.metadata.annotations?.[REVISION]).toBe('1');
      expect(sets[0]?.status).toMatchObject({ replicas: 1, readyReplicas: 1 });
    }
    const table = gm.cli(['get', 'rs', '-p', P]).stdout;
    expect(table).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+REVISION\s+AGE/);
    expect(table).toMatch(new RegExp(`${replicaSetsOf('reviews-v1')[0]?.metadata.name}\\s+1\\s+1\\s+1\\s+1\\s`));
    const [pod] = podsOf('reviews-v1');
    expect(pod?.spec).toMatchObject({ nodeName: 'local' });
    expect(pod?.status).toMatchObject({ phase: 'Running', hostIP: '127.0.0.1', podIP: '127.0.0.1' });
    expect(pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(pod?.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0, started: true });
    expect(pod?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: replicaSetsOf('reviews-v1')[0]?.metadata.name });
    // Applying the same manifest again changes nothing: the revision annotation is the controller's.
    const d = deployment('reviews-v1');
    applyChanged(d, () => undefined);
    expect(deployment('reviews-v1').metadata.generation).toBe(d.metadata.generation);
  }, 120_000);

  it('scales reviews-v1 to two processes, both ready, without a new revision', async () => {
    const before = deployment('reviews-v1');
    applyChanged(before, (spec) => (spec.replicas = 2));
    const d = await eventually(() => rolledOut('reviews-v1'), 60_000, 250);
    expect(d.metadata.generation).toBe((before.metadata.generation ?? 1) + 1);
    expect(d.status?.readyReplicas).toBe(2);
    expect(d.metadata.annotations?.[REVISION]).toBe('1');
    const pods = podsOf('reviews-v1');
    expect(pods).toHaveLength(2);
    const pids = pods.map((p) => p.status?.pid as number);
    expect(new Set(pids).size).toBe(2);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
  }, 90_000);

  it('replaces every process on a restart annotation, one at a time, with no failed request', async () => {
    const before = podsOf('reviews-v1').map((p) => p.metadata.name);
    const load = new Load({ port: gm.gatewayPort, host: `productpage.${P}.localhost`, path: '/productpage', version: productpageVersion });
    load.start(2);
    try {
      applyChanged(deployment('reviews-v1'), (spec) => {
        spec.template.metadata = { ...spec.template.metadata, annotations: { ...spec.template.metadata?.annotations, [RESTARTED]: new Date().toISOString() } };
      });
      // One at a time: never more than replicas + maxSurge (1) pods.
      let most = 0;
      const d = await eventually(() => {
        most = Math.max(most, podsOf('reviews-v1').length);
        const done = rolledOut('reviews-v1');
        return done && done.metadata.annotations?.[REVISION] === '2' ? done : undefined;
      }, 90_000, 200);
      expect(most).toBeLessThanOrEqual(3);
      expect(d.status?.readyReplicas).toBe(2);
      const after = podsOf('reviews-v1').map((p) => p.metadata.name);
      expect(after).toHaveLength(2);
      for (const name of after) expect(before).not.toContain(name);
    } finally {
      await load.stop();
    }
    expect(load.total).toBeGreaterThan(0);
    expect(load.failures).toEqual([]);
    expect(replicaSetsOf('reviews-v1').map((rs) => rs.metadata.annotations?.[REVISION]).sort()).toEqual(['1', '2']);
  }, 120_000);

  it('undoes to the previous template: its ReplicaSet comes back as revision 3', async () => {
    const sets = replicaSetsOf('reviews-v1');
    const first = sets.find((rs) => rs.metadata.annotations?.[REVISION] === '1') as ReplicaSet;
    // What kubectl rollout undo writes: revision 1's template without its pod-template-hash label.
    const template = structuredClone(first.spec?.template as NonNullable<ReplicaSet['spec']>['template']);
    delete template.metadata?.labels?.['pod-template-hash'];
    applyChanged(deployment('reviews-v1'), (spec) => (spec.template = template));
    const d = await eventually(() => {
      const done = rolledOut('reviews-v1');
      return done && done.metadata.annotations?.[REVISION] === '3' ? done : undefined;
    }, 90_000, 200);
    expect(d.spec?.template.metadata?.annotations?.[RESTARTED]).toBeUndefined();
    const back = replicaSetsOf('reviews-v1').find((rs) => rs.metadata.name === first.metadata.name);
    expect(back?.metadata.annotations).toMatchObject({ [REVISION]: '3', 'deployment.kubernetes.io/revision-history': '1' });
    const hash = first.metadata.labels?.['pod-template-hash'];
    const pods = podsOf('reviews-v1');
    expect(pods).toHaveLength(2);
    for (const p of pods) expect(p.metadata.labels?.['pod-template-hash']).toBe(hash);
  }, 120_000);
});
