/**
 * One reconcile pass of a release, make-before-break on the mesh's settle:
 *   subsets enforced → route (pinned to the principal, or the release's rules) enforced
 *   → the new version's workload created → its status recorded.
 * The rules apply once the new workload is ready (WaitForWorkloadReady), at once
 * (Immediately), or not while Paused; once applied they stay while a ready workload
 * restarts (no flapping back to the principal). A pending offline or delete a
 * previous controller began is finished instead.
 */
import { compileDestinationRule, compileVirtualService, type Stage } from '../../config/release/compile.js';
import { newVersionDeployment } from '../../config/release/new-version.js';
import { RELEASE_ANNOTATION, STAGE_ANNOTATION, type PendingOperation, type Release, type ReleaseStatus } from '../../config/release/types.js';
import type { Settled } from '../mesh.js';
import { workloadOf } from '../workloads.js';
import { finishDelete } from './abandon.js';
import type { ReleaseHost } from './host.js';
import { finishOffline } from './offline.js';
import { finishRollback, rolledBack } from './analysis/rollback.js';
import { AUTOMATIC_PHASES } from './analysis/state.js';
import { recordStatus, resultOf, writeResult } from './status.js';
import { step } from './steps.js';

export function finishPending(host: ReleaseHost, r: Release, p: PendingOperation): Promise<void> {
  return p.operation === 'offline' ? finishOffline(host, r, p) : finishDelete(host, r, p);
}

/** Which rules the route enforces now. */
async function stageOf(host: ReleaseHost, r: Release, workloadReady: boolean, hasWorkload: boolean): Promise<Stage> {
  const spec = r.spec!;
  const policy = spec.policy ?? 'WaitForWorkloadReady';
  if (policy === 'Paused') return 'pin';
  if (policy === 'Immediately') return 'rules';
  const current = await host.store.get('VirtualService', r.metadata.namespace, spec.service);
  const rulesApplied = current?.metadata.annotations?.[RELEASE_ANNOTATION] === r.metadata.name && current.metadata.annotations?.[STAGE_ANNOTATION] === 'rules';
  return workloadReady || (rulesApplied && hasWorkload) ? 'rules' : 'pin';
}

/** One pass; returns the release as it stands after it (undefined once it is gone). */
export async function reconcile(host: ReleaseHost, ns: string, name: string): Promise<Release | undefined> {
  const { store } = host;
  const r = await store.get<Release>('Release', ns, name);
  if (!r || (r.metadata as { deletionTimestamp?: string }).deletionTimestamp) return r;
  const pending = (r.status as ReleaseStatus | undefined)?.pending;
  if (pending) {
    await finishPending(host, r, pending);
    return undefined;
  }
  // An automatic release rolled back stays pinned to its principal, without the new workload.
  if (rolledBack(r)) return finishRollback(host, r);
  const spec = r.spec!;
  const at = `release ${ns}/${name}`;
  // Subsets first, enforced by every proxy, so every route that names one finds it defined.
  const subsets = await step(host, `${at}: subsets`, compileDestinationRule(r));
  let workload = await workloadOf(store, ns, spec.service, spec.newVersion.version);
  const stage = await stageOf(host, r, host.workloads.ready(workload), workload !== undefined);
  const route = await step(host, `${at}: route (${stage})`, compileVirtualService(r, stage));
  if (!workload) {
    const principal = await workloadOf(store, ns, spec.service, spec.principal);
    if (!principal) return recordStatus(host, r, { phase: 'Failed', message: `principal workload of ${spec.service} ${spec.principal} is gone` });
    workload = (await store.apply(newVersionDeployment(principal, r))).object;
    host.log(`${at}: created workload ${workload.metadata.name}`);
  }
  return record(host, r, stage, workload.metadata.name, route ?? subsets);
}

/** Records where the release stands, and the result of an operation whose caller went away. */
async function record(host: ReleaseHost, r: Release, stage: Stage, workload: string, settled: Settled | undefined): Promise<Release | undefined> {
  const policy = r.spec!.policy ?? 'WaitForWorkloadReady';
  let phase = 'Running';
  let message: string | undefined;
  if (policy === 'Paused') {
    phase = 'Paused';
    message = 'rules held: the principal serves all traffic; set the policy to apply them';
  } else if (stage === 'pin') {
    phase = 'Pending';
    message = `waiting for workload ${workload} to be ready`;
  } else if (r.spec!.analysis) {
    // An automatic release's phase and message are its analysis'.
    const prior = r.status?.phase ?? '';
    phase = AUTOMATIC_PHASES.has(prior) ? prior : 'Progressing';
    message = AUTOMATIC_PHASES.has(prior) ? r.status?.message : `workload ${workload} ready; the analysis begins`;
  }
  const after = await recordStatus(host, r, {
    phase,
    message,
    observedGeneration: r.metadata.generation ?? 1,
    stage,
    ...(settled?.version !== undefined ? { configVersion: settled.version } : {}),
  });
  const last = (after?.status as ReleaseStatus | undefined)?.history?.at(-1);
  // An operation whose caller went away (a control plane killed mid-way) gets its result here.
  if (after && last && last.result === undefined && phase !== 'Pending') return writeResult(host, after, last, resultOf(after));
  return after;
}
