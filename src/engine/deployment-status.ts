/**
 * A Deployment's status as Kubernetes' deployment controller writes it
 * (pkg/controller/deployment/sync.go, util/deployment_util.go), computed from
 * the pods an engine runs: replica counts, `observedGeneration`, and the
 * `Available` and `Progressing` conditions, whose times move only when the
 * condition changes or the rollout makes progress, so an unchanged world writes
 * an unchanged status. Also the rolling update's budget (maxSurge,
 * maxUnavailable) both the status and the local rollout read. Pure.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus } from '../api/objects.js';

/** One pod of a Deployment as the status counts it. */
export interface PodView {
  /** Its pod-template-hash: the ReplicaSet (template) it belongs to. */
  hash: string;
  /** Its readiness check passes. */
  ready: boolean;
  /** It is being stopped (withdrawn, draining): no longer counted. */
  terminating: boolean;
}

export interface StatusInput {
  deployment: Deployment;
  /** The hash of the Deployment's current template, and the name of its ReplicaSet. */
  hash: string;
  replicaSet: string;
  pods: PodView[];
  /** RFC 3339, the time a changed condition is stamped with. */
  now: string;
}

/** Kubernetes' default progressDeadlineSeconds. */
export const DEFAULT_PROGRESS_DEADLINE_S = 600;

/** An int-or-percent of `total`, as intstr.GetScaledValueFromIntOrPercent. */
function scaled(v: unknown, total: number, roundUp: boolean, fallback: string): number {
  const x = v ?? fallback;
  if (typeof x === 'number') return Math.max(0, Math.floor(x));
  const m = /^(\d+)%$/.exec(String(x));
  if (!m) return Math.max(0, Number.parseInt(String(x), 10) || 0);
  const f = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

/**
 * How far a rollout may go above and below the desired count (deploymentutil.ResolveFenceposts):
 * RollingUpdate's maxSurge (default 25%, rounded up) and maxUnavailable (default 25%, rounded
 * down; 1 when both are 0); Recreate stops every old pod before a new one starts.
 */
export function rolloutBudget(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec?.replicas ?? 1;
  const strategy = d.spec?.strategy as { type?: string; rollingUpdate?: { maxSurge?: unknown; maxUnavailable?: unknown } } | undefined;
  if (strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: replicas };
  const maxSurge = scaled(strategy?.rollingUpdate?.maxSurge, replicas, true, '25%');
  const maxUnavailable = scaled(strategy?.rollingUpdate?.maxUnavailable, replicas, false, '25%');
  return { maxSurge, maxUnavailable: maxSurge === 0 && maxUnavailable === 0 ? 1 : maxUnavailable };
}

function condition(prior: DeploymentCondition | undefined, next: Omit<DeploymentCondition, 'lastUpdateTime' | 'lastTransitionTime'>, now: string, progressed: boolean): DeploymentCondition {
  const same = prior?.status === next.status && prior.reason === next.reason && prior.message === next.message;
  const transition = prior?.status === next.status ? (prior.lastTransitionTime ?? now) : now;
  const update = same && !progressed ? (prior.lastUpdateTime ?? now) : now;
  return { ...next, lastUpdateTime: update, lastTransitionTime: transition };
}

/** The counts of a status, to tell progress (a count moved) from an unchanged world. */
const counts = (s: DeploymentStatus | undefined): string =>
  JSON.stringify([s?.observedGeneration, s?.replicas, s?.updatedReplicas, s?.readyReplicas, s?.availableReplicas]);

/** The Deployment's status for these pods; equal to the prior one when nothing changed. */
export function deploymentStatus(input: StatusInput): DeploymentStatus {
  const { deployment: d, hash, pods, now } = input;
  const prior = d.status;
  const desired = d.spec?.replicas ?? 1;
  const live = pods.filter((p) => !p.terminating);
  const updated = live.filter((p) => p.hash === hash);
  const ready = live.filter((p) => p.ready).length;
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: live.length,
    updatedReplicas: updated.length,
    readyReplicas: ready,
    availableReplicas: ready,
    unavailableReplicas: Math.max(0, desired - ready),
  };
  const progressed = counts(prior) !== counts(status);
  const before = (type: string): DeploymentCondition | undefined => prior?.conditions?.find((c) => c.type === type);

  const { maxUnavailable } = rolloutBudget(d);
  const available = ready >= desired - maxUnavailable;
  const availableCond = condition(
    before('Available'),
    available
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
    now,
    false,
  );

  const complete = updated.length === desired && live.length === desired && ready >= desired;
  const priorProgress = before('Progressing');
  const deadlineS = typeof d.spec?.progressDeadlineSeconds === 'number' ? d.spec.progressDeadlineSeconds : DEFAULT_PROGRESS_DEADLINE_S;
  const stalledSince = priorProgress?.reason === 'ReplicaSetUpdated' && !progressed ? Date.parse(priorProgress.lastUpdateTime ?? now) : Number.NaN;
  const stalled = !complete && (priorProgress?.reason === 'ProgressDeadlineExceeded' ? !progressed : Date.parse(now) - stalledSince > deadlineS * 1000);
  const rs = input.replicaSet;
  const progressCond = condition(
    priorProgress,
    complete
      ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs}" has successfully progressed.` }
      : stalled
        ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs}" has timed out progressing.` }
        : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.` },
    now,
    progressed && !complete,
  );
  status.conditions = [availableCond, progressCond];
  return status;
}

/** The rollout is done, as `kubectl rollout status` decides it: observed, updated, old pods gone, available. */
export function rolloutComplete(d: Deployment): boolean {
  const s = d.status;
  const desired = d.spec?.replicas ?? 1;
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    (s?.updatedReplicas ?? 0) >= desired &&
    (s?.replicas ?? 0) <= (s?.updatedReplicas ?? 0) &&
    (s?.availableReplicas ?? 0) >= (s?.updatedReplicas ?? 0)
  );
}
