/**
 * Objects both engines serve alike: manifests applied and deleted, projects listed and read,
 * objects of a kind listed, read, created, replaced and deleted (the writes of one object and
 * of manifests' deletes are object-writes.ts). What an engine does to write is its `writes`
 * port; reads go through its object store, projects through its directory, releases through
 * the one release controller.
 */
import { SHOW_SECRETS, shown, showsSecrets } from './secret-view.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, invalid, notFound } from '../../api/errors.js';
import { kindByName, type KindInfo } from '../../api/kinds.js';
import { dns1123LabelError } from '../../api/names.js';
import type { KubeObject, Namespace } from '../../api/objects.js';
import type { ReleaseController } from '../../engine/releases/controller.js';
import type { ObjectStore } from '../../engine/store.js';
import { checkTenancyOn } from '../../engine/tenancy.js';
import type { OpenApi } from '../openapi.js';
import type { ProjectDirectory } from '../projects.js';
import { registerObjectWriteRoutes } from './object-writes.js';
import { registerSampleRoutes, type SampleImage } from './samples.js';
import { userOf, type Prepared, type PrepareObjects } from './releases.js';

/** Who writes, as the engine's writes need to know it. */
export interface WriteContext {
  user: string;
  /** Whether the caller may see a project (the tenancy check names only owners the caller sees). */
  canSee(project: string): boolean;
}

export interface ApplyBody {
  objects: unknown[];
  project?: string;
  dryRun?: boolean;
}

/** One object of a manifest's delete. */
export interface DeleteResult {
  kind: string;
  name: string;
  namespace?: string;
  action: 'deleted';
}

/** What a write leaves for the caller: the config version it made (0 on a cluster) and what was not enforced in time. */
export interface Settled {
  configVersion: number;
  warnings: string[];
}

/** How an engine writes. */
export interface ObjectWrites {
  /**
   * Applies manifests the route has validated (the engine's `prepare`) and tenancy-checked;
   * admits them before anything is written; answers the apply's body.
   */
  apply(prepared: Prepared, body: ApplyBody, ctx: WriteContext): Promise<unknown>;
  /** Deletes an object that exists (never a Release: the controller abandons those). */
  remove(kind: KindInfo, obj: KubeObject, ctx: WriteContext): Promise<void>;
  /** Creates one validated, admitted object (never a Release); 409 when it exists. */
  create(obj: KubeObject): Promise<{ object: KubeObject } & Settled>;
  /** Replaces one validated, admitted object (never a Release); 409 on a stale resourceVersion, 404 when it is gone. */
  replace(obj: KubeObject): Promise<{ object: KubeObject } & Settled>;
  /**
   * Deletes the objects of a manifest that exist, a Namespace with everything in it; a Release
   * only when its project goes in the same manifest (the controller abandons the others first).
   */
  removeObjects(objects: KubeObject[]): Promise<{ results: DeleteResult[] } & Settled>;
}

export interface ObjectRoutesDeps {
  projects: ProjectDirectory;
  store: ObjectStore;
  releases: ReleaseController;
  writes: ObjectWrites;
  /** The engine's validation, as its apply runs it (the routes add the tenancy check). */
  prepare: PrepareObjects;
  /** The images samples run with on this engine (a cluster's), when not the manifests' own. */
  sampleImages?: SampleImage;
}

/**
 * The engine's validation, then the tenancy check both engines share (src/engine/tenancy.ts):
 * a traffic object names and routes to its own project's hosts only, unless the owner lets it
 * in. Owners are named only to callers who see their project. A delete names objects only.
 */
export function withTenancy(prepare: PrepareObjects, store: ObjectStore): PrepareObjects {
  return async (docs, project, o) => {
    const out = await prepare(docs, project, o);
    if (!o.namesOnly) await checkTenancyOn(store, out.objects, o.canSee ? { canSee: o.canSee } : {});
    return out;
  };
}

interface Params {
  project: string;
  resource: string;
  name: string;
}

/** The kind a route's `:resource` names; 404 for one that is not a kind of that scope. */
export function kindFor(resource: string, namespaced: boolean): KindInfo {
  const k = kindByName(resource);
  if (!k || k.namespaced !== namespaced) {
    throw notFound(`unknown resource "${resource}"; use one of deployments, services, pods, applications, virtualservices, destinationrules, gateways, serviceentries`);
  }
  return k;
}

/** The project's Namespace; 404 when there is none. */
export function mustProject(projects: ProjectDirectory, name: string): Namespace {
  const ns = projects.get(name);
  if (!ns) throw notFound(`project ${name} not found`);
  return ns;
}

/** `labelSelector=k=v,k2=v2` as an equality selector. */
export function parseSelector(s: string | undefined): Record<string, string> | undefined {
  if (!s) return undefined;
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined) throw badRequest(`labelSelector: "${part}" is not key=value`);
    out[k.trim()] = v.trim();
  }
  return out;
}

export function writeContext(req: FastifyRequest): WriteContext {
  return { user: userOf(req), canSee: (p) => req.access.canSeeProject(p) };
}

export function registerObjectRoutes(app: FastifyInstance, api: OpenApi, engineDeps: ObjectRoutesDeps): void {
  const deps = { ...engineDeps, prepare: withTenancy(engineDeps.prepare, engineDeps.store) };
  const { projects, store } = deps;

  app.post('/api/v1/apply', async (req) => {
    const body = req.body as Partial<ApplyBody> | undefined;
    if (!body || !Array.isArray(body.objects)) throw badRequest('body: {"objects": [...], "project"?: "P"} required');
    if (body.project) {
      const err = dns1123LabelError(body.project);
      if (err) throw invalid(`project: ${err}`);
    }
    const ctx = writeContext(req);
    const prepared = await deps.prepare(body.objects, body.project, { canSee: ctx.canSee });
    return deps.writes.apply(prepared, body as ApplyBody, ctx);
  });
  api.add('post', '/api/v1/apply', 'Applies manifests, all or nothing');

  // Projects (Namespaces). A project's workspace is its kubesphere.io/workspace label, as in KubeSphere.
  app.get('/api/v1/projects', async (req) => ({ items: req.access.visibleProjects(projects.list()) }));
  api.add('get', '/api/v1/projects', 'Lists the projects the caller may see');
  app.get('/api/v1/projects/:project', async (req) => mustProject(projects, (req.params as Params).project));
  api.add('get', '/api/v1/projects/:project', 'Reads a project');

  app.get('/api/v1/projects/:project/:resource', async (req) => {
    const { project, resource } = req.params as Params;
    const kind = kindFor(resource, true);
    mustProject(projects, project);
    const labels = parseSelector((req.query as { labelSelector?: string }).labelSelector);
    const show = showsSecrets(req.query);
    return { items: (await store.list(kind.kind, { namespace: project, ...(labels ? { labels } : {}) })).map((o) => shown(o, show)) };
  });
  api.add('get', '/api/v1/projects/:project/:resource', 'Lists objects of a kind in a project (a Secret\'s data only with showSecrets=true)', true, ['labelSelector', SHOW_SECRETS]);

  const mustGet = async (kind: KindInfo, project: string, name: string): Promise<KubeObject> => {
    const o = await store.get(kind.kind, project, name);
    if (!o) throw notFound(`${kind.kind} ${name} not found in project ${project}`);
    return o;
  };

  app.get('/api/v1/projects/:project/:resource/:name', async (req) => {
    const { project, resource, name } = req.params as Params;
    const kind = kindFor(resource, true);
    mustProject(projects, project);
    return shown(await mustGet(kind, project, name), showsSecrets(req.query));
  });
  api.add('get', '/api/v1/projects/:project/:resource/:name', 'Reads one object (a Secret\'s data only with showSecrets=true)', true, [SHOW_SECRETS]);

  app.delete('/api/v1/projects/:project/:resource/:name', async (req) => {
    const { project, resource, name } = req.params as Params;
    const kind = kindFor(resource, true);
    mustProject(projects, project);
    const obj = await mustGet(kind, project, name);
    // A release is abandoned by the controller's make-before-break steps, as `graymesh release delete` does.
    if (kind.kind === 'Release') await deps.releases.delete(project, name, { user: userOf(req) });
    else await deps.writes.remove(kind, obj, writeContext(req));
    return { deleted: { kind: kind.kind, name, namespace: project } };
  });
  api.add('delete', '/api/v1/projects/:project/:resource/:name', 'Deletes an object (an application with its components)');

  registerObjectWriteRoutes(app, api, deps);
  registerSampleRoutes(app, api, { ...deps, ...(deps.sampleImages ? { images: deps.sampleImages } : {}) });
}
