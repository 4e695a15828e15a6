/**
 * What the tenancy check reads of a store, as both engines run it: the projects with the
 * projects each lets in, the Gateways (which claim names oldest first) and the traffic objects,
 * with the objects an apply is about to write in place of those they replace. Pure over a
 * read-only view (`TenancyView`): the local engine's Store as it is, or lists read once from an
 * engine's object store (src/engine/tenancy.ts).
 */
import type { KubeObject, Namespace } from '../../api/objects.js';
import { ALLOW_ROUTES_ANNOTATION, parseProjectList, withAllowRoutesFrom } from '../../api/objects.js';
import { formatIssue } from '../validate/issues.js';
import { checkTenancy, TENANCY_KINDS, type TenancyCheckOptions } from './check.js';
import { namespaceOf } from './hosts.js';
import { HostOwners, type TenancyFacts } from './owners.js';

/** The objects of a kind in every namespace. */
export interface TenancyView {
  list(kind: string): KubeObject[];
}

/** The kinds a view must hold: the projects, the Services and the traffic objects. */
export const VIEW_KINDS: readonly string[] = ['Namespace', 'Service', ...TENANCY_KINDS];

/** `Kind/namespace/name`. */
export const objectKey = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The projects a Namespace lets in. */
export function allowRoutesFromOf(ns: Namespace): string[] {
  return parseProjectList(ns.metadata.annotations?.[ALLOW_ROUTES_ANNOTATION]);
}

/** The Namespaces whose allow lists name a deleted project, each without it (a project created again under the name is trusted by nobody). */
export function withoutAllows(namespaces: Namespace[], project: string): Namespace[] {
  return namespaces
    .filter((ns) => ns.metadata.name !== project && allowRoutesFromOf(ns).includes(project))
    .map((ns) => withAllowRoutesFrom(ns, allowRoutesFromOf(ns).filter((p) => p !== project)));
}

/** The traffic objects of the view, with `incoming` in place of the stored objects they replace. */
function trafficObjects(view: TenancyView, incoming: KubeObject[]): KubeObject[] {
  const byKey = new Map<string, KubeObject>();
  for (const kind of TENANCY_KINDS) for (const o of view.list(kind)) byKey.set(objectKey(o), o);
  for (const o of incoming) {
    if (!TENANCY_KINDS.has(o.kind)) continue;
    // A replaced object keeps its age: Gateways claim names oldest first.
    const stored = byKey.get(objectKey(o));
    const created = stored?.metadata.creationTimestamp;
    byKey.set(objectKey(o), created ? { ...o, metadata: { ...o.metadata, creationTimestamp: created } } : o);
  }
  return [...byKey.values()];
}

/** What HostOwners is built from: the view, with `incoming` objects as an apply would write them. */
export function tenancyFacts(view: TenancyView, incoming: KubeObject[] = []): TenancyFacts {
  const projects = new Map((view.list('Namespace') as Namespace[]).map((ns) => [ns.metadata.name, ns]));
  for (const o of incoming) if (o.kind === 'Namespace') projects.set(o.metadata.name, o as Namespace);
  const objects = trafficObjects(view, incoming);
  return {
    projects: [...projects.values()].map((ns) => ({ name: ns.metadata.name, allowRoutesFrom: allowRoutesFromOf(ns) })),
    gateways: objects.filter((o) => o.kind === 'Gateway'),
    namespaces: [...view.list('Service'), ...objects, ...incoming.filter((o) => o.metadata.namespace !== undefined)].map(namespaceOf),
  };
}

/** The tenancy problems of objects about to be applied, formatted one per line; none when every object keeps to its project. */
export function checkIncoming(view: TenancyView, objects: KubeObject[], opts: TenancyCheckOptions = {}): string[] {
  const traffic = objects.filter((o) => TENANCY_KINDS.has(o.kind));
  if (traffic.length === 0) return [];
  const owners = new HostOwners(tenancyFacts(view, objects));
  return traffic.flatMap((o) => checkTenancy(o, owners, opts)).map(formatIssue);
}
