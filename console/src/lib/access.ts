/**
 * What the console offers a user, read from GET /api/v1/me. Only menus and
 * links depend on it: the API still decides every request, and the console
 * shows its refusal as it words it.
 */
import type { Me } from '../api/types';

/** Whether the caller holds platform-admin (the instance token does). */
export function isPlatformAdmin(me: Me | undefined): boolean {
  return me?.user.platformRole === 'platform-admin';
}

/** The caller's role in a workspace, if they hold one there. */
export function workspaceRoleOf(me: Me | undefined, workspace: string): string | undefined {
  return me?.roles.find((r) => r.scope === 'workspace' && r.workspace === workspace)?.role;
}

/** The caller's role in a project, if they hold one there. */
export function projectRoleOf(me: Me | undefined, project: string): string | undefined {
  return me?.roles.find((r) => r.scope === 'project' && r.project === project)?.role;
}

/** The workspaces whose projects and members the caller manages: every one they see for a platform admin, else where they are workspace-admin. */
export function adminWorkspaces(me: Me | undefined): string[] {
  if (!me) return [];
  if (isPlatformAdmin(me)) return me.workspaces;
  return me.workspaces.filter((w) => workspaceRoleOf(me, w) === 'workspace-admin');
}

/** Whether the top bar shows Workspaces: to platform admins and workspace admins (KubeSphere's workspace view). */
export function showsWorkspaces(me: Me | undefined): boolean {
  return isPlatformAdmin(me) || adminWorkspaces(me).length > 0;
}

/**
 * Whether the caller administers a project (its settings, members and audit
 * log): platform-admin, the project's project-admin, or workspace-admin of
 * its workspace.
 */
export function administersProject(me: Me | undefined, project: string, workspace?: string): boolean {
  if (isPlatformAdmin(me) || projectRoleOf(me, project) === 'project-admin') return true;
  return workspace !== undefined && workspaceRoleOf(me, workspace) === 'workspace-admin';
}
