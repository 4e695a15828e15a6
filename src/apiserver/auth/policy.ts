/**
 * The route policy: what each API route needs, looked up by method and the
 * route pattern Fastify matched (never the raw URL, so encodings cannot
 * disguise a route). Routes registered by any part of graymesh are covered
 * without doing anything: a route not in the table gets the default for its
 * shape, and the default denies:
 * - a route under a project (`:project`): reading needs project-viewer,
 *   anything else project-admin;
 * - any other API route (`/api/`, `/xds/`, `/v1/`, `/metrics`): platform-admin;
 * - the console's own files (every other path): open to GET.
 * Only health checks, login and the console's files are open.
 */
import { ProjectAccess, WorkspaceAccess } from '../../api/roles.js';

export type Need =
  /** No credentials needed. */
  | { kind: 'open' }
  /** Any account or the instance token. */
  | { kind: 'authenticated' }
  /** A platform admin; `action` says what for, in messages. */
  | { kind: 'platform'; action: string }
  /** The instance's own token: node proxies. */
  | { kind: 'instance' }
  /** A token of this scope, or a platform admin; with `allProjects`, only a token not limited to one project. */
  | { kind: 'scoped'; scope: 'scrape' | 'ingest'; allProjects?: boolean }
  /** This access on the project named by the `:project` parameter. */
  | { kind: 'project'; level: ProjectAccess; action?: string }
  /** This access on the workspace named by the `:workspace` parameter. */
  | { kind: 'workspace'; level: WorkspaceAccess; action?: string }
  /** Manifests in the body (apply, delete): checked per object once the body is read. */
  | { kind: 'objects' }
  /** A trace by id: read access to every project its spans belong to. */
  | { kind: 'trace' }
  /** Any account or the instance token; the handler decides the rest (it depends on the body or on who asks). */
  | { kind: 'handler' };

export interface Rule {
  methods: string[];
  /** A Fastify route pattern; a trailing `*` matches every pattern starting with what precedes it. */
  route: string;
  need: Need;
}

const OPEN: Need = { kind: 'open' };
const AUTH: Need = { kind: 'authenticated' };
const HANDLER: Need = { kind: 'handler' };
const platform = (action: string): Need => ({ kind: 'platform', action });
const project = (level: ProjectAccess, action?: string): Need => ({ kind: 'project', level, ...(action ? { action } : {}) });
const workspace = (level: WorkspaceAccess, action?: string): Need => ({ kind: 'workspace', level, ...(action ? { action } : {}) });
const rule = (methods: string, route: string, need: Need): Rule => ({ methods: methods.split(','), route, need });

const WRITE = 'POST,PUT,PATCH,DELETE';

/** First match wins. */
export const RULES: Rule[] = [
  rule('GET', '/healthz', OPEN),
  rule('POST', '/api/v1/login', OPEN),
  rule('POST', '/api/v1/logout', AUTH),
  rule('GET', '/api/v1/me', AUTH),
  rule('GET', '/api/openapi.json', AUTH),
  rule('GET', '/api/v1/status', AUTH),
  rule('POST', '/api/v1/proxies/restart', platform('restart the node proxy')),
  rule('GET', '/api/v1/config/wait', AUTH),
  rule('GET,POST', '/xds/v1/*', { kind: 'instance' }),
  // Telemetry: Prometheus scrapes (a project's token reads that project's series), Grafana and
  // Jaeger UI read the Jaeger query API (every project's traces), applications send spans.
  rule('GET', '/metrics', { kind: 'scoped', scope: 'scrape' }),
  rule('GET', '/api/services*', { kind: 'scoped', scope: 'scrape', allProjects: true }),
  rule('GET', '/api/operations', { kind: 'scoped', scope: 'scrape', allProjects: true }),
  rule('GET', '/api/traces*', { kind: 'scoped', scope: 'scrape', allProjects: true }),
  rule('GET', '/api/dependencies', { kind: 'scoped', scope: 'scrape', allProjects: true }),
  rule('POST', '/v1/traces', { kind: 'scoped', scope: 'ingest' }),
  rule('POST', '/api/v2/spans', { kind: 'scoped', scope: 'ingest' }),
  rule('GET', '/api/v1/traces/:id', { kind: 'trace' }),
  // Manifests: every object's project is checked.
  rule('POST', '/api/v1/apply', { kind: 'objects' }),
  rule('POST', '/api/v1/delete', { kind: 'objects' }),
  // Projects.
  rule('GET', '/api/v1/projects', HANDLER),
  rule('POST', '/api/v1/projects', HANDLER),
  rule('GET', '/api/v1/projects/:project', project(ProjectAccess.Read)),
  rule('PATCH', '/api/v1/projects/:project', project(ProjectAccess.Admin, 'change the settings of project {project}')),
  rule('DELETE', '/api/v1/projects/:project', project(ProjectAccess.Owner, 'delete project {project}')),
  rule('GET', '/api/v1/projects/:project/members', project(ProjectAccess.Read)),
  rule(WRITE, '/api/v1/projects/:project/members*', project(ProjectAccess.Admin, 'change the members of project {project}')),
  // An automatic release's promote and abort: whoever may change the project's releases.
  rule('POST', '/api/v1/projects/:project/releases/:name/promote', project(ProjectAccess.Write, 'promote release {name} in project {project}')),
  rule('POST', '/api/v1/projects/:project/releases/:name/abort', project(ProjectAccess.Write, 'abort release {name} in project {project}')),
  rule(WRITE, '/api/v1/projects/:project/releases*', project(ProjectAccess.Write, 'change releases in project {project}')),
  rule('POST', '/api/v1/projects/:project/samples/:name', project(ProjectAccess.Write, 'deploy samples into project {project}')),
  rule('POST', '/api/v1/projects/:project/:resource', project(ProjectAccess.Write, 'create {resource} in project {project}')),
  rule('PUT,DELETE', '/api/v1/projects/:project/:resource/:name', project(ProjectAccess.Write, 'change {resource} in project {project}')),
  // Users, workspaces, tokens, audit.
  rule('GET', '/api/v1/users', platform('list users')),
  rule('POST', '/api/v1/users', platform('create users')),
  rule('GET', '/api/v1/users/:user', HANDLER),
  rule('PUT', '/api/v1/users/:user/password', HANDLER),
  rule('DELETE', '/api/v1/users/:user', platform('delete users')),
  rule('GET', '/api/v1/workspaces', HANDLER),
  rule('POST', '/api/v1/workspaces', platform('create workspaces')),
  rule('GET', '/api/v1/workspaces/:workspace', workspace(WorkspaceAccess.Read)),
  rule('DELETE', '/api/v1/workspaces/:workspace', platform('delete workspaces')),
  rule('GET', '/api/v1/workspaces/:workspace/members', workspace(WorkspaceAccess.Read)),
  rule(WRITE, '/api/v1/workspaces/:workspace/members*', workspace(WorkspaceAccess.Admin, 'change the members of workspace {workspace}')),
  rule('GET,POST', '/api/v1/tokens', HANDLER),
  rule('DELETE', '/api/v1/tokens/:id', HANDLER),
  rule('GET', '/api/v1/audit', HANDLER),
];

/** Paths of the API (everything else is the console's). */
export function isApiPath(path: string): boolean {
  return path.startsWith('/api/') || path === '/api' || path.startsWith('/xds/') || path.startsWith('/v1/') || path === '/metrics';
}

/** What a request needs. `route` is the pattern Fastify matched (undefined when none did: a 404). */
export function needOf(method: string, route: string | undefined, path: string): Need {
  const m = method === 'HEAD' ? 'GET' : method;
  if (route === undefined) return isApiPath(path) || m !== 'GET' ? AUTH : OPEN;
  for (const r of RULES) {
    if (!r.methods.includes(m)) continue;
    if (r.route.endsWith('*') ? route.startsWith(r.route.slice(0, -1)) : route === r.route) return r.need;
  }
  if (/\/:project(\/|$)/.test(route)) return m === 'GET' ? project(ProjectAccess.Read) : project(ProjectAccess.Admin);
  // The pattern decides, not the URL: Fastify matches `/%61pi/v1/x` to the route `/api/v1/x`. The
  // URL is checked too, so a console catch-all pattern never opens an API path.
  if (isApiPath(route) || isApiPath(path)) return platform(`use ${m} ${route}`);
  return m === 'GET' ? OPEN : platform(`use ${m} ${route}`);
}
