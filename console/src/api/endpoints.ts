/** Paths of the REST API the console calls (see /api/openapi.json). */
const e = encodeURIComponent;

export const paths = {
  login: '/api/v1/login',
  logout: '/api/v1/logout',
  me: '/api/v1/me',
  status: '/api/v1/status',
  projects: '/api/v1/projects',
  project: (p: string) => `/api/v1/projects/${e(p)}`,
  list: (p: string, resource: string, labelSelector?: string) =>
    `/api/v1/projects/${e(p)}/${resource}${labelSelector ? `?labelSelector=${e(labelSelector)}` : ''}`,
  object: (p: string, resource: string, name: string) => `/api/v1/projects/${e(p)}/${resource}/${e(name)}`,
  sample: (p: string, name: string) => `/api/v1/projects/${e(p)}/samples/${e(name)}`,
  podLog: (p: string, pod: string, tail: number) => `/api/v1/projects/${e(p)}/pods/${e(pod)}/log?tail=${tail}`,
  workloadLog: (p: string, d: string, tail: number) => `/api/v1/projects/${e(p)}/deployments/${e(d)}/log?tail=${tail}`,
  releases: (p: string) => `/api/v1/projects/${e(p)}/releases`,
  release: (p: string, name: string) => `/api/v1/projects/${e(p)}/releases/${e(name)}`,
  releaseOp: (p: string, name: string, op: 'weights' | 'takeover' | 'restore' | 'rollback' | 'offline' | 'policy' | 'promote' | 'abort') =>
    `/api/v1/projects/${e(p)}/releases/${e(name)}/${op}`,
  graph: (p: string, window: string) => `/api/v1/projects/${e(p)}/graph?window=${e(window)}`,
  metrics: (p: string, q: { workload?: string; service?: string; window: string; step: string }) => {
    const s = new URLSearchParams();
    if (q.workload) s.set('workload', q.workload);
    if (q.service) s.set('service', q.service);
    s.set('window', q.window);
    s.set('step', q.step);
    return `/api/v1/projects/${e(p)}/metrics?${s.toString()}`;
  },
  traces: (p: string, query: URLSearchParams) => `/api/v1/projects/${e(p)}/traces?${query.toString()}`,
  trace: (id: string) => `/api/v1/traces/${e(id)}`,
  services: (p: string) => `/api/v1/projects/${e(p)}/services`,
  projectMembers: (p: string) => `/api/v1/projects/${e(p)}/members`,
  projectMember: (p: string, user: string) => `/api/v1/projects/${e(p)}/members/${e(user)}`,
  workspaces: '/api/v1/workspaces',
  workspace: (w: string) => `/api/v1/workspaces/${e(w)}`,
  workspaceMembers: (w: string) => `/api/v1/workspaces/${e(w)}/members`,
  workspaceMember: (w: string, user: string) => `/api/v1/workspaces/${e(w)}/members/${e(user)}`,
  users: '/api/v1/users',
  user: (name: string) => `/api/v1/users/${e(name)}`,
  audit: (q: { project?: string; user?: string; limit?: number }) => {
    const s = new URLSearchParams();
    if (q.project) s.set('project', q.project);
    if (q.user) s.set('user', q.user);
    if (q.limit) s.set('limit', String(q.limit));
    return `/api/v1/audit?${s.toString()}`;
  },
};
