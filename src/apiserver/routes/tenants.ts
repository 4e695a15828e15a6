/** Users, workspaces and members (of workspaces and of projects), after KubeSphere's multi-tenancy. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { alreadyExists, conflict, forbidden, invalid, notFound } from '../../api/errors.js';
import { dns1123LabelError } from '../../api/names.js';
import type { Namespace } from '../../api/objects.js';
import type { AuthService } from '../auth/auth-service.js';
import type { Member, MemberScope } from '../auth/auth-store.js';
import { PROJECT_ROLES, WORKSPACE_LABEL, WORKSPACE_ROLES, isProjectRole, isWorkspaceRole } from '../../api/roles.js';
import type { OpenApi } from '../openapi.js';
import { AUTH_BODY_LIMIT } from './auth.js';

const memberView = (m: Member): Record<string, string> => ({ user: m.user, role: m.role, createdAt: m.createdAt });

export function registerTenantRoutes(app: FastifyInstance, api: OpenApi, auth: AuthService): void {
  const { accounts, projects } = auth;
  const opts = { bodyLimit: AUTH_BODY_LIMIT };
  const mustUser = (name: unknown): string => {
    const err = dns1123LabelError(name);
    if (err) throw invalid(`user: ${err}`);
    if (!accounts.getUser(name as string)) throw notFound(`user ${String(name)} not found`);
    return name as string;
  };
  const projectsOf = (workspace: string): Namespace[] =>
    projects.list().filter((ns) => ns.metadata.labels?.[WORKSPACE_LABEL] === workspace);
  const userView = (name: string): Record<string, unknown> => {
    const u = accounts.getUser(name)!;
    const ms = accounts.membershipsOf(name);
    return {
      name: u.name,
      platformRole: u.platformRole,
      createdAt: u.createdAt,
      workspaces: ms.filter((m) => m.scope === 'workspace').map((m) => ({ workspace: m.target, role: m.role })),
      projects: ms.filter((m) => m.scope === 'project').map((m) => ({ project: m.target, role: m.role })),
    };
  };

  // Users.
  app.get('/api/v1/users', async () => ({ items: accounts.listUsers().map((u) => userView(u.name)) }));
  api.add('get', '/api/v1/users', 'Lists users with their roles (platform-admin)');

  app.post('/api/v1/users', opts, async (req, reply) => {
    const b = (req.body ?? {}) as { name?: unknown; password?: unknown; platformRole?: unknown; workspace?: unknown; workspaceRole?: unknown };
    if (b.platformRole !== undefined && b.platformRole !== 'platform-admin' && b.platformRole !== 'platform-regular') {
      throw invalid('platformRole: platform-admin or platform-regular');
    }
    let workspace: string | undefined;
    if (b.workspace !== undefined) {
      const err = dns1123LabelError(b.workspace);
      if (err) throw invalid(`workspace: ${err}`);
      workspace = b.workspace as string;
      if (!accounts.getWorkspace(workspace)) throw notFound(`workspace ${workspace} not found`);
    }
    const wsRole = b.workspaceRole ?? 'workspace-regular';
    if (!isWorkspaceRole(wsRole)) throw invalid(`workspaceRole: one of ${WORKSPACE_ROLES.join(', ')}`);
    if (!(await auth.createUser(b.name, b.password, b.platformRole === 'platform-admin'))) throw alreadyExists(`user ${String(b.name)} already exists`);
    if (workspace) await accounts.setMember('workspace', workspace, b.name as string, wsRole);
    reply.status(201);
    return userView(b.name as string);
  });
  api.add('post', '/api/v1/users', 'Creates a user: {name, password, platformRole?, workspace?, workspaceRole?} (platform-admin)');

  app.get('/api/v1/users/:user', async (req) => {
    const { user } = req.params as { user: string };
    req.access.requireSelfOrPlatform(user, `read user ${user}`);
    return userView(mustUser(user));
  });
  api.add('get', '/api/v1/users/:user', 'Reads a user (the user themself or a platform-admin)');

  app.put('/api/v1/users/:user/password', opts, async (req) => {
    const { user } = req.params as { user: string };
    req.access.requireSelfOrPlatform(user, `change the password of ${user}`);
    mustUser(user);
    const b = (req.body ?? {}) as { password?: unknown; currentPassword?: unknown };
    const self = req.access.principal?.kind === 'user' && req.access.principal.name === user;
    if (self && !(await auth.checkPassword(user, b.currentPassword))) {
      req.access.refused = true;
      throw forbidden('currentPassword: wrong; the password was not changed');
    }
    await auth.setPassword(user, b.password);
    await accounts.revokeSessions(user, self ? req.access.principal?.tokenId : undefined);
    return { user, passwordChanged: true };
  });
  api.add('put', '/api/v1/users/:user/password', "Changes a password: {password, currentPassword} (the user) or {password} (platform-admin); ends the user's other sessions");

  app.delete('/api/v1/users/:user', async (req) => {
    const { user } = req.params as { user: string };
    const u = accounts.getUser(mustUser(user))!;
    if (user === req.access.user) throw conflict(`user ${user}: you cannot delete yourself`);
    if (u.platformRole === 'platform-admin' && accounts.countPlatformAdmins() <= 1) throw conflict(`user ${user} is the last platform-admin`);
    await accounts.deleteUser(user);
    return { deleted: user };
  });
  api.add('delete', '/api/v1/users/:user', 'Deletes a user, their memberships and sessions (platform-admin)');

  // Workspaces.
  const workspaceView = (req: FastifyRequest, name: string): Record<string, unknown> => {
    const w = accounts.getWorkspace(name)!;
    return { ...w, projects: req.access.visibleProjects(projectsOf(name)).map((ns) => ns.metadata.name) };
  };
  app.get('/api/v1/workspaces', async (req) => ({ items: req.access.visibleWorkspaces().map((w) => workspaceView(req, w.name)) }));
  api.add('get', '/api/v1/workspaces', 'Lists the workspaces the caller may see, with their projects');

  app.post('/api/v1/workspaces', opts, async (req, reply) => {
    const { name } = (req.body ?? {}) as { name?: unknown };
    const err = dns1123LabelError(name);
    if (err) throw invalid(`workspace: name ${err}`);
    if (!(await accounts.createWorkspace(name as string, req.access.user))) throw alreadyExists(`workspace ${String(name)} already exists`);
    reply.status(201);
    return workspaceView(req, name as string);
  });
  api.add('post', '/api/v1/workspaces', 'Creates a workspace: {name} (platform-admin)');

  app.get('/api/v1/workspaces/:workspace', async (req) => workspaceView(req, (req.params as { workspace: string }).workspace));
  api.add('get', '/api/v1/workspaces/:workspace', 'Reads a workspace');

  app.delete('/api/v1/workspaces/:workspace', async (req) => {
    const { workspace } = req.params as { workspace: string };
    if (!accounts.getWorkspace(workspace)) throw notFound(`workspace ${workspace} not found`);
    const left = projectsOf(workspace).map((ns) => ns.metadata.name);
    if (left.length > 0) throw conflict(`workspace ${workspace} still holds projects ${left.join(', ')}; delete them first`);
    await accounts.deleteWorkspace(workspace);
    return { deleted: workspace };
  });
  api.add('delete', '/api/v1/workspaces/:workspace', 'Deletes an empty workspace (platform-admin)');

  // Members of workspaces and projects.
  const memberRoutes = (scope: MemberScope, base: string, param: 'workspace' | 'project'): void => {
    const roles = scope === 'workspace' ? WORKSPACE_ROLES : PROJECT_ROLES;
    const valid = scope === 'workspace' ? isWorkspaceRole : isProjectRole;
    const targetOf = (req: FastifyRequest): string => {
      const t = (req.params as Record<string, string>)[param] as string;
      const exists = scope === 'workspace' ? accounts.getWorkspace(t) : projects.get(t);
      if (!exists) throw notFound(`${scope} ${t} not found`);
      return t;
    };
    app.get(base, async (req) => ({ items: accounts.members(scope, targetOf(req)).map(memberView) }));
    api.add('get', base, `Lists the members of a ${scope} and their roles`);

    app.post(base, opts, async (req, reply) => {
      const target = targetOf(req);
      const b = (req.body ?? {}) as { user?: unknown; role?: unknown };
      if (!valid(b.role)) throw invalid(`role: one of ${roles.join(', ')}`);
      const user = mustUser(b.user);
      if (scope === 'project') {
        // As in KubeSphere, a project's members come from its workspace: a project admin cannot reach into another tenant.
        const ws = projects.get(target)?.metadata.labels?.[WORKSPACE_LABEL];
        if (ws && !accounts.memberRole('workspace', ws, user) && accounts.getUser(user)?.platformRole !== 'platform-admin') {
          throw invalid(`user ${user} is not a member of workspace ${ws}; a workspace-admin adds them first (graymesh member add -w ${ws} ${user} --role workspace-regular)`);
        }
      }
      const had = accounts.memberRole(scope, target, user);
      await accounts.setMember(scope, target, user, b.role as string);
      reply.status(had ? 200 : 201);
      return { user, role: b.role, [scope]: target };
    });
    api.add('post', base, `Adds a member to a ${scope}, or changes their role: {user, role}`);

    app.delete(`${base}/:user`, async (req) => {
      const target = targetOf(req);
      const { user } = req.params as { user: string };
      if (!(await accounts.removeMember(scope, target, user))) throw notFound(`user ${user} is not a member of ${scope} ${target}`);
      return { removed: user, [scope]: target };
    });
    api.add('delete', `${base}/:user`, `Removes a member from a ${scope}`);
  };
  memberRoutes('workspace', '/api/v1/workspaces/:workspace/members', 'workspace');
  memberRoutes('project', '/api/v1/projects/:project/members', 'project');
}
