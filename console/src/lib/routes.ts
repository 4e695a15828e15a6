/**
 * The console's routes: every page is a path, its state (window, selected
 * node, search form, open tab) the query, so any view can be bookmarked.
 */

export type Route =
  | { page: 'login' }
  | { page: 'projects' }
  | { page: 'applications'; project: string }
  | { page: 'application'; project: string; name: string }
  | { page: 'workloads'; project: string }
  | { page: 'workload'; project: string; name: string }
  | { page: 'grayscale'; project: string }
  | { page: 'release'; project: string; name: string }
  | { page: 'topology'; project: string }
  | { page: 'tracing'; project: string }
  | { page: 'trace'; project: string; traceId: string }
  | { page: 'settings'; project: string }
  | { page: 'members'; project: string }
  | { page: 'audit'; project: string }
  | { page: 'workspaces' }
  | { page: 'workspace'; workspace: string }
  | { page: 'accounts' }
  | { page: 'notfound'; path: string };

export type ProjectPage = Extract<Route, { project: string }>['page'];

const PROJECT_PAGES: Record<string, { list: ProjectPage; item?: ProjectPage }> = {
  applications: { list: 'applications', item: 'application' },
  workloads: { list: 'workloads', item: 'workload' },
  grayscale: { list: 'grayscale', item: 'release' },
  topology: { list: 'topology' },
  tracing: { list: 'tracing', item: 'trace' },
  settings: { list: 'settings' },
  members: { list: 'members' },
  audit: { list: 'audit' },
};

/** The route of a path such as `/projects/demo-project/grayscale/canary-release`. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts.length === 0) return { page: 'projects' };
  if (parts[0] === 'login' && parts.length === 1) return { page: 'login' };
  if (parts[0] === 'platform' && parts[1] === 'accounts' && parts.length === 2) return { page: 'accounts' };
  if (parts[0] === 'workspaces' && parts.length <= 2) return parts[1] === undefined ? { page: 'workspaces' } : { page: 'workspace', workspace: parts[1] };
  if (parts[0] !== 'projects') return { page: 'notfound', path: pathname };
  if (parts.length === 1) return { page: 'projects' };
  const project = parts[1]!;
  if (parts.length === 2) return { page: 'applications', project };
  const section = PROJECT_PAGES[parts[2]!];
  if (!section || parts.length > 4) return { page: 'notfound', path: pathname };
  if (parts.length === 3) return { page: section.list, project } as Route;
  if (!section.item) return { page: 'notfound', path: pathname };
  const id = parts[3]!;
  if (section.item === 'trace') return { page: 'trace', project, traceId: id };
  return { page: section.item, project, name: id } as Route;
}

const SECTION_OF: Record<ProjectPage, string> = {
  applications: 'applications',
  application: 'applications',
  workloads: 'workloads',
  workload: 'workloads',
  grayscale: 'grayscale',
  release: 'grayscale',
  topology: 'topology',
  tracing: 'tracing',
  trace: 'tracing',
  settings: 'settings',
  members: 'members',
  audit: 'audit',
};

/** The path of a route; the inverse of parseRoute. */
export function routePath(r: Route): string {
  const e = encodeURIComponent;
  switch (r.page) {
    case 'login':
      return '/login';
    case 'projects':
      return '/projects';
    case 'workspaces':
      return '/workspaces';
    case 'workspace':
      return `/workspaces/${e(r.workspace)}`;
    case 'accounts':
      return '/platform/accounts';
    case 'notfound':
      return r.path;
    case 'trace':
      return `/projects/${e(r.project)}/tracing/${e(r.traceId)}`;
    case 'application':
    case 'workload':
    case 'release':
      return `/projects/${e(r.project)}/${SECTION_OF[r.page]}/${e(r.name)}`;
    default:
      return `/projects/${e(r.project)}/${SECTION_OF[r.page]}`;
  }
}

/** The sidebar section a page belongs to. */
export function sectionOf(r: Route): string | undefined {
  return 'project' in r ? SECTION_OF[r.page as ProjectPage] : undefined;
}

/** A path with a query, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
