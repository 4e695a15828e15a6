import { describe, expect, it } from 'vitest';
import type { Me } from '../api/types';
import { adminWorkspaces, administersProject, isPlatformAdmin, projectRoleOf, showsWorkspaces } from './access';

const me = (platformRole: string, roles: Me['roles'], workspaces: string[] = []): Me => ({
  user: { name: 'u', kind: 'user', platformRole },
  roles: [{ scope: 'platform', role: platformRole }, ...roles],
  workspaces,
});

describe('access', () => {
  it('gives a platform admin every workspace and project', () => {
    const admin = me('platform-admin', [], ['ws-a', 'ws-b']);
    expect(isPlatformAdmin(admin)).toBe(true);
    expect(adminWorkspaces(admin)).toEqual(['ws-a', 'ws-b']);
    expect(administersProject(admin, 'demo-project')).toBe(true);
  });

  it('gives a workspace admin their workspace and its projects, not others', () => {
    const wsAdmin = me('platform-regular', [{ scope: 'workspace', workspace: 'ws-a', role: 'workspace-admin' }, { scope: 'workspace', workspace: 'ws-b', role: 'workspace-viewer' }], ['ws-a', 'ws-b']);
    expect(adminWorkspaces(wsAdmin)).toEqual(['ws-a']);
    expect(showsWorkspaces(wsAdmin)).toBe(true);
    expect(administersProject(wsAdmin, 'p', 'ws-a')).toBe(true);
    expect(administersProject(wsAdmin, 'p', 'ws-b')).toBe(false);
  });

  it('tells a project admin from a viewer', () => {
    const viewer = me('platform-regular', [{ scope: 'project', project: 'demo-project', role: 'project-viewer' }]);
    const padmin = me('platform-regular', [{ scope: 'project', project: 'demo-project', role: 'project-admin' }]);
    expect(projectRoleOf(viewer, 'demo-project')).toBe('project-viewer');
    expect(administersProject(viewer, 'demo-project')).toBe(false);
    expect(showsWorkspaces(viewer)).toBe(false);
    expect(administersProject(padmin, 'demo-project')).toBe(true);
    expect(administersProject(padmin, 'other')).toBe(false);
  });

  it('offers nothing before /me answers', () => {
    expect(isPlatformAdmin(undefined)).toBe(false);
    expect(adminWorkspaces(undefined)).toEqual([]);
  });
});
