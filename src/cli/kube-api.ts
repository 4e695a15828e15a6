/**
 * The Kubernetes API started by `up --kube-port N`: the kubeapi layer over the control plane's
 * shared API parts, its serving certificate made at the first start in the instance home, and
 * the local engine's pod logs as its PodLogs port (read from the files the supervisor writes;
 * followed by reading on as the file grows).
 */
import { open, stat } from 'node:fs/promises';
import { notFound } from '../api/errors.js';
import type { ControlPlane } from '../controlplane/control-plane.js';
import type { PodLogs } from '../kubeapi/deps.js';
import { servingCert } from '../kubeapi/cert.js';
import { KubeApiServer } from '../kubeapi/server.js';
import { podLogFile } from '../runtime/log-paths.js';

const FOLLOW_POLL_MS = 250;

function localPodLogs(cp: ControlPlane): PodLogs {
  const home = cp.opts.home.dir;
  return {
    async *read(ns, pod, opts) {
      if (!cp.store.get('Pod', ns, pod)) throw notFound(`pod ${pod} not found in project ${ns}`);
      const shared = cp.shared;
      if (!shared) throw notFound('the control plane is not started');
      const text = await shared.node.podLog(ns, pod, opts.tailLines ?? 0);
      yield text;
      if (!opts.follow) return;
      const file = podLogFile(home, ns, pod);
      let pos = await stat(file).then((s) => s.size, () => 0);
      while (!opts.signal.aborted && cp.store.get('Pod', ns, pod)) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, FOLLOW_POLL_MS);
          opts.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
        const size = await stat(file).then((s) => s.size, () => 0);
        if (size < pos) pos = 0;
        if (size === pos) continue;
        const fh = await open(file, 'r');
        try {
          const buf = Buffer.alloc(Math.min(size - pos, 1024 * 1024));
          const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
          pos += bytesRead;
          yield buf.subarray(0, bytesRead).toString('utf8');
        } finally {
          await fh.close();
        }
      }
    },
  };
}

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
      logs: localPodLogs(cp),
      log,
    },
    { cert, key },
  );
  await server.listen(port, listen);
  return server;
}
