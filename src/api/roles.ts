/**
 * Roles after KubeSphere's built-in roles (platform, workspace and project
 * scope), and the access level each grants on a project or a workspace.
 */

export const PLATFORM_ROLES = ['platform-admin', 'platform-regular'] as const;
export const WORKSPACE_ROLES = ['workspace-admin', 'workspace-regular', 'workspace-viewer'] as const;
export const PROJECT_ROLES = ['project-admin', 'project-regular', 'project-viewer'] as const;

export type PlatformRole = (typeof PLATFORM_ROLES)[number];
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];
export type ProjectRole = (typeof PROJECT_ROLES)[number];

/**
 * What may be done to a project, in increasing order; each level includes the
 * ones below it.
 */
export enum ProjectAccess {
  /** Knows nothing of the project: it answers 404. */
  None = 0,
  /** Reads everything in it: objects, logs, topology, traces, metrics, members. */
  Read = 1,
  /** Changes apps, workloads, services, traffic rules, releases, samples. */
  Write = 2,
  /** Changes its settings (governance, gateway) and its members; reads and writes its Secrets (TLS credentials). */
  Admin = 3,
  /** Deletes it (its workspace's admins and platform admins). */
  Owner = 4,
}

/** What may be done to a workspace, in increasing order. */
export enum WorkspaceAccess {
  /** Knows nothing of it: 404. */
  None = 0,
  /** Sees it and its members (any member, or a member of one of its projects). */
  Read = 1,
  /** Creates and deletes its projects and manages its members. */
  Admin = 2,
}

/** The access a project role grants. */
export function projectRoleAccess(role: ProjectRole): ProjectAccess {
  return role === 'project-admin' ? ProjectAccess.Admin : role === 'project-regular' ? ProjectAccess.Write : ProjectAccess.Read;
}

/**
 * The access a workspace role grants on each project of the workspace:
 * workspace-admin owns them, workspace-viewer reads them, workspace-regular
 * only sees the workspace (project access comes from project membership).
 */
export function workspaceRoleProjectAccess(role: WorkspaceRole): ProjectAccess {
  return role === 'workspace-admin' ? ProjectAccess.Owner : role === 'workspace-viewer' ? ProjectAccess.Read : ProjectAccess.None;
}

/** The least role that grants a level, for messages ("needs project-regular or above"). */
export function leastRoleFor(level: ProjectAccess): string {
  switch (level) {
    case ProjectAccess.Read:
      return 'project-viewer';
    case ProjectAccess.Write:
      return 'project-regular';
    case ProjectAccess.Admin:
      return 'project-admin';
    default:
      return 'workspace-admin';
  }
}

/** What a level allows, for messages. */
export function describeLevel(level: ProjectAccess): string {
  switch (level) {
    case ProjectAccess.Read:
      return 'read';
    case ProjectAccess.Write:
      return 'change apps, workloads, traffic rules and releases in';
    case ProjectAccess.Admin:
      return 'change the settings and members of';
    default:
      return 'delete';
  }
}

export const isProjectRole = (r: unknown): r is ProjectRole => PROJECT_ROLES.includes(r as ProjectRole);
export const isWorkspaceRole = (r: unknown): r is WorkspaceRole => WORKSPACE_ROLES.includes(r as WorkspaceRole);
export const isPlatformRole = (r: unknown): r is PlatformRole => PLATFORM_ROLES.includes(r as PlatformRole);

/** The label that records a project's workspace, as KubeSphere records it. */
export const WORKSPACE_LABEL = 'kubesphere.io/workspace';
