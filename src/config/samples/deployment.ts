/** The Deployment every sample version is (one replica of one container, labelled app and version as a subset selects them), and the Application a sample is. */
import type { Container, KubeObject } from '../../api/objects.js';

export interface SampleVersion {
  namespace: string;
  app: string;
  version: string;
  /** Labels beside app and version (the sample's app.kubernetes.io labels). */
  labels: Record<string, string>;
  serviceAccountName: string;
  container: Container;
}

export function sampleDeployment(v: SampleVersion): KubeObject {
  const labels = { ...v.labels, app: v.app, version: v.version };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${v.app}-${v.version}`, namespace: v.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { serviceAccountName: v.serviceAccountName, containers: [v.container] } },
    },
  };
}

/** The composed app a sample is (KubeSphere's Application, its Services and Deployments), entered at `entry`. */
export function sampleApplication(name: string, namespace: string, labels: Record<string, string>, entry: string, description: string): KubeObject {
  return {
    apiVersion: 'app.k8s.io/v1beta1',
    kind: 'Application',
    metadata: { name, namespace, labels, annotations: { 'servicemesh.kubesphere.io/enabled': 'true', 'graymesh.dev/entry': entry } },
    spec: {
      selector: { matchLabels: labels },
      addOwnerRef: true,
      componentKinds: [
        { group: '', kind: 'Service' },
        { group: 'apps', kind: 'Deployment' },
      ],
      descriptor: { description },
    },
  };
}
