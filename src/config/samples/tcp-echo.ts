/**
 * Istio's tcp-echo sample (samples/tcp-echo), as its TCP traffic-shifting task deploys it: the
 * Service `tcp-echo` (port 9000 named `tcp`, so the mesh carries it as a byte stream) and one
 * Deployment per version, `tcp-echo-v1` answering each line with `one <line>` and `tcp-echo-v2`
 * with `two <line>`, on Istio's image and arguments. A TCP server answers no `/health`, so
 * readiness is a TCP probe.
 */
import type { KubeObject } from '../../api/objects.js';
import { sampleApplication, sampleDeployment } from './deployment.js';

export const TCP_ECHO_APP = 'tcp-echo';
export const TCP_ECHO_PORT = 9000;
export const TCP_ECHO_IMAGE = 'docker.io/istio/tcp-echo-server:1.3';
const APP_LABELS = { 'app.kubernetes.io/name': TCP_ECHO_APP, 'app.kubernetes.io/version': 'v1' };
/** Each version's answer prefix, as Istio's sample passes it. */
const PREFIX: Record<string, string> = { v1: 'one', v2: 'two' };

/** A Deployment of one tcp-echo version (v1: `one`, v2: `two`). */
export function tcpEchoDeployment(ns: string, version: string): KubeObject {
  return sampleDeployment({
    namespace: ns,
    app: TCP_ECHO_APP,
    version,
    labels: APP_LABELS,
    serviceAccountName: TCP_ECHO_APP,
    container: {
      name: TCP_ECHO_APP,
      image: TCP_ECHO_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      args: [String(TCP_ECHO_PORT), PREFIX[version] ?? version],
      ports: [{ containerPort: TCP_ECHO_PORT }],
      readinessProbe: { tcpSocket: { port: TCP_ECHO_PORT }, periodSeconds: 2 },
    },
  });
}

/** Every object of the sample; tcp-echo-v1 only unless allVersions. */
export function tcpEchoManifests(ns: string, allVersions = false): KubeObject[] {
  const objects: KubeObject[] = [
    sampleApplication(TCP_ECHO_APP, ns, APP_LABELS, TCP_ECHO_APP, "Istio's tcp-echo: answers each line with its version's prefix (v1 one, v2 two)"),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: TCP_ECHO_APP, namespace: ns, labels: { ...APP_LABELS, account: TCP_ECHO_APP } } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: TCP_ECHO_APP, namespace: ns, labels: { ...APP_LABELS, app: TCP_ECHO_APP, service: TCP_ECHO_APP } },
      spec: {
        ports: [{ name: 'tcp', port: TCP_ECHO_PORT, protocol: 'TCP', targetPort: TCP_ECHO_PORT }],
        selector: { ...APP_LABELS, app: TCP_ECHO_APP },
      },
    },
    tcpEchoDeployment(ns, 'v1'),
  ];
  if (allVersions) objects.push(tcpEchoDeployment(ns, 'v2'));
  return objects;
}
