/**
 * graymesh's accounts as objects (graymesh.dev/v1alpha1, all cluster-scoped), the way the
 * Kubernetes engine keeps them in the cluster: after KubeSphere, whose `iam.kubesphere.io` User
 * carries its password hash in its spec. Only hashes are kept: scrypt for passwords, SHA-256
 * for tokens, so a reader of these objects logs nobody in.
 *
 * | kind | name | spec |
 * |---|---|---|
 * | User | the user | passwordHash, platformRole |
 * | Workspace | the workspace | createdBy |
 * | Membership | `<scope>.<target>.<user>` | scope, target, user, role |
 * | Token | its id | hash, kind (session, scrape, ingest), user, project?, expiresAt? |
 * | AuditEvent | `audit-<sequence>` | the audited request; label graymesh.dev/project |
 */
import type { KubeObject } from './objects.js';

export const ACCOUNTS_API_VERSION = 'graymesh.dev/v1alpha1';

/** The account kinds with their REST plurals. */
export const ACCOUNT_KINDS = [
  { kind: 'User', plural: 'users' },
  { kind: 'Workspace', plural: 'workspaces' },
  { kind: 'Membership', plural: 'memberships' },
  { kind: 'Token', plural: 'tokens' },
  { kind: 'AuditEvent', plural: 'auditevents' },
] as const;

export type AccountKind = (typeof ACCOUNT_KINDS)[number]['kind'];

export interface UserObject extends KubeObject {
  kind: 'User';
  spec: { passwordHash: string; platformRole: string };
}

export interface WorkspaceObject extends KubeObject {
  kind: 'Workspace';
  spec: { createdBy: string };
}

export interface MembershipObject extends KubeObject {
  kind: 'Membership';
  spec: { scope: string; target: string; user: string; role: string };
}

export interface TokenObject extends KubeObject {
  kind: 'Token';
  /** expiresAt: RFC 3339. */
  spec: { hash: string; kind: string; user: string; project?: string; expiresAt?: string };
}

export interface AuditEventObject extends KubeObject {
  kind: 'AuditEvent';
  spec: Record<string, string | number>;
}

/** The label an AuditEvent carries its project in, for `kubectl get auditevents -l graymesh.dev/project=P`. */
export const AUDIT_PROJECT_LABEL = 'graymesh.dev/project';

/** A Membership's name: scope, target and user are DNS-1123 labels, so the dots keep them apart. */
export const membershipName = (scope: string, target: string, user: string): string => `${scope}.${target}.${user}`;
