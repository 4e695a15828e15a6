/**
 * What a Go client writes that a cluster does not keep: kubectl's typed objects (the pod
 * template `rollout undo` writes back, `create deployment`) carry their zero values, such as
 * `metadata.creationTimestamp: null` and a container's `resources: {}`. The API server decodes
 * them into its types and they vanish; here they are dropped before validation, so a template
 * written back equals the one it came from.
 */

type Json = unknown;

function prune(v: Json, key: string | undefined): Json {
  if (Array.isArray(v)) return v.map((x) => prune(x, undefined));
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v as Record<string, Json>)) {
    if (x === null) continue;
    const p = prune(x, k);
    if (k === 'resources' && key === undefined && isEmptyObject(p)) continue;
    out[k] = p;
  }
  return out;
}

const isEmptyObject = (v: Json): boolean => !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

/** The object without null fields, and without a container's empty `resources` (an element of a list). */
export function withoutZeroValues<T>(o: T): T {
  return prune(o, '') as T;
}
