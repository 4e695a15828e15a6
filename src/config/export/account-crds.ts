/**
 * The CustomResourceDefinitions of graymesh's account kinds (src/api/account-objects.ts), which
 * the Kubernetes engine installs beside the Release CRD and keeps its accounts, tokens and audit
 * log in. Cluster-scoped, no status; their structural schemas come from the field tables below,
 * in the validator's notation (src/config/validate/schema/schema.ts), as the Release CRD's do.
 * Never part of an exported project: they hold the instance's accounts, not a project's objects.
 */
import { ACCOUNTS_API_VERSION, ACCOUNT_KINDS, type AccountKind } from '../../api/account-objects.js';
import type { KubeObject } from '../../api/objects.js';
import type { KindDef } from '../validate/kinds.js';
import type { TypeTable } from '../validate/schema/schema.js';
import { crd, type CrdOptions } from './crds.js';

const TYPES: TypeTable = {
  UserSpec: { passwordHash: 'string!', platformRole: 'enum:platform-admin|platform-regular!' },
  WorkspaceSpec: { createdBy: 'string!' },
  MembershipSpec: { scope: 'enum:workspace|project!', target: 'string!', user: 'string!', role: 'string!' },
  TokenSpec: { hash: 'string!', kind: 'enum:session|scrape|ingest!', user: 'string!', project: 'string', expiresAt: 'string' },
  AuditEventSpec: {
    sequence: 'integer!', time: 'string!', user: 'string!', method: 'string!', path: 'string!', project: 'string', workspace: 'string',
    objects: 'string', status: 'integer!', result: 'enum:allowed|refused|failed!', message: 'string', ip: 'string',
  },
};

/** A printer column showing one spec field. */
const col = (name: string, field: string, type = 'string'): NonNullable<CrdOptions['printerColumns']>[number] => ({ name, type, jsonPath: `.spec.${field}` });

const SPECS: Record<AccountKind, { description: string; columns: CrdOptions['printerColumns'] }> = {
  User: {
    description: "A graymesh account: its scrypt password hash and platform role (memberships give it roles in workspaces and projects).",
    columns: [col('Role', 'platformRole')],
  },
  Workspace: { description: 'A graymesh workspace: a group of projects (labelled kubesphere.io/workspace) with members of its own.', columns: [col('Created-By', 'createdBy')] },
  Membership: {
    description: "A user's role in one workspace or project, named <scope>.<target>.<user>.",
    columns: [col('Scope', 'scope'), col('Target', 'target'), col('User', 'user'), col('Role', 'role')],
  },
  Token: {
    description: 'A login session or scoped token of graymesh, by the SHA-256 hash of the token (the token itself is never kept).',
    columns: [col('Kind', 'kind'), col('User', 'user'), col('Expires', 'expiresAt')],
  },
  AuditEvent: {
    description: "One write request to graymesh's API: who, what, when and the result, refusals included; the newest are kept.",
    columns: [col('User', 'user'), col('Method', 'method'), col('Path', 'path'), col('Status', 'status', 'integer'), col('Result', 'result')],
  },
};

function def(kind: AccountKind, plural: string): KindDef {
  return { kind, apiVersions: [ACCOUNTS_API_VERSION], namespaced: false, plural, short: [], nameRule: 'subdomain', fields: { spec: `${kind}Spec!` }, types: TYPES };
}

/** users, workspaces, memberships, tokens and auditevents.graymesh.dev. */
export function accountCrds(): KubeObject[] {
  return ACCOUNT_KINDS.map((k) =>
    crd(def(k.kind, k.plural), {
      singular: k.kind.toLowerCase(),
      shortNames: [],
      statusSubresource: false,
      description: SPECS[k.kind].description,
      printerColumns: [...(SPECS[k.kind].columns ?? []), { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
    }),
  );
}
