/**
 * The local engine's node operations for the shared node routes (src/apiserver/routes/node.ts):
 * a pod's output and its proxy's access log from the files under the home, a workload's logs,
 * and the node proxy's hand-over.
 */
import path from 'node:path';
import { GmError, notFound, unavailable } from '../api/errors.js';
import type { NodeOperations } from '../apiserver/routes/node.js';
import { accessLogFile, podLogFile } from '../runtime/log-paths.js';
import type { ControlPlane } from './control-plane.js';
import { readTail } from './log-files.js';
import { WORKLOAD_LABEL } from './snapshot-builder.js';

export function localNodeOperations(cp: ControlPlane): NodeOperations {
  const { store } = cp;
  const home = cp.opts.home.dir;
  const mustPod = (project: string, name: string) => {
    const pod = store.get('Pod', project, name);
    if (!pod) throw notFound(`pod ${name} not found in project ${project}`);
    return pod;
  };
  return {
    async podLog(project, name, tail) {
      mustPod(project, name);
      return readTail(podLogFile(home, project, name), tail);
    },

    async proxyLog(project, name, tail) {
      const pod = mustPod(project, name);
      const logDir = path.join(home, 'logs');
      const workload = pod.metadata.labels?.[WORKLOAD_LABEL] ?? '';
      const [inbound, outbound] = await Promise.all([
        readTail(accessLogFile(logDir, project, name), tail),
        workload ? readTail(accessLogFile(logDir, project, workload), tail) : Promise.resolve(''),
      ]);
      // Lines start with [ISO time]: sorting them merges both directions in time order.
      const lines = [...inbound.split('\n'), ...outbound.split('\n')].filter(Boolean).sort();
      return (tail > 0 ? lines.slice(-tail) : lines).map((l) => `${l}\n`).join('');
    },

    async workloadLog(project, name, tail) {
      if (!store.get('Deployment', project, name)) throw notFound(`workload ${name} not found in project ${project}`);
      const pods = store.list('Pod', { namespace: project, labels: { [WORKLOAD_LABEL]: name } });
      const parts = await Promise.all(
        pods.map(async (p) => {
          const text = await readTail(podLogFile(home, project, p.metadata.name), tail);
          return pods.length > 1 ? text.split('\n').filter(Boolean).map((l) => `[${p.metadata.name}] ${l}\n`).join('') : text;
        }),
      );
      return parts.join('');
    },

    async restartProxy() {
      if (!cp.proxies) throw unavailable('this control plane does not run the node proxy; restart it where it runs');
      const r = await cp.proxies.handover().catch((err: Error) => {
        throw err instanceof GmError ? err : unavailable(`node proxy restart failed: ${err.message}`);
      });
      return { ...r, version: cp.distributor.version };
    },
  };
}
