/**
 * The gRPC Greeter sample as the manifests a user would apply to a cluster:
 * an Application, the Service `greeter` (port 50051, named `grpc` with
 * appProtocol grpc, so the mesh reaches it over HTTP/2), its ServiceAccount
 * and one Deployment per version, labelled app/version as Bookinfo is.
 * A gRPC server answers no HTTP/1.1 `/health`, so readiness is a TCP probe.
 */
import type { KubeObject } from '../../api/objects.js';
import { sampleApplication, sampleDeployment } from './deployment.js';

export const GREETER_APP = 'grpc-greeter';
export const GREETER_SERVICE = 'greeter';
export const GREETER_PORT = 50051;
const APP_LABELS = { 'app.kubernetes.io/name': GREETER_APP, 'app.kubernetes.io/version': 'v1' };

/** The image of one Greeter version, e.g. graymesh/grpc-greeter:v2. */
export function greeterImage(version: string): string {
  return `graymesh/grpc-greeter:${version}`;
}

/** A Deployment of one Greeter version. */
export function greeterDeployment(ns: string, version: string, image = greeterImage(version)): KubeObject {
  return sampleDeployment({
    namespace: ns,
    app: GREETER_SERVICE,
    version,
    labels: APP_LABELS,
    serviceAccountName: GREETER_SERVICE,
    container: {
      name: GREETER_SERVICE,
      image,
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'grpc', containerPort: GREETER_PORT, protocol: 'TCP' }],
      readinessProbe: { tcpSocket: { port: GREETER_PORT }, periodSeconds: 2 },
    },
  });
}

/** Every object of the sample; greeter v1 only unless allVersions. */
export function greeterManifests(ns: string, allVersions = false): KubeObject[] {
  const objects: KubeObject[] = [
    sampleApplication(GREETER_APP, ns, APP_LABELS, GREETER_SERVICE, "gRPC's helloworld Greeter, answering SayHello with the version that served it"),
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: GREETER_SERVICE, namespace: ns, labels: { ...APP_LABELS, account: GREETER_SERVICE } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: GREETER_SERVICE, namespace: ns, labels: { ...APP_LABELS, app: GREETER_SERVICE, service: GREETER_SERVICE } },
      spec: {
        ports: [{ name: 'grpc', port: GREETER_PORT, protocol: 'TCP', appProtocol: 'grpc', targetPort: GREETER_PORT }],
        selector: { ...APP_LABELS, app: GREETER_SERVICE },
      },
    },
    greeterDeployment(ns, 'v1'),
  ];
  if (allVersions) objects.push(greeterDeployment(ns, 'v2'));
  return objects;
}
