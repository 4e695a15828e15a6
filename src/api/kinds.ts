/**
 * The kinds graymesh stores: how each is named in manifests, URLs and the CLI.
 * Istio kinds are accepted in v1, v1beta1 and v1alpha3 and stored as v1.
 */

export interface KindInfo {
  kind: string;
  /** The apiVersion objects are stored and printed in. */
  apiVersion: string;
  /** apiVersions accepted on input. */
  accepts: string[];
  /** URL segment and CLI name. */
  plural: string;
  /** Other CLI names (singular, short names, graymesh's own words). */
  aliases: string[];
  namespaced: boolean;
  /** Users may create and change it (Pods are the engine's). */
  writable: boolean;
}

const ISTIO = ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'];

export const KINDS: KindInfo[] = [
  { kind: 'Namespace', apiVersion: 'v1', accepts: ['v1'], plural: 'namespaces', aliases: ['namespace', 'ns', 'projects', 'project'], namespaced: false, writable: true },
  { kind: 'Deployment', apiVersion: 'apps/v1', accepts: ['apps/v1'], plural: 'deployments', aliases: ['deployment', 'deploy', 'workloads', 'workload'], namespaced: true, writable: true },
  { kind: 'Service', apiVersion: 'v1', accepts: ['v1'], plural: 'services', aliases: ['service', 'svc'], namespaced: true, writable: true },
  { kind: 'Secret', apiVersion: 'v1', accepts: ['v1'], plural: 'secrets', aliases: ['secret'], namespaced: true, writable: true },
  { kind: 'ServiceAccount', apiVersion: 'v1', accepts: ['v1'], plural: 'serviceaccounts', aliases: ['serviceaccount', 'sa'], namespaced: true, writable: true },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', accepts: ['apps/v1'], plural: 'replicasets', aliases: ['replicaset', 'rs'], namespaced: true, writable: false },
  { kind: 'Pod', apiVersion: 'v1', accepts: ['v1'], plural: 'pods', aliases: ['pod', 'po'], namespaced: true, writable: false },
  { kind: 'Application', apiVersion: 'app.k8s.io/v1beta1', accepts: ['app.k8s.io/v1beta1'], plural: 'applications', aliases: ['application', 'apps', 'app'], namespaced: true, writable: true },
  { kind: 'VirtualService', apiVersion: ISTIO[0] as string, accepts: ISTIO, plural: 'virtualservices', aliases: ['virtualservice', 'vs'], namespaced: true, writable: true },
  { kind: 'DestinationRule', apiVersion: ISTIO[0] as string, accepts: ISTIO, plural: 'destinationrules', aliases: ['destinationrule', 'dr'], namespaced: true, writable: true },
  { kind: 'Gateway', apiVersion: ISTIO[0] as string, accepts: ISTIO, plural: 'gateways', aliases: ['gateway', 'gw'], namespaced: true, writable: true },
  { kind: 'Release', apiVersion: 'graymesh.dev/v1alpha1', accepts: ['graymesh.dev/v1alpha1'], plural: 'releases', aliases: ['release', 'rel'], namespaced: true, writable: true },
  { kind: 'ServiceEntry', apiVersion: ISTIO[0] as string, accepts: ISTIO, plural: 'serviceentries', aliases: ['serviceentry', 'se'], namespaced: true, writable: true },
];

const BY_NAME = new Map<string, KindInfo>();
for (const k of KINDS) {
  BY_NAME.set(k.plural, k);
  BY_NAME.set(k.kind.toLowerCase(), k);
  for (const a of k.aliases) BY_NAME.set(a, k);
}

/** The kind a CLI word or URL segment names (`vs`, `workloads`, `pods`), or undefined. */
export function kindByName(name: string): KindInfo | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** The kind of a manifest's apiVersion and kind, or undefined when graymesh does not know it. */
export function kindOf(apiVersion: string, kind: string): KindInfo | undefined {
  const k = KINDS.find((x) => x.kind === kind);
  return k && k.accepts.includes(apiVersion) ? k : undefined;
}

/** Registers another kind (Release and others come this way). */
export function registerKind(info: KindInfo): void {
  KINDS.push(info);
  BY_NAME.set(info.plural, info);
  BY_NAME.set(info.kind.toLowerCase(), info);
  for (const a of info.aliases) BY_NAME.set(a, info);
}
