import { describe, expect, it } from 'vitest';
import { needOf } from './policy.js';
import { ProjectAccess } from '../../api/roles.js';
import { paramError } from './params.js';

describe('route policy', () => {
  it('maps known routes to their need', () => {
    expect(needOf('GET', '/healthz', '/healthz')).toEqual({ kind: 'open' });
    expect(needOf('POST', '/api/v1/login', '/api/v1/login')).toEqual({ kind: 'open' });
    expect(needOf('PATCH', '/api/v1/projects/:project', '/api/v1/projects/p')).toMatchObject({ kind: 'project', level: ProjectAccess.Admin });
    expect(needOf('DELETE', '/api/v1/projects/:project', '/api/v1/projects/p')).toMatchObject({ kind: 'project', level: ProjectAccess.Owner });
    expect(needOf('POST', '/api/v1/projects/:project/releases/:name/weights', '/x')).toMatchObject({ kind: 'project', level: ProjectAccess.Write });
    expect(needOf('DELETE', '/api/v1/projects/:project/members/:user', '/x')).toMatchObject({ kind: 'project', level: ProjectAccess.Admin });
    expect(needOf('GET', '/metrics', '/metrics')).toEqual({ kind: 'scoped', scope: 'scrape' });
    expect(needOf('POST', '/v1/traces', '/v1/traces')).toEqual({ kind: 'scoped', scope: 'ingest' });
    expect(needOf('GET', '/xds/v1/stream', '/xds/v1/stream')).toEqual({ kind: 'instance' });
    expect(needOf('HEAD', '/api/v1/projects/:project/:resource', '/x')).toMatchObject({ kind: 'project', level: ProjectAccess.Read });
  });

  it('denies by default: unknown project writes need project-admin, other unknown API routes platform-admin', () => {
    expect(needOf('GET', '/api/v1/projects/:project/topology', '/x')).toMatchObject({ kind: 'project', level: ProjectAccess.Read });
    expect(needOf('POST', '/api/v1/projects/:project/gateway', '/x')).toMatchObject({ kind: 'project', level: ProjectAccess.Admin });
    expect(needOf('GET', '/api/v1/something', '/api/v1/something')).toMatchObject({ kind: 'platform' });
    expect(needOf('GET', '/api/v2/unlisted', '/api/v2/unlisted')).toMatchObject({ kind: 'platform' });
    expect(needOf('GET', '/api/services', '/api/services')).toMatchObject({ kind: 'scoped', scope: 'scrape', allProjects: true });
    // No route matched: the API still wants credentials (then 404); the console's paths are open.
    expect(needOf('GET', undefined, '/api/v1/nope')).toEqual({ kind: 'authenticated' });
    expect(needOf('GET', undefined, '/projects/demo-project')).toEqual({ kind: 'open' });
    expect(needOf('GET', '/assets/*', '/assets/index.js')).toEqual({ kind: 'open' });
    expect(needOf('POST', '/assets/*', '/assets/index.js')).toMatchObject({ kind: 'platform' });
    // A console catch-all never opens an API path.
    expect(needOf('GET', '/*', '/api/v1/secret')).toMatchObject({ kind: 'platform' });
    // Regression: Fastify matches a percent-encoded URL to the API route; the pattern decides.
    expect(needOf('GET', '/api/v2/unlisted', '/%61pi/v2/unlisted')).toMatchObject({ kind: 'platform' });
    expect(needOf('GET', '/api/v1/projects/:project/graph', '/%61pi/v1/projects/p/graph')).toMatchObject({ kind: 'project' });
  });
});

describe('route parameters', () => {
  it('refuses traversal, separators and control characters', () => {
    expect(paramError('project', 'demo-project')).toBeUndefined();
    expect(paramError('project', '..')).toMatch(/DNS-1123/);
    expect(paramError('name', 'reviews-v1.x')).toBeUndefined();
    expect(paramError('name', '../etc')).toBeDefined();
    expect(paramError('id', '4bf92f3577b34da6a3ce929d0e0e4736')).toBeUndefined();
    expect(paramError('id', '..')).toBeDefined();
    expect(paramError('id', 'a/b')).toBeDefined();
    expect(paramError('service', 'productpage.demo-project')).toBeUndefined();
    expect(paramError('project', 'a\r\nSet-Cookie: x')).toMatch(/control/);
    expect(paramError('*', 'assets/index-abc.js')).toBeUndefined();
    expect(paramError('*', 'assets/../../admin-credentials')).toBeDefined();
  });
});
