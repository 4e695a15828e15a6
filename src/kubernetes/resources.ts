/**
 * The REST resources of the kinds graymesh reads and writes on a cluster, and their paths
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris):
 * core kinds under /api/v1, the others under /apis/GROUP/VERSION, namespaced ones below
 * /namespaces/NS.
 */
import { ACCOUNTS_API_VERSION, ACCOUNT_KINDS } from '../api/account-objects.js';
import { invalid } from '../api/errors.js';

export interface ResourceType {
  kind: string;
  /** The apiVersion graymesh writes (Istio's networking.istio.io/v1 needs Istio 1.22 or later). */
  apiVersion: string;
  /** Lowercase plural, the URL segment. */
  plural: string;
  namespaced: boolean;
}

const ISTIO = 'networking.istio.io/v1';

export const RESOURCES: readonly ResourceType[] = [
  { kind: 'CustomResourceDefinition', apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false },
  { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'ServiceAccount', apiVersion: 'v1', plural: 'serviceaccounts', namespaced: true },
  { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  { kind: 'Secret', apiVersion: 'v1', plural: 'secrets', namespaced: true },
  { kind: 'Pod', apiVersion: 'v1', plural: 'pods', namespaced: true },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', plural: 'replicasets', namespaced: true },
  { kind: 'Application', apiVersion: 'app.k8s.io/v1beta1', plural: 'applications', namespaced: true },
  { kind: 'DestinationRule', apiVersion: ISTIO, plural: 'destinationrules', namespaced: true },
  { kind: 'VirtualService', apiVersion: ISTIO, plural: 'virtualservices', namespaced: true },
  { kind: 'Gateway', apiVersion: ISTIO, plural: 'gateways', namespaced: true },
  { kind: 'ServiceEntry', apiVersion: ISTIO, plural: 'serviceentries', namespaced: true },
  { kind: 'Release', apiVersion: 'graymesh.dev/v1alpha1', plural: 'releases', namespaced: true },
  // graymesh's accounts and audit log, kept in the cluster (src/api/account-objects.ts).
  ...ACCOUNT_KINDS.map((k) => ({ kind: k.kind, apiVersion: ACCOUNTS_API_VERSION, plural: k.plural, namespaced: false })),
];

/** The resource of a kind (Istio's older apiVersions are written as v1). */
export function resourceOf(kind: string): ResourceType {
  const rt = RESOURCES.find((r) => r.kind === kind);
  if (!rt) throw invalid(`kind ${kind} is not one graymesh writes to a cluster; use one of ${RESOURCES.map((r) => r.kind).join(', ')}`);
  return rt;
}

/** `/api/v1` or `/apis/GROUP/VERSION`. */
export function groupPrefix(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The collection: `/apis/apps/v1/namespaces/NS/deployments`; all namespaces when ns is undefined. */
export function collectionPath(rt: ResourceType, namespace?: string): string {
  const ns = rt.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPrefix(rt.apiVersion)}${ns}/${rt.plural}`;
}

/** One object, or its subresource (`status`). */
export function objectPath(rt: ResourceType, namespace: string | undefined, name: string, subresource?: string): string {
  if (rt.namespaced && !namespace) throw invalid(`${rt.kind} ${name}: metadata.namespace is required`);
  return `${collectionPath(rt, namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}
