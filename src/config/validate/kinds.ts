/**
 * The kinds a user can apply, one entry each. To add a kind (graymesh.dev/v1alpha1 Release is
 * next), append a KindDef: its apiVersions, its top-level fields and a checker for its rules.
 */
import { checkApplication, APPLICATION_TYPES } from './kube/application.js';
import { checkDeployment } from './kube/deployment.js';
import { checkNamespace } from './kube/namespace.js';
import { checkService } from './kube/service.js';
import { checkSecret } from './kube/secret.js';
import { checkDestinationRule } from './istio/destination-rule.js';
import { checkGateway } from './istio/gateway.js';
import { checkServiceEntry } from './istio/service-entry.js';
import { checkVirtualService } from './istio/virtual-service.js';
import { checkRelease, RELEASE_TYPES } from './graymesh/release.js';
import type { Report } from './issues.js';
import type { NameRule } from './meta.js';
import { ISTIO_TYPES } from './schema/istio-types.js';
import { KUBE_TYPES } from './schema/kube-types.js';
import type { TypeTable } from './schema/schema.js';

export interface KindDef {
  kind: string;
  /** Accepted apiVersions; the first is the one objects are stored in. */
  apiVersions: readonly string[];
  namespaced: boolean;
  /** Lowercase plural, as in REST paths: virtualservices. */
  plural: string;
  /** kubectl short names: vs. */
  short: readonly string[];
  /** DNS-1123 label (no dots) or subdomain, as Kubernetes (or Istio) requires of the name. */
  nameRule: NameRule;
  /** Top-level fields besides apiVersion, kind and metadata, in the notation of schema.ts. */
  fields: Readonly<Record<string, string>>;
  /** The table the field types refer to. */
  types: TypeTable;
  /** The kind's own rules, run after the structural check. */
  check?: (obj: Record<string, unknown>, r: Report) => void;
}

/** Istio serves networking.istio.io at v1, v1beta1 and v1alpha3, one schema; graymesh stores v1. */
const ISTIO_VERSIONS = ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'];

const istio = (kind: string, plural: string, short: string, nameRule: NameRule, check: KindDef['check']): KindDef => ({
  kind, apiVersions: ISTIO_VERSIONS, namespaced: true, plural, short: [short], nameRule,
  fields: { spec: `${kind}!`, status: 'any' }, types: ISTIO_TYPES, check,
});

export const KIND_DEFS: readonly KindDef[] = [
  { kind: 'Namespace', apiVersions: ['v1'], namespaced: false, plural: 'namespaces', short: ['ns'], nameRule: 'label',
    fields: { spec: 'NamespaceSpec', status: 'any' }, types: KUBE_TYPES, check: checkNamespace },
  { kind: 'Deployment', apiVersions: ['apps/v1'], namespaced: true, plural: 'deployments', short: ['deploy'],
    nameRule: 'subdomain', fields: { spec: 'DeploymentSpec!', status: 'any' }, types: KUBE_TYPES, check: checkDeployment },
  { kind: 'Service', apiVersions: ['v1'], namespaced: true, plural: 'services', short: ['svc'], nameRule: 'label',
    fields: { spec: 'ServiceSpec', status: 'any' }, types: KUBE_TYPES, check: checkService },
  { kind: 'ServiceAccount', apiVersions: ['v1'], namespaced: true, plural: 'serviceaccounts', short: ['sa'],
    nameRule: 'subdomain', types: KUBE_TYPES,
    fields: { automountServiceAccountToken: 'boolean', imagePullSecrets: '[]LocalObjectReference', secrets: '[]ObjectReference' } },
  { kind: 'Secret', apiVersions: ['v1'], namespaced: true, plural: 'secrets', short: [], nameRule: 'subdomain', types: KUBE_TYPES,
    fields: { data: '{}string', type: 'string', immutable: 'boolean' }, check: checkSecret },
  { kind: 'Application', apiVersions: ['app.k8s.io/v1beta1'], namespaced: true, plural: 'applications', short: ['app'],
    nameRule: 'subdomain', fields: { spec: 'ApplicationSpec', status: 'any' }, types: APPLICATION_TYPES, check: checkApplication },
  istio('VirtualService', 'virtualservices', 'vs', 'subdomain', checkVirtualService),
  istio('DestinationRule', 'destinationrules', 'dr', 'subdomain', checkDestinationRule),
  // Istio requires Gateway names to be DNS labels: they appear in VirtualServices as namespace/name.
  istio('Gateway', 'gateways', 'gw', 'label', checkGateway),
  istio('ServiceEntry', 'serviceentries', 'se', 'subdomain', checkServiceEntry),
  { kind: 'Release', apiVersions: ['graymesh.dev/v1alpha1'], namespaced: true, plural: 'releases', short: ['rel'],
    nameRule: 'subdomain', fields: { spec: 'ReleaseSpec!', status: 'any' }, types: RELEASE_TYPES, check: checkRelease },
];

/** The definition serving `apiVersion` and `kind`, if any. */
export function findKind(apiVersion: string, kind: string): KindDef | undefined {
  return KIND_DEFS.find((d) => d.kind === kind && d.apiVersions.includes(apiVersion));
}

/** What the API needs to know of a kind: its stored apiVersion, scope and names. */
export interface KindInfo {
  kind: string;
  /** The apiVersion objects of this kind are stored in. */
  apiVersion: string;
  namespaced: boolean;
  plural: string;
  short: string[];
}

export function kindInfo(apiVersion: string, kind: string): KindInfo | undefined {
  const d = findKind(apiVersion, kind);
  if (d === undefined) return undefined;
  return { kind: d.kind, apiVersion: d.apiVersions[0] ?? apiVersion, namespaced: d.namespaced, plural: d.plural, short: [...d.short] };
}
