/**
 * The local engine's own object routes (the rest are the shared ones, src/apiserver/routes/objects.ts):
 * samples and logs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalid, notFound } from '../../api/errors.js';
import type { KubeObject, Namespace } from '../../api/objects.js';
import { GOVERNANCE_ANNOTATION } from '../../api/objects.js';
import { dns1123LabelError } from '../../api/names.js';
import { applyObjects, prepare, type PrepareOptions } from '../apply.js';
import { mustProject as mustProjectIn } from '../../apiserver/routes/objects.js';
import { storeProjects } from '../projects.js';
import { enforce as enforceConfig, tenancyFor } from '../writes.js';
import type { ControlPlane } from '../control-plane.js';
import type { OpenApi } from '../../apiserver/openapi.js';
import { SAMPLE_NAMES, sampleManifests } from '../samples/index.js';
import { readTail } from '../log-files.js';
import { WORKLOAD_LABEL } from '../snapshot-builder.js';
import { accessLogFile, podLogFile } from '../../runtime/log-paths.js';
import path from 'node:path';

interface Params {
  project: string;
  resource: string;
  name: string;
}

/** The tenancy check as the caller may hear it. */
const tenancyOf = (req: FastifyRequest): PrepareOptions => tenancyFor({ canSee: (p) => req.access.canSeeProject(p) });

export function registerResourceRoutes(app: FastifyInstance, api: OpenApi, cp: ControlPlane): void {
  const { store } = cp;
  const enforce = () => enforceConfig(cp);
  const projects = storeProjects(store);
  const mustProject = (name: string): Namespace => mustProjectIn(projects, name);


  // Samples.
  app.post('/api/v1/projects/:project/samples/:name', async (req) => {
    const { project, name } = req.params as Params;
    const { allVersions } = (req.body ?? {}) as { allVersions?: boolean };
    const manifests = sampleManifests(name, project, allVersions === true);
    if (!manifests) throw notFound(`unknown sample "${name}"; the samples are: ${SAMPLE_NAMES.join(', ')}`);
    const err = dns1123LabelError(project);
    if (err) throw invalid(`project: ${err}`);
    const docs: KubeObject[] = [];
    if (!store.get('Namespace', undefined, project)) {
      docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: project, annotations: { [GOVERNANCE_ANNOTATION]: 'true' } } });
    }
    docs.push(...manifests);
    const { objects, warnings } = prepare(store, docs, project, { ...tenancyOf(req), onlyIn: project });
    const results = applyObjects(store, objects);
    const e = await enforce();
    return { results, warnings: [...warnings, ...e.warnings] };
  });
  api.add('post', '/api/v1/projects/:project/samples/:name', `Deploys a sample application (${SAMPLE_NAMES.join(', ')}); {allVersions} adds the versions a release would bring`);

  // Logs.
  app.get('/api/v1/projects/:project/pods/:name/log', async (req, reply) => {
    const { project, name } = req.params as Params;
    mustProject(project);
    if (!store.get('Pod', project, name)) throw notFound(`pod ${name} not found in project ${project}`);
    const tail = Number((req.query as { tail?: string }).tail ?? '0');
    reply.type('text/plain; charset=utf-8');
    return readTail(podLogFile(cp.opts.home.dir, project, name), tail);
  });
  api.add('get', '/api/v1/projects/:project/pods/:name/log', 'A pod\'s stdout and stderr', true, ['tail']);
  app.get('/api/v1/projects/:project/pods/:name/proxy-log', async (req, reply) => {
    const { project, name } = req.params as Params;
    mustProject(project);
    const pod = store.get('Pod', project, name);
    if (!pod) throw notFound(`pod ${name} not found in project ${project}`);
    const tail = Number((req.query as { tail?: string }).tail ?? '0');
    const logDir = path.join(cp.opts.home.dir, 'logs');
    const workload = pod.metadata.labels?.[WORKLOAD_LABEL] ?? '';
    const [inbound, outbound] = await Promise.all([
      readTail(accessLogFile(logDir, project, name), tail),
      workload ? readTail(accessLogFile(logDir, project, workload), tail) : Promise.resolve(''),
    ]);
    // Lines start with [ISO time]: sorting them merges both directions in time order.
    const lines = [...inbound.split('\n'), ...outbound.split('\n')].filter(Boolean).sort();
    reply.type('text/plain; charset=utf-8');
    return (tail > 0 ? lines.slice(-tail) : lines).map((l) => `${l}\n`).join('');
  });
  api.add('get', '/api/v1/projects/:project/pods/:name/proxy-log', "The proxy's access log for a pod: requests it served and its workload sent", true, ['tail']);
  app.get('/api/v1/projects/:project/deployments/:name/log', async (req, reply) => {
    const { project, name } = req.params as Params;
    mustProject(project);
    if (!store.get('Deployment', project, name)) throw notFound(`workload ${name} not found in project ${project}`);
    const tail = Number((req.query as { tail?: string }).tail ?? '0');
    const pods = store.list('Pod', { namespace: project, labels: { [WORKLOAD_LABEL]: name } });
    const parts = await Promise.all(
      pods.map(async (p) => {
        const text = await readTail(podLogFile(cp.opts.home.dir, project, p.metadata.name), tail);
        return pods.length > 1 ? text.split('\n').filter(Boolean).map((l) => `[${p.metadata.name}] ${l}\n`).join('') : text;
      }),
    );
    reply.type('text/plain; charset=utf-8');
    return parts.join('');
  });
  api.add('get', '/api/v1/projects/:project/deployments/:name/log', 'The logs of every pod of a workload', true, ['tail']);

}
