/**
 * app.k8s.io/v1beta1 Application: a composed app, as KubeSphere uses the Kubernetes SIG Apps
 * Application CRD (https://github.com/kubernetes-sigs/application, api/v1beta1/application_types.go).
 */
import type { Report } from '../issues.js';
import { KUBE_TYPES } from '../schema/kube-types.js';
import type { TypeTable } from '../schema/schema.js';
import { rec } from '../values.js';

const OBJECT_REFERENCE = {
  apiVersion: 'string', fieldPath: 'string', kind: 'string', name: 'string', namespace: 'string',
  resourceVersion: 'string', uid: 'string',
};

export const APPLICATION_TYPES: TypeTable = {
  ...KUBE_TYPES,
  ApplicationSpec: { addOwnerRef: 'boolean', assemblyPhase: 'enum:Pending|Succeeded|Failed',
    componentKinds: '[]GroupKind', descriptor: 'Descriptor', info: '[]InfoItem', selector: 'LabelSelector' },
  GroupKind: { group: 'string', kind: 'string!' },
  Descriptor: { description: 'string', icons: '[]ImageSpec', keywords: '[]string', links: '[]Link',
    maintainers: '[]ContactData', notes: 'string', owners: '[]ContactData', type: 'string', version: 'string' },
  ImageSpec: { size: 'string', src: 'string!', type: 'string' },
  ContactData: { email: 'string', name: 'string', url: 'string' },
  Link: { description: 'string', url: 'string' },
  InfoItem: { name: 'string', type: 'enum:Value|Reference', value: 'string', valueFrom: 'InfoItemSource' },
  InfoItemSource: { configMapKeyRef: 'AppConfigMapKeyRef', ingressRef: 'AppIngressRef',
    secretKeyRef: 'AppSecretKeyRef', serviceRef: 'AppServiceRef',
    type: 'enum:SecretKeyRef|ConfigMapKeyRef|ServiceRef|IngressRef' },
  AppConfigMapKeyRef: { ...OBJECT_REFERENCE, key: 'string' },
  AppSecretKeyRef: { ...OBJECT_REFERENCE, key: 'string' },
  AppServiceRef: { ...OBJECT_REFERENCE, path: 'string', port: 'integer' },
  AppIngressRef: { ...OBJECT_REFERENCE, host: 'string', path: 'string' },
};

export function checkApplication(obj: Record<string, unknown>, r: Report): void {
  const spec = rec(obj.spec);
  if (spec !== undefined && spec.selector === undefined) {
    r.warn('spec.selector', 'not set, so the application groups no components; add matchLabels, e.g. app.kubernetes.io/name: bookinfo');
  }
}
