/**
 * Samples both engines deploy alike: a sample's manifests (src/config/samples/) applied to a
 * project as `graymesh apply` would apply them, through the engine's validation, the shared
 * tenancy check and its writes; the project is created with governance on when it does not
 * exist. An engine may give the images as it pulls them (a cluster: Istio's Bookinfo images).
 */
import type { FastifyInstance } from 'fastify';
import { invalid, notFound } from '../../api/errors.js';
import { dns1123LabelError } from '../../api/names.js';
import { GOVERNANCE_ANNOTATION, type Container, type Deployment, type KubeObject } from '../../api/objects.js';
import { SAMPLE_NAMES, sampleManifests } from '../../config/samples/index.js';
import type { OpenApi } from '../openapi.js';
import { writeContext, type ObjectRoutesDeps } from './objects.js';

/** An image as the engine runs it, and why it may not run there. */
export type SampleImage = (image: string) => { image: string; warning?: string };

export interface SampleRoutesDeps extends Pick<ObjectRoutesDeps, 'projects' | 'prepare' | 'writes'> {
  images?: SampleImage;
}

/** The sample's Deployments with the engine's images; what cannot run there, as warnings. */
function withImages(objects: KubeObject[], images: SampleImage | undefined): { objects: KubeObject[]; warnings: string[] } {
  if (!images) return { objects, warnings: [] };
  const warnings = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'Deployment') continue;
    for (const c of ((o as Deployment).spec?.template.spec.containers ?? []) as Container[]) {
      if (!c.image) continue;
      const mapped = images(c.image);
      c.image = mapped.image;
      if (mapped.warning) warnings.add(`Deployment ${o.metadata.name}: ${mapped.warning}`);
    }
  }
  return { objects, warnings: [...warnings] };
}

export function registerSampleRoutes(app: FastifyInstance, api: OpenApi, deps: SampleRoutesDeps): void {
  app.post('/api/v1/projects/:project/samples/:name', async (req) => {
    const { project, name } = req.params as { project: string; name: string };
    const { allVersions } = (req.body ?? {}) as { allVersions?: boolean };
    const manifests = sampleManifests(name, project, allVersions === true);
    if (!manifests) throw notFound(`unknown sample "${name}"; the samples are: ${SAMPLE_NAMES.join(', ')}`);
    const err = dns1123LabelError(project);
    if (err) throw invalid(`project: ${err}`);
    const docs: KubeObject[] = [];
    if (!deps.projects.get(project)) {
      docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: project, annotations: { [GOVERNANCE_ANNOTATION]: 'true' } } });
    }
    const images = withImages(manifests, deps.images);
    docs.push(...images.objects);
    const ctx = writeContext(req);
    const prepared = await deps.prepare(docs, project, { onlyIn: project, canSee: ctx.canSee });
    return deps.writes.apply({ objects: prepared.objects, warnings: [...images.warnings, ...prepared.warnings] }, { objects: docs, project }, ctx);
  });
  api.add('post', '/api/v1/projects/:project/samples/:name', `Deploys a sample application (${SAMPLE_NAMES.join(', ')}); {allVersions} adds the versions a release would bring`);
}
