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
import { ALLOW_ROUTES_ANNOTATION, parseProjectList, withAllowRoutesFrom } from '../api/objects.js';

export { withAllowRoutesFrom };
import { checkTenancy, TENANCY_KINDS, type TenancyCheckOptions } from '../config/tenancy/check.js';
import { namespaceOf } from '../config/tenancy/hosts.js';
import { HostOwners, type TenancyFacts } from '../config/tenancy/owners.js';
import { formatIssue, type ValidationIssue } from '../config/validate/index.js';
import type { Store } from './store.js';

export const ACCEPTED_CONDITION = 'Accepted';
export const HOST_NOT_OWNED = 'HostNotOwned';

/** `Kind/namespace/name`. */
export const objectKey = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The projects a Namespace lets in. */
export function allowRoutesFromOf(ns: Namespace): string[] {
  return parseProjectList(ns.metadata.annotations?.[ALLOW_ROUTES_ANNOTATION]);
}

/** Removes a deleted project from every other project's allow list. */
export function forgetAllows(store: Store, project: string): void {
  for (const ns of store.list<Namespace>('Namespace')) {
    const allowed = allowRoutesFromOf(ns);
    if (ns.metadata.name === project || !allowed.includes(project)) continue;
    store.update(withAllowRoutesFrom(ns, allowed.filter((p) => p !== project)));
  }
}

/** The traffic objects of the store, with `incoming` in place of the stored objects they replace. */
function trafficObjects(store: Store, incoming: KubeObject[]): KubeObject[] {
  const byKey = new Map<string, KubeObject>();
  for (const kind of TENANCY_KINDS) for (const o of store.list(kind)) byKey.set(objectKey(o), o);
  for (const o of incoming) {
    if (!TENANCY_KINDS.has(o.kind)) continue;
    // A replaced object keeps its age: Gateways claim names oldest first.
    const stored = byKey.get(objectKey(o));
    const created = stored?.metadata.creationTimestamp;
    byKey.set(objectKey(o), created ? { ...o, metadata: { ...o.metadata, creationTimestamp: created } } : o);
  }
  return [...byKey.values()];
}

/** What HostOwners is built from: the store, with `incoming` objects as an apply would write them. */
export function tenancyFacts(store: Store, incoming: KubeObject[] = []): TenancyFacts {
  const projects = new Map(store.list<Namespace>('Namespace').map((ns) => [ns.metadata.name, ns]));
  for (const o of incoming) if (o.kind === 'Namespace') projects.set(o.metadata.name, o as Namespace);
  const objects = trafficObjects(store, incoming);
  return {
    projects: [...projects.values()].map((ns) => ({ name: ns.metadata.name, allowRoutesFrom: allowRoutesFromOf(ns) })),
    gateways: objects.filter((o) => o.kind === 'Gateway'),
    namespaces: [...store.list('Service'), ...objects, ...incoming.filter((o) => o.metadata.namespace !== undefined)].map(namespaceOf),
  };
}

/** The tenancy problems of objects about to be applied, formatted one per line; none when every object keeps to its project. */
export function checkIncoming(store: Store, objects: KubeObject[], opts: TenancyCheckOptions = {}): string[] {
  const traffic = objects.filter((o) => TENANCY_KINDS.has(o.kind));
  if (traffic.length === 0) return [];
  const owners = new HostOwners(tenancyFacts(store, objects));
  return traffic.flatMap((o) => checkTenancy(o, owners, opts)).map(formatIssue);
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
