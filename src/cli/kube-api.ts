/**
 * The Kubernetes API started by `up --kube-port N`: the kubeapi layer over the control plane's
 * shared API parts, its serving certificate made at the first start in the instance home, and
 * the control plane's pod logs (src/controlplane/pod-logs.ts) as its PodLogs port.
 */
import type { ControlPlane } from '../controlplane/control-plane.js';
import { servingCert } from '../kubeapi/cert.js';
import { KubeApiServer } from '../kubeapi/server.js';

/** Starts the Kubernetes API on port (0: any) after the control plane started; returns it. */
export async function startKubeApi(cp: ControlPlane, port: number, listen: string, log: (m: string) => void): Promise<KubeApiServer> {
  const shared = cp.shared;
  if (!shared) throw new Error('kube API: the control plane has not started its REST API');
  const { cert, key } = servingCert(cp.opts.home.dir);
  const server = new KubeApiServer(
    {
      auth: shared.auth,
      projects: shared.projects,
      store: cp.objects,
      releases: cp.releases,
      writes: shared.writes,
      prepare: shared.prepare,
      projectWrites: shared.projectWrites,
      logs: cp.podLogs,
      log,
    },
    { cert, key },
  );
  await server.listen(port, listen);
  return server;
}
