/**
 * Project writes both engines serve alike: a project (a Namespace, its workspace the
 * kubesphere.io/workspace label, as in KubeSphere) created, its settings changed, and deleted
 * with everything in it. Who may do which is decided here and by the guard; what an engine
 * does to write is its `ProjectWrites` port.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, invalid } from '../../api/errors.js';
import { dns1123LabelError } from '../../api/names.js';
import { GOVERNANCE_ANNOTATION, OUTBOUND_POLICIES, OUTBOUND_POLICY_ANNOTATION, withAllowRoutesFrom, type Namespace, type OutboundPolicy } from '../../api/objects.js';
import { WORKSPACE_LABEL, WorkspaceAccess } from '../../api/roles.js';
import type { OpenApi } from '../openapi.js';
import type { ProjectDirectory } from '../projects.js';
import { mustProject } from './objects.js';

/** How an engine writes projects. */
export interface ProjectWrites {
  /** Creates the project's Namespace; 409 when it exists. */
  create(ns: Namespace): Promise<Namespace>;
  /** Replaces the project's Namespace with its changed settings. */
  update(ns: Namespace): Promise<Namespace>;
  /** Deletes the project and everything in it. */
  remove(name: string): Promise<void>;
  /**
   * Why `allowRoutesFrom` means nothing on this engine, or undefined when its tenancy check
   * reads it (a project's rules name only its own hosts, and those of projects letting it in).
   */
  noAllowRoutesFrom?: string;
}

export interface ProjectRoutesDeps {
  projects: ProjectDirectory;
  writes: ProjectWrites;
}

interface CreateBody {
  name?: string;
  governance?: boolean;
  workspace?: unknown;
}

interface PatchBody {
  governance?: boolean;
  workspace?: unknown;
  allowRoutesFrom?: unknown;
  outboundPolicy?: unknown;
}

/** `outboundPolicy`: one of Istio's modes. */
function parseOutboundPolicy(v: unknown): OutboundPolicy {
  if (typeof v === 'string' && (OUTBOUND_POLICIES as readonly string[]).includes(v)) return v as OutboundPolicy;
  throw invalid(`outboundPolicy: ${JSON.stringify(v)} is not a mode; use REGISTRY_ONLY (only hosts the mesh or a ServiceEntry declares) or ALLOW_ANY (any host)`);
}

/** `allowRoutesFrom`: a list of project names (empty clears it), without the project itself. */
function projectList(v: unknown, self: string): string[] {
  if (!Array.isArray(v)) throw badRequest('allowRoutesFrom: a list of project names, e.g. ["shop"]; [] lets no other project in');
  const out: string[] = [];
  for (const p of v) {
    const err = dns1123LabelError(p);
    if (err) throw invalid(`allowRoutesFrom: ${err}`);
    if (p === self) throw invalid(`allowRoutesFrom: ${self} is the project itself, whose rules always apply to its own hosts; list other projects`);
    if (!out.includes(p as string)) out.push(p as string);
  }
  return out;
}

function workspaceName(workspace: unknown): string {
  const err = dns1123LabelError(workspace);
  if (err) throw invalid(`workspace: ${err}`);
  return workspace as string;
}

export function registerProjectWriteRoutes(app: FastifyInstance, api: OpenApi, deps: ProjectRoutesDeps): void {
  const { projects, writes } = deps;

  app.post('/api/v1/projects', async (req, reply) => {
    const { name, governance, workspace } = (req.body ?? {}) as CreateBody;
    const err = dns1123LabelError(name);
    if (err) throw invalid(`Namespace: metadata.name: ${err}`);
    if (workspace !== undefined) {
      req.access.requireWorkspace(workspaceName(workspace), WorkspaceAccess.Admin, `create projects in workspace ${String(workspace)}`);
    } else {
      req.access.requirePlatform(`create project ${String(name)} outside a workspace (name one: --workspace W)`);
    }
    const ns: Namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: name as string,
        ...(workspace !== undefined ? { labels: { [WORKSPACE_LABEL]: workspace as string } } : {}),
        annotations: { [GOVERNANCE_ANNOTATION]: String(governance !== false) },
      },
    };
    const created = await writes.create(ns);
    reply.status(201);
    return created;
  });
  api.add('post', '/api/v1/projects', 'Creates a project: {name, workspace?, governance?} (a workspace-admin in their workspace; outside one, a platform-admin)');

  app.patch('/api/v1/projects/:project', async (req) => {
    let ns = structuredClone(mustProject(projects, (req.params as { project: string }).project));
    const { governance, workspace, allowRoutesFrom, outboundPolicy: outbound } = (req.body ?? {}) as PatchBody;
    if (typeof governance !== 'boolean' && workspace === undefined && allowRoutesFrom === undefined && outbound === undefined) {
      throw badRequest('body: {"governance": true|false}, {"allowRoutesFrom": ["P", ...]}, {"outboundPolicy": "REGISTRY_ONLY"|"ALLOW_ANY"} or {"workspace": "W"} required');
    }
    const policy = outbound === undefined ? undefined : parseOutboundPolicy(outbound);
    if (governance !== undefined && typeof governance !== 'boolean') throw badRequest('governance: true or false');
    if (allowRoutesFrom !== undefined && writes.noAllowRoutesFrom) throw invalid(`allowRoutesFrom: ${writes.noAllowRoutesFrom}`);
    const allowed = allowRoutesFrom === undefined ? undefined : projectList(allowRoutesFrom, ns.metadata.name);
    if (workspace !== undefined) {
      const w = workspaceName(workspace);
      // Moving a project between workspaces changes who may see it: a platform decision.
      req.access.requirePlatform(`move project ${ns.metadata.name} to another workspace`);
      req.access.requireWorkspace(w, WorkspaceAccess.Admin);
      ns.metadata.labels = { ...ns.metadata.labels, [WORKSPACE_LABEL]: w };
    }
    if (typeof governance === 'boolean') ns.metadata.annotations = { ...ns.metadata.annotations, [GOVERNANCE_ANNOTATION]: String(governance) };
    if (allowed !== undefined) ns = withAllowRoutesFrom(ns, allowed);
    if (policy !== undefined) ns.metadata.annotations = { ...ns.metadata.annotations, [OUTBOUND_POLICY_ANNOTATION]: policy };
    return writes.update(ns);
  });
  api.add(
    'patch',
    '/api/v1/projects/:project',
    'Changes project settings: {governance}, {allowRoutesFrom: [projects whose traffic rules may name its hosts and route to it]}, {outboundPolicy: REGISTRY_ONLY or ALLOW_ANY} (project-admin), {workspace} (platform-admin)',
  );

  app.delete('/api/v1/projects/:project', async (req) => {
    const { project } = req.params as { project: string };
    mustProject(projects, project);
    await writes.remove(project);
    return { deleted: project };
  });
  api.add('delete', '/api/v1/projects/:project', 'Deletes a project and everything in it');
}
