/**
 * A project as manifests for a cluster with Istio (`graymesh export`), from whichever engine holds
 * it; Secrets' data only to a project-admin (below that, the placeholder `get` shows).
 */
import type { FastifyInstance } from 'fastify';
import type { KubeObject } from '../../api/objects.js';
import { ProjectAccess } from '../../api/roles.js';
import type { Access } from '../auth/access.js';
import { exportProject } from '../../config/export/export.js';
import type { OpenApi } from '../openapi.js';
import type { ProjectDirectory } from '../projects.js';
import { mustProject } from './objects.js';
import { shown } from './secret-view.js';

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
    // A viewer may export the project, but Secret data is a project-admin's to read: redacted below that.
    const access = (req as { access?: Access | null }).access;
    const showData = !access || access.projectAccess(project) >= ProjectAccess.Admin;
    const objects = (await deps.objectsOf(project)).map((o) => shown(o, showData));
    const out = exportProject(
      { namespace, objects },
      { crds: flag(q.crds, true), crdsOnly: flag(q.crdsOnly, false), ingress: flag(q.ingress, true) },
    );
    return { apiVersion: 'v1', kind: 'List', items: out.items, warnings: out.warnings };
  });
  api.add('get', '/api/v1/projects/:project/export', 'The project as manifests for kubectl apply on a cluster with Istio', true, ['crds', 'crdsOnly', 'ingress']);
}
