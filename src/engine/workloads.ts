/**
 * The Workloads port, and how the release controller finds a version's workload.
 * A version's workload is the Deployment whose pod template carries `app` and
 * `version` (what a DestinationRule subset selects; manifests such as Istio's
 * httpbin.yaml label only the template). Both engines write it the same way,
 * through the store; they differ in how its status says it is ready: the local
 * workload controller counts the pods the supervisor probes, Kubernetes' deployment
 * controller reports the generation it observed and its updated replicas too.
 */
import type { Deployment } from '../api/objects.js';
import type { ObjectStore } from './store.js';

export interface Workloads {
  /** Every replica of the workload serves (and it has at least one), as this engine reports it. */
  ready(d: Deployment | undefined): boolean;
  /** How long the pods of a removed workload may take to stop (each finishes its requests first). */
  drainMs: number;
}

/** The labels a Deployment's pods carry (its own labels when the template has none). */
export function podLabels(d: Deployment): Record<string, string> {
  return d.spec?.template?.metadata?.labels ?? d.metadata.labels ?? {};
}

/** The workloads of one service, by version. */
export async function workloadsOf(store: ObjectStore, namespace: string, service: string): Promise<Map<string, Deployment>> {
  const out = new Map<string, Deployment>();
  for (const d of await store.list<Deployment>('Deployment', { namespace })) {
    const labels = podLabels(d);
    if (labels.app === service && labels.version) out.set(labels.version, d);
  }
  return out;
}

/** The workload of one version of a service. */
export async function workloadOf(store: ObjectStore, namespace: string, service: string, version: string): Promise<Deployment | undefined> {
  return (await workloadsOf(store, namespace, service)).get(version);
}
