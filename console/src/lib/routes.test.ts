import { describe, expect, it } from 'vitest';
import { parseRoute, routePath, sectionOf, withQuery, type Route } from './routes';

describe('routes', () => {
  it('round-trips every page through its path', () => {
    const routes: Route[] = [
      { page: 'login' },
      { page: 'projects' },
      { page: 'applications', project: 'demo-project' },
      { page: 'application', project: 'demo-project', name: 'bookinfo' },
      { page: 'workloads', project: 'demo-project' },
      { page: 'workload', project: 'demo-project', name: 'reviews-v1' },
      { page: 'grayscale', project: 'demo-project' },
      { page: 'release', project: 'demo-project', name: 'canary-release' },
      { page: 'topology', project: 'demo-project' },
      { page: 'tracing', project: 'demo-project' },
      { page: 'trace', project: 'demo-project', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
      { page: 'settings', project: 'demo-project' },
      { page: 'members', project: 'demo-project' },
      { page: 'audit', project: 'demo-project' },
      { page: 'workspaces' },
      { page: 'workspace', workspace: 'demo-workspace' },
      { page: 'accounts' },
    ];
    for (const r of routes) expect(parseRoute(routePath(r))).toEqual(r);
  });

  it('opens a project on its applications, and the root on the project list', () => {
    expect(parseRoute('/')).toEqual({ page: 'projects' });
    expect(parseRoute('/projects/demo-project/')).toEqual({ page: 'applications', project: 'demo-project' });
  });

  it('answers unknown paths with a not-found page', () => {
    expect(parseRoute('/nowhere').page).toBe('notfound');
    expect(parseRoute('/projects/p/topology/extra').page).toBe('notfound');
    expect(parseRoute('/projects/p/a/b/c/d').page).toBe('notfound');
    expect(parseRoute('/workspaces/w/extra').page).toBe('notfound');
    expect(parseRoute('/platform').page).toBe('notfound');
  });

  it('names the sidebar section of detail pages', () => {
    expect(sectionOf({ page: 'release', project: 'p', name: 'x' })).toBe('grayscale');
    expect(sectionOf({ page: 'projects' })).toBeUndefined();
  });

  it('builds queries without empty values', () => {
    expect(withQuery('/x', { window: '60s', node: undefined, q: '' })).toBe('/x?window=60s');
    expect(withQuery('/x', {})).toBe('/x');
  });
});
