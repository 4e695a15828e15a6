/**
 * The writes of the shared object routes beyond apply: one object created (POST) or replaced
 * (PUT) under a project, and the objects manifests name deleted. Documents are validated by
 * the engine's `prepare` as its apply does, each Release admitted and then written by the one
 * release controller (created, changed, abandoned make-before-break); everything else by the
 * engine's `writes`.
 */
import { shown } from './secret-view.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, conflict, forbidden, notFound } from '../../api/errors.js';
import type { KindInfo } from '../../api/kinds.js';
import type { KubeObject } from '../../api/objects.js';
import type { Release } from '../../config/release/types.js';
import type { OpenApi } from '../openapi.js';
import { kindFor, mustProject, type DeleteResult, type ObjectRoutesDeps } from './objects.js';
import { userOf } from './releases.js';

interface Params {
  project: string;
  resource: string;
  name: string;
}

interface DeleteBody {
  objects?: unknown[];
  project?: string;
  ignoreNotFound?: boolean;
}

const key = (o: { kind: string; namespace?: string | undefined; name: string }): string => `${o.kind}/${o.namespace ?? ''}/${o.name}`;
const keyOf = (o: KubeObject): string => key({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });

/** Results in the order of the manifest's documents. */
export function inOrder<R extends { kind: string; namespace?: string | undefined; name: string }>(objects: KubeObject[], results: R[]): R[] {
  const at = new Map(objects.map((o, i) => [keyOf(o), i]));
  return [...results].sort((a, b) => (at.get(key(a)) ?? 0) - (at.get(key(b)) ?? 0));
}

export function registerObjectWriteRoutes(app: FastifyInstance, api: OpenApi, deps: ObjectRoutesDeps): void {
  const { projects, store, releases, writes } = deps;

  /** The one document sent to a route of a kind under a project: validated, tenancy-checked, admitted. */
  const oneObject = async (req: FastifyRequest, kind: KindInfo, project: string): Promise<{ obj: KubeObject; warnings: string[] }> => {
    const { objects, warnings } = await deps.prepare([req.body], project, { onlyIn: project, canSee: (p) => req.access.canSeeProject(p) });
    const obj = objects[0];
    if (!obj) throw badRequest(`body: a ${kind.kind} object required`);
    if (obj.kind === 'Release') await releases.admit(obj as Release);
    return { obj, warnings };
  };

  /** The objects of a manifest that exist; 404 naming the first missing one unless ignoreNotFound (a delete is all or nothing). */
  const existing = async (objects: KubeObject[], ignoreNotFound: boolean): Promise<KubeObject[]> => {
    const found = await Promise.all(objects.map((o) => store.get(o.kind, o.metadata.namespace, o.metadata.name)));
    const missing = objects.find((_, i) => !found[i]);
    if (missing && !ignoreNotFound) {
      const where = missing.metadata.namespace ? ` in project ${missing.metadata.namespace}` : '';
      throw notFound(`${missing.kind} ${missing.metadata.name} not found${where}; nothing deleted (use --ignore-not-found to delete the rest)`);
    }
    return objects.filter((_, i) => found[i]);
  };

  app.post('/api/v1/delete', async (req) => {
    const body = req.body as DeleteBody | undefined;
    if (!body || !Array.isArray(body.objects)) throw badRequest('body: {"objects": [...]} required');
    const { objects } = await deps.prepare(body.objects, body.project, { namesOnly: true });
    const present = await existing(objects, body.ignoreNotFound === true);
    // A release is abandoned by its controller's steps (the principal serves everything; the new
    // workload goes; then the rules), never by dropping its rules at once. A release inside a
    // project deleted by the same manifest goes with its project.
    const dropped = new Set(present.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    const abandoned = present.filter((o) => o.kind === 'Release' && !dropped.has(o.metadata.namespace as string));
    const released: DeleteResult[] = [];
    for (const r of abandoned) {
      const ns = r.metadata.namespace as string;
      await releases.delete(ns, r.metadata.name, { user: userOf(req) });
      released.push({ kind: r.kind, name: r.metadata.name, namespace: ns, action: 'deleted' });
    }
    const out = await writes.removeObjects(present.filter((o) => !abandoned.includes(o)));
    return { results: inOrder(objects, [...released, ...out.results]), warnings: out.warnings, configVersion: out.configVersion };
  });
  api.add('post', '/api/v1/delete', 'Deletes the objects manifests name, all or nothing');

  app.post('/api/v1/projects/:project/:resource', async (req, reply) => {
    const { project, resource } = req.params as Params;
    const kind = kindFor(resource, true);
    if (!kind.writable) throw forbidden(`${kind.plural} are managed by graymesh and cannot be created`);
    mustProject(projects, project);
    // The same validation, tenancy check and admission as apply: a Release is refused here exactly as there.
    const { obj, warnings } = await oneObject(req, kind, project);
    if (obj.kind !== kind.kind) throw badRequest(`body: kind ${obj.kind} sent to ${kind.plural}`);
    if (obj.kind === 'Release') {
      if (await store.get('Release', project, obj.metadata.name)) throw conflict(`Release ${obj.metadata.name} already exists in project ${project}; change it with PUT or graymesh apply`);
      // Created by its controller, make-before-break, with who created it in its history.
      const created = await releases.create(obj as Release, { user: userOf(req) });
      reply.status(201);
      return { ...created, warnings };
    }
    const created = await writes.create(obj);
    reply.status(201);
    return { ...shown(created.object, false), warnings: [...warnings, ...created.warnings] };
  });
  api.add('post', '/api/v1/projects/:project/:resource', 'Creates an object');

  /** PUT of a Release: its controller applies the new spec (409 on a stale resourceVersion, as any PUT). */
  const replaceRelease = async (r: Release, user: string): Promise<Release> => {
    const ns = r.metadata.namespace as string;
    const current = await store.get<Release>('Release', ns, r.metadata.name);
    if (!current) throw notFound(`Release ${r.metadata.name} not found in project ${ns}`);
    const rv = r.metadata.resourceVersion;
    if (rv !== undefined && rv !== current.metadata.resourceVersion) {
      throw conflict(`Release ${r.metadata.name}: the object has been modified (resourceVersion ${rv} is stale, current is ${current.metadata.resourceVersion ?? '?'}); read it again and retry`);
    }
    return (await releases.apply(r, { user })).release;
  };

  app.put('/api/v1/projects/:project/:resource/:name', async (req) => {
    const { project, resource, name } = req.params as Params;
    const kind = kindFor(resource, true);
    if (!kind.writable) throw forbidden(`${kind.plural} are managed by graymesh and cannot be changed`);
    mustProject(projects, project);
    const { obj } = await oneObject(req, kind, project);
    if (obj.kind !== kind.kind || obj.metadata.name !== name) throw badRequest(`body: must be ${kind.kind} ${name}`);
    if (obj.kind === 'Release') return replaceRelease(obj as Release, userOf(req));
    return shown((await writes.replace(obj)).object, false);
  });
  api.add('put', '/api/v1/projects/:project/:resource/:name', 'Replaces an object (409 when metadata.resourceVersion is stale)');
}
