/**
 * The resources the Kubernetes API serves, one row each: its group, versions, names as
 * discovery lists them, and how it is kept. `graymesh` resources are the kinds graymesh
 * validates (src/api/kinds.ts), written through the engine's validation, tenancy check and
 * writes as `graymesh apply` writes them; `plain` ones (ConfigMap) are kept in the object
 * store as they are; `readonly` ones are the engine's (Pods, Events, and ReplicaSets, a
 * Deployment's revisions): get, list and watch only, any write a 405 MethodNotAllowed, as a
 * cluster answers a verb a resource does not serve.
 */
export type Storage = 'graymesh' | 'plain' | 'readonly';

export interface Resource {
  group: string;
  /** Served versions, the preferred (stored) one first. */
  versions: string[];
  /** The URL segment: `deployments`. */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  storage: Storage;
  /** Subresources served: `status`, `scale`, `log`. */
  subresources: string[];
  categories?: string[];
}

const ISTIO_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'];
const istio = (kind: string, plural: string, short: string): Resource => ({
  group: 'networking.istio.io',
  versions: ISTIO_VERSIONS,
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced: true,
  shortNames: [short],
  storage: 'graymesh',
  subresources: ['status'],
  categories: ['istio-io', 'networking-istio-io'],
});

export const RESOURCES: Resource[] = [
  { group: '', versions: ['v1'], plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], storage: 'graymesh', subresources: ['status'] },
  { group: '', versions: ['v1'], plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], storage: 'readonly', subresources: ['status', 'log'], categories: ['all'] },
  { group: '', versions: ['v1'], plural: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], storage: 'graymesh', subresources: ['status'], categories: ['all'] },
  { group: '', versions: ['v1'], plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], storage: 'graymesh', subresources: [] },
  { group: '', versions: ['v1'], plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, shortNames: [], storage: 'graymesh', subresources: [] },
  { group: '', versions: ['v1'], plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], storage: 'plain', subresources: [] },
  { group: '', versions: ['v1'], plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], storage: 'readonly', subresources: [] },
  { group: 'apps', versions: ['v1'], plural: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], storage: 'readonly', subresources: ['status'], categories: ['all'] },
  { group: 'apps', versions: ['v1'], plural: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], storage: 'graymesh', subresources: ['status', 'scale'], categories: ['all'] },
  istio('VirtualService', 'virtualservices', 'vs'),
  istio('DestinationRule', 'destinationrules', 'dr'),
  istio('Gateway', 'gateways', 'gw'),
  istio('ServiceEntry', 'serviceentries', 'se'),
  { group: 'app.k8s.io', versions: ['v1beta1'], plural: 'applications', singular: 'application', kind: 'Application', namespaced: true, shortNames: ['app'], storage: 'graymesh', subresources: ['status'] },
  { group: 'graymesh.dev', versions: ['v1alpha1'], plural: 'releases', singular: 'release', kind: 'Release', namespaced: true, shortNames: ['rel'], storage: 'graymesh', subresources: ['status'] },
];

/** The groups in discovery order; the core group is served under /api. */
export function groups(): { name: string; versions: string[] }[] {
  const out = new Map<string, string[]>();
  for (const r of RESOURCES) if (r.group !== '' && !out.has(r.group)) out.set(r.group, r.versions);
  return [...out].map(([name, versions]) => ({ name, versions }));
}

export function resourcesOf(group: string, version: string): Resource[] {
  return RESOURCES.filter((r) => r.group === group && r.versions.includes(version));
}

export function findResource(group: string, version: string, plural: string): Resource | undefined {
  return resourcesOf(group, version).find((r) => r.plural === plural);
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Whether kubectl must write this kind with JSON merge patch (a custom resource to it) rather than strategic merge. */
export function isCustom(r: Resource): boolean {
  return !['', 'apps'].includes(r.group);
}

/** The verbs discovery lists for a resource. */
export function verbsOf(r: Resource): string[] {
  if (r.storage === 'readonly') return ['get', 'list', 'watch'];
  return ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
}
