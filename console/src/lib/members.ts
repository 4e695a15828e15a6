/**
 * Member changes of a project or a workspace (KubeSphere's Project Members and
 * Workspace Members): what each does, in the words of its confirm step.
 */

/** The project or workspace whose members are shown. */
export interface MemberTarget {
  scope: 'project' | 'workspace';
  name: string;
}

/** A change to the members: invite someone, change a member's role, remove a member. */
export type MemberOp = { kind: 'invite'; user: string; role: string } | { kind: 'role'; user: string; role: string; from: string } | { kind: 'remove'; user: string; role: string };

/** The confirm step of a change: title, what happens, the confirm button's word. */
export function describeMemberOp(t: MemberTarget, op: MemberOp): { title: string; text: string; confirm: string; danger?: boolean } {
  const where = `${t.scope} ${t.name}`;
  switch (op.kind) {
    case 'invite':
      return { title: 'Invite Member', text: `${op.user} joins ${where} as ${op.role}.`, confirm: 'Invite' };
    case 'role':
      return { title: 'Change Role', text: `${op.user} becomes ${op.role} in ${where} (now ${op.from}).`, confirm: 'Change' };
    case 'remove':
      return {
        title: 'Remove Member',
        text: `${op.user} (${op.role}) leaves ${where} and loses the access that role gave them. Their account stays.`,
        confirm: 'Remove',
        danger: true,
      };
  }
}

/** Members matching a search (by user or role), sorted by user. */
export function filterMembers<T extends { user: string; role: string }>(members: T[], q: string): T[] {
  const s = q.trim().toLowerCase();
  return members.filter((m) => !s || m.user.toLowerCase().includes(s) || m.role.toLowerCase().includes(s)).sort((a, b) => a.user.localeCompare(b.user));
}

/** What each role may do (after KubeSphere's built-in roles; src/api/roles.ts decides). */
export const ROLE_TEXT: Record<string, string> = {
  'project-admin': 'Manages the project: its settings (gateway, Application Governance) and its members.',
  'project-regular': 'Deploys applications, changes workloads and traffic rules, runs grayscale releases. Not settings or members.',
  'project-viewer': 'Reads everything in the project and changes nothing.',
  'workspace-admin': 'Manages the workspace: creates and deletes its projects, manages its members.',
  'workspace-regular': 'Sees the workspace; works in the projects they are invited to.',
  'workspace-viewer': 'Reads every project of the workspace and changes nothing.',
};
