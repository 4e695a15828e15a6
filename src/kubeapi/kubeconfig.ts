/**
 * The kubeconfig `graymesh kubeconfig` prints: one cluster (the Kubernetes API's https URL and
 * its self-signed certificate as certificate-authority-data), one user with a graymesh token,
 * and a context per project the user can see (namespace set), the first one current.
 */
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  /** PEM of the serving certificate. */
  caPem: string;
  user: string;
  token: string;
  projects: string[];
}

export const CLUSTER_NAME = 'graymesh';

export function contextName(project: string | undefined): string {
  return project ? `${CLUSTER_NAME}-${project}` : CLUSTER_NAME;
}

export function kubeconfig(i: KubeconfigInput): string {
  const contexts = [undefined, ...i.projects].map((p) => ({
    name: contextName(p),
    context: { cluster: CLUSTER_NAME, user: i.user, ...(p ? { namespace: p } : {}) },
  }));
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CLUSTER_NAME, cluster: { server: i.server, 'certificate-authority-data': Buffer.from(i.caPem).toString('base64') } }],
    users: [{ name: i.user, user: { token: i.token } }],
    contexts,
    'current-context': contextName(i.projects[0]),
    preferences: {},
  });
}
