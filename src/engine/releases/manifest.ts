/** A Release as a manifest: what `apply` compares and replaces, and what a deleted one leaves behind. */
import type { Release, ReleaseSpec } from '../../config/release/types.js';
import { RELEASE_ANNOTATION } from '../../config/release/types.js';
import type { ObjectStore } from '../store.js';

/** Whether an applied manifest asks for what the stored release already is (spec, labels, annotations). */
export function sameManifest(a: Release, b: Release): boolean {
  const pick = (o: Release): string => JSON.stringify([o.metadata.labels ?? {}, o.metadata.annotations ?? {}, o.spec ?? null]);
  return pick(a) === pick(b);
}

/** The labels and annotations a manifest gives (none given: none kept). */
export function manifestOf(r: Release): Pick<Release['metadata'], 'labels' | 'annotations'> {
  return { ...(r.metadata.labels ? { labels: r.metadata.labels } : {}), ...(r.metadata.annotations ? { annotations: r.metadata.annotations } : {}) };
}

/** Replaces `spec` in place by `next` (the manifest's whole spec: a field it leaves out is cleared, as `kubectl apply` of a full object does). */
export function replaceSpec(spec: ReleaseSpec, next: ReleaseSpec): void {
  for (const k of Object.keys(spec)) delete (spec as unknown as Record<string, unknown>)[k];
  Object.assign(spec, structuredClone(next));
}

/** Deletes the VirtualService and DestinationRule a deleted release owned (by its uid, else by the annotation naming it). */
export async function collectOwned(store: ObjectStore, r: Release): Promise<void> {
  const ns = r.metadata.namespace as string;
  const service = r.spec?.service ?? '';
  for (const kind of ['VirtualService', 'DestinationRule']) {
    const o = await store.get(kind, ns, service);
    if (!o) continue;
    const owned = r.metadata.uid !== undefined ? o.metadata.ownerReferences?.some((x) => x.uid === r.metadata.uid) : o.metadata.annotations?.[RELEASE_ANNOTATION] === r.metadata.name;
    if (owned) await store.delete(kind, ns, service);
  }
}
