/**
 * How the cluster engine reads a version's workload: a Deployment the release
 * controller server-side applies (src/config/release/new-version.ts, owned by the
 * Release), ready as Kubernetes' deployment controller reports it.
 */
import type { Deployment } from '../api/objects.js';
import type { Workloads } from '../engine/workloads.js';

/** Ready as Kubernetes reports it: the controller saw this generation and enough replicas are ready and updated. */
export function deploymentReady(d: Deployment | undefined): boolean {
  if (!d) return false;
  const want = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  return want > 0 && (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) && (st.readyReplicas ?? 0) >= want && (st.updatedReplicas ?? want) >= want;
}

export const clusterWorkloads: Workloads = {
  ready: deploymentReady,
  // A pod's default terminationGracePeriodSeconds is 30 s; kubelet may take longer to report it gone.
  drainMs: 120_000,
};
