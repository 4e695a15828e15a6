/**
 * The new version's Deployment on a cluster: the principal's, with the new version's labels,
 * image and replicas, owned by the Release. Only what a user would write is carried over, so
 * the apply configuration holds no server-set fields (status, uid, managedFields, the
 * `creationTimestamp: null` the API server returns in pod templates).
 */
import type { Deployment } from '../api/objects.js';
import type { Release, ReleaseSpec } from '../config/release/types.js';
import { cleanMeta } from '../config/export/export.js';

/** Label on a Deployment a release created (the local engine's name for it too). */
export const RELEASE_LABEL = 'graymesh.dev/release';

export function newVersionDeployment(principal: Deployment, r: Release): Deployment {
  const spec = r.spec as ReleaseSpec;
  const v = spec.newVersion.version;
  const relabel = (labels: Record<string, string> | undefined): Record<string, string> => ({ ...labels, version: v });
  const d = structuredClone(principal.spec!);
  const tpl = d.template;
  const tplMeta = tpl.metadata ? cleanMeta({ name: '', ...tpl.metadata }) : { name: '' };
  const container = tpl.spec.containers[0];
  if (container) container.image = spec.newVersion.image;
  const meta = cleanMeta(principal.metadata);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: `${spec.service}-${v}`,
      namespace: r.metadata.namespace as string,
      labels: { ...relabel(meta.labels), [RELEASE_LABEL]: r.metadata.name },
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ...(r.metadata.uid
        ? { ownerReferences: [{ apiVersion: r.apiVersion, kind: 'Release', name: r.metadata.name, uid: r.metadata.uid, controller: true }] }
        : {}),
    },
    spec: {
      ...d,
      replicas: spec.newVersion.replicas ?? principal.spec?.replicas ?? 1,
      selector: { ...d.selector, matchLabels: relabel(d.selector?.matchLabels) },
      template: {
        ...tpl,
        metadata: { labels: relabel(tplMeta.labels), ...(tplMeta.annotations ? { annotations: tplMeta.annotations } : {}) },
      },
    },
  };
}
