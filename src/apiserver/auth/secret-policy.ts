/**
 * Secrets are a project-admin matter (docs/ARCHITECTURE.md, Accounts and access): reading,
 * creating, changing or deleting one, by its routes or in a manifest, needs project-admin,
 * or through the Kubernetes API (src/kubeapi), whatever is needed for other kinds.
 */
import { kindByName } from '../../api/kinds.js';
import { ProjectAccess } from '../../api/roles.js';

/** The level objects of `kind` need, for a route or a manifest or the Kubernetes API: project-admin for Secrets, else `level`. */
export function levelFor(kind: string | undefined, level: ProjectAccess): ProjectAccess {
  return kind === 'Secret' ? Math.max(level, ProjectAccess.Admin) : level;
}

/** Whether a route's `:resource` names Secrets (`secrets`, `secret`). */
export function isSecretResource(resource: unknown): boolean {
  return typeof resource === 'string' && kindByName(resource)?.kind === 'Secret';
}

/** The level and refusal text for a route on Secrets, else the route's own. */
export function secretNeed(method: string, params: Record<string, unknown>, level: ProjectAccess, action: string | undefined): { level: ProjectAccess; action: string | undefined } {
  if (!isSecretResource(params.resource)) return { level, action };
  const verb = method === 'GET' || method === 'HEAD' ? 'read' : 'change';
  return { level: levelFor('Secret', level), action: `${verb} secrets in project ${String(params.project)}` };
}
