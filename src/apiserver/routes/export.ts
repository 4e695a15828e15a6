/** A project as manifests for a cluster with Istio (`graymesh export`), from whichever engine holds it. */
import type { FastifyInstance } from 'fastify';
import type { KubeObject } from '../../api/objects.js';
import { exportProject } from '../../config/export/export.js';
import type { OpenApi } from '../openapi.js';
import type { ProjectDirectory } from '../projects.js';
import { mustProject } from './objects.js';

export interface ExportRoutesDeps {
  projects: ProjectDirectory;
  /** The objects of a project a user wrote (every writable namespaced kind). */
  objectsOf(project: string): Promise<KubeObject[]>;
}

const flag = (v: string | undefined, dflt: boolean): boolean => (v === undefined ? dflt : v !== 'false' && v !== '0');

export function registerExportRoutes(app: FastifyInstance, api: OpenApi, deps: ExportRoutesDeps): void {
  app.get('/api/v1/projects/:project/export', async (req) => {
    const { project } = req.params as { project: string };
    const q = req.query as { crds?: string; crdsOnly?: string; ingress?: string };
    const namespace = mustProject(deps.projects, project);
    const out = exportProject(
      { namespace, objects: await deps.objectsOf(project) },
      { crds: flag(q.crds, true), crdsOnly: flag(q.crdsOnly, false), ingress: flag(q.ingress, true) },
    );
    return { apiVersion: 'v1', kind: 'List', items: out.items, warnings: out.warnings };
  });
  api.add('get', '/api/v1/projects/:project/export', 'The project as manifests for kubectl apply on a cluster with Istio', true, ['crds', 'crdsOnly', 'ingress']);
}
