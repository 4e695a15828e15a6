/**
 * The new version's workload: the principal's Deployment with the new version's
 * `version` label, image and replicas, labelled with and owned by the Release. Pure,
 * and shared by both engines. Only what a user writes is carried over (name,
 * namespace, labels, annotations, spec; the template's labels and annotations), so
 * on a cluster the applied configuration claims no server-set field (status, uid,
 * managedFields, the deployment controller's revision, the `creationTimestamp: null`
 * the API server returns in pod templates).
 */
import type { Deployment } from '../../api/objects.js';
import { releaseOwner } from './compile.js';
import { RELEASE_LABEL, type Release } from './types.js';

/** Annotations the deployment controller and kubectl keep on a Deployment for themselves. */
const SERVER_ANNOTATIONS = new Set(['deployment.kubernetes.io/revision', 'kubectl.kubernetes.io/last-applied-configuration']);

function userAnnotations(a: Record<string, string> | undefined): { annotations?: Record<string, string> } {
  const kept = Object.entries(a ?? {}).filter(([k]) => !SERVER_ANNOTATIONS.has(k));
  return kept.length > 0 ? { annotations: Object.fromEntries(kept) } : {};
}

export function newVersionDeployment(principal: Deployment, r: Release): Deployment {
  const spec = r.spec!;
  const v = spec.newVersion.version;
  const relabel = (labels: Record<string, string> | undefined): Record<string, string> => ({ ...labels, version: v });
  const d = structuredClone(principal.spec!);
  const tpl = d.template;
  const container = tpl.spec.containers[0];
  if (container) container.image = spec.newVersion.image;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: `${spec.service}-${v}`,
      namespace: r.metadata.namespace as string,
      labels: { ...relabel(principal.metadata.labels), [RELEASE_LABEL]: r.metadata.name },
      ...userAnnotations(principal.metadata.annotations),
      ...releaseOwner(r),
    },
    spec: {
      ...d,
      replicas: spec.newVersion.replicas ?? principal.spec?.replicas ?? 1,
      selector: { ...d.selector, matchLabels: relabel(d.selector?.matchLabels) },
      template: { ...tpl, metadata: { labels: relabel(tpl.metadata?.labels), ...userAnnotations(tpl.metadata?.annotations) } },
    },
  };
}
