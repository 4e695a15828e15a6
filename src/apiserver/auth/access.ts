/**
 * What one caller may do: the decisions of the permission model, asked by the
 * request guard and by handlers that filter what they return. A caller sees a
 * project only with some role on it (404 otherwise, with the same text as a
 * missing project); a role too weak for a change answers 403 saying why.
 */
import { forbidden, notFound } from '../../api/errors.js';
import type { Namespace } from '../../api/objects.js';
import type { ProjectDirectory } from '../projects.js';
import type { AccountStore } from './account-store.js';
import type { Workspace } from './auth-store.js';
import {
  ProjectAccess,
  WORKSPACE_LABEL,
  WorkspaceAccess,
  describeLevel,
  isProjectRole,
  isWorkspaceRole,
  leastRoleFor,
  projectRoleAccess,
  workspaceRoleProjectAccess,
} from '../../api/roles.js';

/** Who is calling. */
export interface Principal {
  /** The account name (`admin` for the instance token), or `token:<id>` for a scoped token. */
  name: string;
  /** instance: the home's own token (CLI on the home, node proxies); user: a login session; token: a scoped token. */
  kind: 'instance' | 'user' | 'token';
  /** Holds platform-admin. */
  platformAdmin: boolean;
  /** A scoped token's scope. */
  scope?: 'scrape' | 'ingest';
  /** A scoped token's project, when it is limited to one. */
  project?: string;
  /** The session or scoped token's id (logout revokes it). */
  tokenId?: string;
  /** When the session ends, in milliseconds since the epoch. */
  expiresAt?: number;
}

export class Access {
  /** Set when a check refused the request (the audit log records it as a refusal). */
  refused = false;
  /** The user an unauthenticated request claimed to be (a login), for the audit log. */
  claimedUser: string | undefined;

  constructor(
    readonly principal: Principal | undefined,
    private readonly auth: AccountStore,
    private readonly projects: ProjectDirectory,
  ) {}

  /** The caller's name for records: the account, `token:<id>`, or `-`. */
  get user(): string {
    return this.principal?.name ?? '-';
  }

  get isPlatformAdmin(): boolean {
    return this.principal?.platformAdmin === true;
  }

  /** An account or the instance token (not a scoped token). */
  get isPerson(): boolean {
    return this.principal !== undefined && this.principal.kind !== 'token';
  }

  /** The access this caller has on a project (None when it does not exist, except for platform admins). */
  projectAccess(project: string | Namespace): ProjectAccess {
    if (this.isPlatformAdmin) return ProjectAccess.Owner;
    const p = this.principal;
    if (!p || p.kind === 'token') return ProjectAccess.None;
    const ns = typeof project === 'string' ? this.projects.get(project) : project;
    if (!ns) return ProjectAccess.None;
    let level = ProjectAccess.None;
    const ws = ns.metadata.labels?.[WORKSPACE_LABEL];
    if (ws) {
      const role = this.auth.memberRole('workspace', ws, p.name);
      if (isWorkspaceRole(role)) level = Math.max(level, workspaceRoleProjectAccess(role));
    }
    const role = this.auth.memberRole('project', ns.metadata.name, p.name);
    if (isProjectRole(role)) level = Math.max(level, projectRoleAccess(role));
    return level;
  }

  /** The caller's role on a project, in words, for messages. */
  projectRoleName(project: string): string {
    if (this.isPlatformAdmin) return 'platform-admin';
    const p = this.principal;
    if (!p) return 'anonymous';
    const ns = this.projects.get(project);
    const ws = ns?.metadata.labels?.[WORKSPACE_LABEL];
    const roles: string[] = [];
    const pr = this.auth.memberRole('project', project, p.name);
    if (pr) roles.push(`${pr} in project ${project}`);
    const wr = ws ? this.auth.memberRole('workspace', ws, p.name) : undefined;
    if (wr && wr !== 'workspace-regular') roles.push(`${wr} of workspace ${ws}`);
    return roles.length > 0 ? roles.join(' and ') : `without a role in project ${project}`;
  }

  canSeeProject(ns: Namespace | string): boolean {
    return this.projectAccess(ns) >= ProjectAccess.Read;
  }

  /** The projects of a list this caller may see. */
  visibleProjects<T extends Namespace>(list: T[]): T[] {
    return list.filter((ns) => this.canSeeProject(ns));
  }

  /**
   * Throws 404 when the caller may not know the project exists (or it does
   * not), 403 when their role is too weak. A missing project passes for
   * platform admins: the handler answers (or creates it).
   */
  requireProject(project: string, level: ProjectAccess, action?: string): void {
    const have = this.projectAccess(project);
    if (have >= level) return;
    this.refused = true;
    if (have === ProjectAccess.None) throw notFound(`project ${project} not found`);
    const what = action ?? `${describeLevel(level)} project ${project}`;
    throw forbidden(`${this.user} may not ${what}: that needs ${leastRoleFor(level)} or above, and ${this.user} is ${this.projectRoleName(project)}`);
  }

  /** The access this caller has on a workspace. */
  workspaceAccess(workspace: string): WorkspaceAccess {
    if (!this.auth.getWorkspace(workspace)) return WorkspaceAccess.None;
    if (this.isPlatformAdmin) return WorkspaceAccess.Admin;
    const p = this.principal;
    if (!p || p.kind === 'token') return WorkspaceAccess.None;
    const role = this.auth.memberRole('workspace', workspace, p.name);
    if (role === 'workspace-admin') return WorkspaceAccess.Admin;
    if (role) return WorkspaceAccess.Read;
    // A member of one of its projects knows the workspace exists.
    const inProject = this.auth
      .membershipsOf(p.name)
      .some((m) => m.scope === 'project' && this.projects.get(m.target)?.metadata.labels?.[WORKSPACE_LABEL] === workspace);
    return inProject ? WorkspaceAccess.Read : WorkspaceAccess.None;
  }

  /** Throws 404 when the workspace is missing or unknown to the caller, 403 when they may not change it. */
  requireWorkspace(workspace: string, level: WorkspaceAccess, action?: string): void {
    const have = this.workspaceAccess(workspace);
    if (have >= level) return;
    this.refused = true;
    if (have === WorkspaceAccess.None) throw notFound(`workspace ${workspace} not found`);
    const role = this.principal ? (this.auth.memberRole('workspace', workspace, this.principal.name) ?? 'a member of one of its projects') : 'anonymous';
    throw forbidden(`${this.user} may not ${action ?? `change workspace ${workspace}`}: that needs workspace-admin, and ${this.user} is ${role}`);
  }

  /** The workspaces this caller may see. */
  visibleWorkspaces(): Workspace[] {
    return this.auth.listWorkspaces().filter((w) => this.workspaceAccess(w.name) >= WorkspaceAccess.Read);
  }

  /** Throws 403 unless the caller is a platform admin. */
  requirePlatform(action: string): void {
    if (this.isPlatformAdmin) return;
    this.refused = true;
    throw forbidden(`${this.user} may not ${action}: that needs platform-admin`);
  }

  /** Throws 403 unless the caller is this user or a platform admin. */
  requireSelfOrPlatform(user: string, action: string): void {
    if (this.isPlatformAdmin || (this.principal?.kind === 'user' && this.principal.name === user)) return;
    this.refused = true;
    throw forbidden(`${this.user} may not ${action}: only ${user} or a platform-admin may`);
  }
}
