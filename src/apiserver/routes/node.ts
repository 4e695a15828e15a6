/**
 * What only an engine that runs its workloads itself offers: a pod's output and its proxy's
 * access log, a workload's logs, and the node proxy's restart. Registered by both engines, so
 * the OpenAPI document is one; an engine without them (a cluster, where kubelet keeps the logs
 * and each pod has its own sidecar) answers 501 saying which kubectl command does it there.
 */
import type { FastifyInstance } from 'fastify';
import { notImplemented } from '../../api/errors.js';
import type { OpenApi } from '../openapi.js';
import type { ProjectDirectory } from '../projects.js';
import { mustProject } from './objects.js';

/** The node's own operations; each throws 404 for a pod or workload that does not exist. */
export interface NodeOperations {
  podLog(project: string, pod: string, tail: number): Promise<string>;
  /** Requests the pod served and its workload sent, in time order. */
  proxyLog(project: string, pod: string, tail: number): Promise<string>;
  /** Every pod's output, each line prefixed with its pod when there are several. */
  workloadLog(project: string, workload: string, tail: number): Promise<string>;
  /** Replaces the node proxy without failing a request. */
  restartProxy(): Promise<unknown>;
}

export interface NodeRoutesDeps {
  projects: ProjectDirectory;
  /** Absent on a cluster: the routes answer 501 with the kubectl command instead. */
  node?: NodeOperations;
}

const ON_CLUSTER = 'the kubernetes engine keeps no logs (kubelet does);';

/** One log route: its path, what it reads, what kubectl reads on a cluster, and its summary. */
interface LogRoute {
  path: string;
  read: 'podLog' | 'proxyLog' | 'workloadLog';
  kubectl: (project: string, name: string) => string;
  summary: string;
}

const LOG_ROUTES: LogRoute[] = [
  { path: '/api/v1/projects/:project/pods/:name/log', read: 'podLog', kubectl: (p, n) => `kubectl logs -n ${p} ${n}`, summary: "A pod's stdout and stderr (501 on a cluster: kubectl logs)" },
  {
    path: '/api/v1/projects/:project/pods/:name/proxy-log',
    read: 'proxyLog',
    kubectl: (p, n) => `kubectl logs -n ${p} ${n} -c istio-proxy`,
    summary: "The proxy's access log for a pod: requests it served and its workload sent (501 on a cluster: kubectl logs -c istio-proxy)",
  },
  {
    path: '/api/v1/projects/:project/deployments/:name/log',
    read: 'workloadLog',
    kubectl: (p, n) => `kubectl logs -n ${p} deployment/${n}`,
    summary: 'The logs of every pod of a workload (501 on a cluster: kubectl logs deployment/NAME)',
  },
];

export function registerNodeRoutes(app: FastifyInstance, api: OpenApi, deps: NodeRoutesDeps): void {
  const { node } = deps;
  for (const r of LOG_ROUTES) {
    app.get(r.path, async (req, reply) => {
      const { project, name } = req.params as { project: string; name: string };
      mustProject(deps.projects, project);
      if (!node) throw notImplemented(`${ON_CLUSTER} use ${r.kubectl(project, name)}`);
      const out = await node[r.read](project, name, Number((req.query as { tail?: string }).tail ?? '0'));
      reply.type('text/plain; charset=utf-8');
      return out;
    });
    api.add('get', r.path, r.summary, true, ['tail']);
  }

  app.post('/api/v1/proxies/restart', async () => {
    if (!node) throw notImplemented('the kubernetes engine runs no node proxy (each pod has its own sidecar); use kubectl rollout restart deployment/NAME -n PROJECT');
    return node.restartProxy();
  });
  api.add('post', '/api/v1/proxies/restart', 'Replaces the node proxy process without failing a request (hand-over of its listening sockets; 501 on a cluster)');
}
