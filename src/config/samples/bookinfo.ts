/**
 * The Bookinfo sample as the manifests a user would apply to a cluster:
 * an Application, four Services, their ServiceAccounts and one Deployment
 * per version, with KubeSphere's images and labels.
 */
import type { KubeObject } from '../../api/objects.js';
import { sampleApplication, sampleDeployment } from './deployment.js';

export const BOOKINFO_APP = 'bookinfo';
export const BOOKINFO_TAG = '1.13.0';
const APP_LABELS = { 'app.kubernetes.io/name': BOOKINFO_APP, 'app.kubernetes.io/version': 'v1' };

function service(ns: string, name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { ...APP_LABELS, app: name, service: name } },
    spec: { ports: [{ name: 'http', port: 9080, protocol: 'TCP', targetPort: 9080 }], selector: { ...APP_LABELS, app: name } },
  };
}

function serviceAccount(ns: string, name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: `bookinfo-${name}`, namespace: ns, labels: { ...APP_LABELS, account: name } },
  };
}

/** A Deployment of one Bookinfo component version, e.g. reviews v2. */
export function bookinfoDeployment(ns: string, app: string, version: string, image?: string): KubeObject {
  return sampleDeployment({
    namespace: ns,
    app,
    version,
    labels: APP_LABELS,
    serviceAccountName: `bookinfo-${app}`,
    container: {
      name: app,
      image: image ?? `kubesphere/examples-bookinfo-${app}-${version}:${BOOKINFO_TAG}`,
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'http', containerPort: 9080, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/health', port: 9080 }, periodSeconds: 2 },
    },
  });
}

/** Every object of the sample; reviews v1 only unless allVersions. */
export function bookinfoManifests(ns: string, allVersions = false): KubeObject[] {
  const components = ['productpage', 'details', 'reviews', 'ratings'];
  const objects: KubeObject[] = [
    sampleApplication(BOOKINFO_APP, ns, APP_LABELS, 'productpage', 'The Bookinfo sample: productpage, details, reviews and ratings'),
  ];
  for (const c of components) objects.push(serviceAccount(ns, c), service(ns, c));
  objects.push(bookinfoDeployment(ns, 'details', 'v1'), bookinfoDeployment(ns, 'ratings', 'v1'), bookinfoDeployment(ns, 'reviews', 'v1'));
  if (allVersions) objects.push(bookinfoDeployment(ns, 'reviews', 'v2'), bookinfoDeployment(ns, 'reviews', 'v3'));
  objects.push(bookinfoDeployment(ns, 'productpage', 'v1'));
  return objects;
}
