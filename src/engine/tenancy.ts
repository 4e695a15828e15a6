/**
 * The tenancy check over an engine's object store, the one both engines' writes run (the shared
 * object routes, and the release controller on the compiler's output): the objects the check
 * reads are listed once, then judged by the pure check of src/config/tenancy/ as the write
 * would leave them. On a cluster the projects are its Namespaces, and a project lets others in
 * by its `graymesh.dev/allow-routes-from` annotation, as locally.
 */
import { invalid } from '../api/errors.js';
import type { KubeObject } from '../api/objects.js';
import type { TenancyCheckOptions } from '../config/tenancy/check.js';
import { checkIncoming, VIEW_KINDS, type TenancyView } from '../config/tenancy/facts.js';
import { TENANCY_KINDS } from '../config/tenancy/check.js';
import type { ObjectStore } from './store.js';

/** A read-only view of what the check reads, listed from the store now. */
export async function tenancyView(store: ObjectStore): Promise<TenancyView> {
  const lists = await Promise.all(VIEW_KINDS.map((k) => store.list(k)));
  const byKind = new Map(VIEW_KINDS.map((k, i) => [k, lists[i] as KubeObject[]]));
  return { list: (kind) => byKind.get(kind) ?? [] };
}

/** Throws 422 listing every problem when an object would name or route to a host its project may not touch. */
export async function checkTenancyOn(store: ObjectStore, objects: KubeObject[], opts: TenancyCheckOptions = {}): Promise<void> {
  if (!objects.some((o) => TENANCY_KINDS.has(o.kind))) return;
  const refused = checkIncoming(await tenancyView(store), objects, opts);
  if (refused.length > 0) throw invalid(refused.length === 1 ? (refused[0] as string) : `${refused.length} problems, nothing applied: ${refused[0]}`, refused);
}
