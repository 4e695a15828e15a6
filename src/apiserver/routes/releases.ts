/** Release operations: create, set weights, take over, restore, roll back, policy, promote, abort, offline, delete. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, invalid, notFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/objects.js';
import type { Release } from '../../config/release/types.js';
import type { ReleaseController } from '../../engine/releases/controller.js';
import type { OpenApi } from '../openapi.js';
import type { ProjectDirectory } from '../projects.js';

interface Params {
  project: string;
  name: string;
}

/** What a route under a project makes of the documents sent to it: validated, normalized, confined to that project. */
export interface Prepared {
  objects: KubeObject[];
  warnings: string[];
}

export interface PrepareOptions {
  /** The one project every namespaced document must be in (the route's, whose access the guard checked). */
  onlyIn?: string;
  /** Whether the caller may see a project (owners of hosts are named only then, by the tenancy check). */
  canSee?: (project: string) => boolean;
  /** For a delete, which names objects only: no tenancy check. */
  namesOnly?: boolean;
}

/** The engine's validation of documents, as its apply runs it; throws one GmError listing every problem. */
export type PrepareObjects = (docs: unknown[], project: string | undefined, opts: PrepareOptions) => Promise<Prepared>;

export interface ReleaseRoutesDeps {
  releases: ReleaseController;
  projects: ProjectDirectory;
  prepare: PrepareObjects;
}

/** Who is calling: the authenticated user (admin until accounts exist). */
export function userOf(req: FastifyRequest): string {
  return (req as FastifyRequest & { user?: string }).user ?? 'admin';
}

export function registerReleaseRoutes(app: FastifyInstance, api: OpenApi, deps: ReleaseRoutesDeps): void {
  const { releases } = deps;
  const project = (p: string): void => {
    if (!deps.projects.get(p)) throw notFound(`project ${p} not found`);
  };
  const opts = (req: FastifyRequest): { user: string; readyTimeoutMs?: number } => {
    const t = Number((req.query as { readyTimeout?: string }).readyTimeout ?? NaN);
    return { user: userOf(req), ...(Number.isFinite(t) ? { readyTimeoutMs: t } : {}) };
  };

  app.post('/api/v1/projects/:project/releases', async (req, reply) => {
    const { project: p } = req.params as Params;
    project(p);
    const body = req.body as KubeObject | undefined;
    if (!body || typeof body !== 'object') throw badRequest('body: a Release object is required');
    const { objects } = await deps.prepare([{ ...body, apiVersion: body.apiVersion ?? 'graymesh.dev/v1alpha1', kind: body.kind ?? 'Release' }], p, { onlyIn: p });
    const r = objects[0] as Release;
    if (r.kind !== 'Release') throw badRequest(`body: kind ${r.kind} sent to releases`);
    reply.status(201);
    return releases.create(r, opts(req));
  });
  api.add('post', '/api/v1/projects/:project/releases', 'Creates a release; returns once its rules are enforced by every proxy', true, ['readyTimeout']);

  /** Registers POST .../releases/:name/<op>: the project checked, `run` given the project, name and body. */
  const operation = (op: string, summary: string, run: (p: string, name: string, body: Record<string, unknown>, req: FastifyRequest) => Promise<unknown>): void => {
    const url = `/api/v1/projects/:project/releases/:name/${op}`;
    app.post(url, async (req) => {
      const { project: p, name } = req.params as Params;
      project(p);
      return run(p, name, (req.body ?? {}) as Record<string, unknown>, req);
    });
    api.add('post', url, summary);
  };

  operation('weights', "Sets a canary release's traffic weights", (p, name, body, req) => {
    const weights = body.weights as Record<string, number> | undefined;
    if (!weights || typeof weights !== 'object') throw badRequest('body: {"weights": {"v1": 20, "v2": 80}} required');
    return releases.setWeights(p, name, weights, opts(req));
  });
  operation('takeover', 'A version takes all traffic (sets the governor)', (p, name, body, req) => {
    const version = body.version as string | undefined;
    if (!version) throw badRequest('body: {"version": "v2"} required');
    return releases.takeover(p, name, version, opts(req));
  });
  operation('restore', 'Clears the governor; the release rules apply again', (p, name, _b, req) => releases.restore(p, name, opts(req)));
  operation('rollback', 'The principal version takes all traffic', (p, name, _b, req) => releases.rollback(p, name, opts(req)));
  operation('policy', 'Pauses a release or lets its rules apply', (p, name, body, req) => {
    const policy = body.policy;
    if (policy !== 'WaitForWorkloadReady' && policy !== 'Immediately' && policy !== 'Paused') {
      throw invalid('policy: use WaitForWorkloadReady, Immediately or Paused');
    }
    return releases.setPolicy(p, name, policy, opts(req));
  });
  // Role rule (src/apiserver/auth/policy.ts): writes under /releases* need write access to the project, as every release operation.
  operation('promote', 'Moves an automatic release past the step or gate holding it', (p, name, _b, req) => releases.promote(p, name, opts(req)));
  operation('abort', 'Rolls an automatic release back now: the principal serves all traffic, the new version is removed', (p, name, _b, req) => releases.abort(p, name, opts(req)));
  operation('offline', 'Removes the version no longer serving and the release, leaving a plain route', (p, name, _b, req) => releases.offline(p, name, opts(req)));

  app.delete('/api/v1/projects/:project/releases/:name', async (req) => {
    const { project: p, name } = req.params as Params;
    project(p);
    await releases.delete(p, name, opts(req));
    return { deleted: { kind: 'Release', name, namespace: p } };
  });
  api.add('delete', '/api/v1/projects/:project/releases/:name', 'Abandons a release: the principal serves everything, the new version is removed');
}
