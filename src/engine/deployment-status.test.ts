import { describe, expect, it } from 'vitest';
import type { Deployment } from '../api/objects.js';
import { deploymentStatus, rolloutBudget, rolloutComplete, type PodView } from './deployment-status.js';

const T0 = '2024-01-01T00:00:00.000Z';
const T1 = '2024-01-01T00:01:00.000Z';

function dep(replicas: number, extra: Partial<NonNullable<Deployment['spec']>> = {}, generation = 1): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'reviews-v1', namespace: 'demo', generation },
    spec: { replicas, template: { spec: { containers: [{ name: 'reviews' }] } }, ...extra },
  };
}

const pod = (hash: string, ready: boolean, terminating = false): PodView => ({ hash, ready, terminating });
const cond = (s: ReturnType<typeof deploymentStatus>, type: string) => s.conditions?.find((c) => c.type === type);

describe('deploymentStatus', () => {
  it('counts the pods of the current template, ready ones and the unavailable rest', () => {
    const s = deploymentStatus({ deployment: dep(3, {}, 4), hash: 'new', replicaSet: 'reviews-v1-new', pods: [pod('new', true), pod('new', false), pod('old', true), pod('old', true, true)], now: T0 });
    expect(s).toMatchObject({ observedGeneration: 4, replicas: 3, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1 });
  });

  it('is Available and done (NewReplicaSetAvailable) when every replica of the new template is ready', () => {
    const s = deploymentStatus({ deployment: dep(2), hash: 'h', replicaSet: 'reviews-v1-h', pods: [pod('h', true), pod('h', true)], now: T0 });
    expect(cond(s, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(cond(s, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "reviews-v1-h" has successfully progressed.' });
    expect(rolloutComplete({ ...dep(2), status: s })).toBe(true);
  });

  it('is progressing (ReplicaSetUpdated) while old pods still run, and unavailable below the minimum', () => {
    const rolling = deploymentStatus({ deployment: dep(1), hash: 'h2', replicaSet: 'reviews-v1-h2', pods: [pod('h1', true), pod('h2', false)], now: T0 });
    expect(cond(rolling, 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated' });
    expect(cond(rolling, 'Available')?.status).toBe('True');
    expect(rolloutComplete({ ...dep(1), status: rolling })).toBe(false);
    const none = deploymentStatus({ deployment: dep(1), hash: 'h', replicaSet: 'reviews-v1-h', pods: [pod('h', false)], now: T0 });
    expect(cond(none, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });

  it('gives the same status again for the same pods later (no churn), and moves times only on a change', () => {
    const input = { deployment: dep(1), hash: 'h', replicaSet: 'reviews-v1-h', pods: [pod('h', true)], now: T0 };
    const first = deploymentStatus(input);
    const again = deploymentStatus({ ...input, deployment: { ...dep(1), status: first }, now: T1 });
    expect(again).toEqual(first);
    const dropped = deploymentStatus({ ...input, deployment: { ...dep(1), status: first }, pods: [pod('h', false)], now: T1 });
    expect(cond(dropped, 'Available')?.lastTransitionTime).toBe(T1);
    expect(cond(dropped, 'Progressing')?.lastTransitionTime).toBe(T0);
  });

  it('reports ProgressDeadlineExceeded once a rollout made no progress for progressDeadlineSeconds', () => {
    const d = dep(1, { progressDeadlineSeconds: 30 });
    const input = { deployment: d, hash: 'h2', replicaSet: 'reviews-v1-h2', pods: [pod('h1', true), pod('h2', false)], now: T0 };
    const first = deploymentStatus(input);
    const late = deploymentStatus({ ...input, deployment: { ...d, status: first }, now: T1 });
    expect(cond(late, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    const moved = deploymentStatus({ ...input, deployment: { ...d, status: late }, pods: [pod('h1', true), pod('h2', true)], now: T1 });
    expect(cond(moved, 'Progressing')?.status).toBe('True');
  });

  it('does not call a stale observation complete', () => {
    const s = deploymentStatus({ deployment: dep(1, {}, 2), hash: 'h', replicaSet: 'reviews-v1-h', pods: [pod('h', true)], now: T0 });
    expect(rolloutComplete({ ...dep(1, {}, 3), status: s })).toBe(false);
  });
});

describe('rolloutBudget', () => {
  it('defaults to 25% surge rounded up and 25% unavailable rounded down', () => {
    expect(rolloutBudget(dep(1))).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(rolloutBudget(dep(4))).toEqual({ maxSurge: 1, maxUnavailable: 1 });
    expect(rolloutBudget(dep(10))).toEqual({ maxSurge: 3, maxUnavailable: 2 });
  });

  it('reads RollingUpdate numbers and percentages, and Recreate', () => {
    expect(rolloutBudget(dep(4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: '50%' } } }))).toEqual({ maxSurge: 2, maxUnavailable: 2 });
    expect(rolloutBudget(dep(3, { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }))).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(rolloutBudget(dep(3, { strategy: { type: 'Recreate' } }))).toEqual({ maxSurge: 0, maxUnavailable: 3 });
  });
});
