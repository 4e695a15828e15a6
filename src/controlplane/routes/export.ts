/** A project as manifests for a cluster with Istio (`graymesh export`). */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../api/errors.js';
import { KINDS } from '../../api/kinds.js';
import type { KubeObject } from '../../api/objects.js';
import { exportProject } from '../../config/export/export.js';
import type { ControlPlane } from '../control-plane.js';
import type { OpenApi } from '../../apiserver/openapi.js';

const flag = (v: string | undefined, dflt: boolean): boolean => (v === undefined ? dflt : v !== 'false' && v !== '0');

export function registerExportRoutes(app: FastifyInstance, api: OpenApi, cp: ControlPlane): void {
  app.get('/api/v1/projects/:project/export', async (req) => {
    const { project } = req.params as { project: string };
    const q = req.query as { crds?: string; crdsOnly?: string; ingress?: string };
    const namespace = cp.store.get('Namespace', undefined, project);
    if (!namespace) throw notFound(`project ${project} not found`);
    const objects: KubeObject[] = [];
    for (const k of KINDS) {
      if (k.namespaced && k.writable) objects.push(...cp.store.list(k.kind, { namespace: project }));
    }
    const out = exportProject(
      { namespace, objects },
      { crds: flag(q.crds, true), crdsOnly: flag(q.crdsOnly, false), ingress: flag(q.ingress, true) },
    );
    return { apiVersion: 'v1', kind: 'List', items: out.items, warnings: out.warnings };
  });
  api.add('get', '/api/v1/projects/:project/export', 'The project as manifests for kubectl apply on a cluster with Istio', true, ['crds', 'crdsOnly', 'ingress']);
}
