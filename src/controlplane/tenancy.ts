/**
 * Tenancy over the store (the model is config/tenancy): a project's traffic rules name only its
 * own hosts and route only to its own services, unless the owning project lets it in.
 *
 * - At apply, incoming objects are checked against the store as the apply would leave it.
 * - After any change, stored objects a later change left behind (an allow revoked, a project
 *   deleted and created again by someone else) are judged again: they carry
 *   `Accepted=False, reason HostNotOwned` on their status and stay out of the snapshot.
 */
import type { KubeObject, Namespace } from '../api/objects.js';
import { withAllowRoutesFrom } from '../api/objects.js';
import { checkTenancy, TENANCY_KINDS } from '../config/tenancy/check.js';
import { objectKey, tenancyFacts, withoutAllows } from '../config/tenancy/facts.js';
import { HostOwners } from '../config/tenancy/owners.js';
import type { ValidationIssue } from '../config/validate/index.js';
import type { Store } from './store.js';

export { withAllowRoutesFrom, objectKey };
export { allowRoutesFromOf, checkIncoming, tenancyFacts } from '../config/tenancy/facts.js';

export const ACCEPTED_CONDITION = 'Accepted';
export const HOST_NOT_OWNED = 'HostNotOwned';

/** Removes a deleted project from every other project's allow list. */
export function forgetAllows(store: Store, project: string): void {
  for (const ns of withoutAllows(store.list<Namespace>('Namespace'), project)) store.update(ns);
}

/** The stored traffic objects the rules refuse now, by key, with why. */
export function judgeStored(store: Store): Map<string, ValidationIssue[]> {
  const owners = new HostOwners(tenancyFacts(store));
  const refused = new Map<string, ValidationIssue[]>();
  for (const kind of TENANCY_KINDS) {
    for (const o of store.list(kind)) {
      // Status is read by the object's own project: an owner it cannot see is not named.
      const issues = checkTenancy(o, owners, { canSee: () => false });
      if (issues.length > 0) refused.set(objectKey(o), issues);
    }
  }
  return refused;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/**
 * Writes the verdicts on the objects' status: `Accepted=False, reason HostNotOwned` with the
 * problems on a refused object, and the condition removed once it is accepted again. Objects
 * whose verdict did not change are not written.
 */
export function recordVerdicts(store: Store, refused: ReadonlyMap<string, ValidationIssue[]>, now: () => Date = () => new Date()): void {
  for (const kind of TENANCY_KINDS) {
    for (const o of store.list(kind)) {
      const issues = refused.get(objectKey(o));
      const conditions = ((o.status?.conditions as Condition[] | undefined) ?? []).filter((c) => c.type !== ACCEPTED_CONDITION);
      const prior = (o.status?.conditions as Condition[] | undefined)?.find((c) => c.type === ACCEPTED_CONDITION);
      if (!issues) {
        if (prior) store.updateStatus(kind, o.metadata.namespace, o.metadata.name, withConditions(o.status, conditions));
        continue;
      }
      const message = `not enforced: ${issues.map((i) => `${i.path}: ${i.message}`).join(' | ')}`;
      if (prior?.status === 'False' && prior.message === message) continue;
      const condition: Condition = { type: ACCEPTED_CONDITION, status: 'False', reason: HOST_NOT_OWNED, message, lastTransitionTime: now().toISOString() };
      store.updateStatus(kind, o.metadata.namespace, o.metadata.name, withConditions(o.status, [...conditions, condition]));
    }
  }
}

function withConditions(status: KubeObject['status'], conditions: Condition[]): KubeObject['status'] {
  const { conditions: _old, ...rest } = status ?? {};
  if (conditions.length === 0) return Object.keys(rest).length > 0 ? rest : undefined;
  return { ...rest, conditions };
}
