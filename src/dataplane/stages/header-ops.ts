/** Header maps as the stages change them: Istio's header operations, repeated fields, flat lists. */
import type { HeaderMap } from '../hop-by-hop.js';
import type { HeaderOps } from '../policy.js';

/** Istio's `HeaderOperations`: remove, then set, then add. */
export function applyOps(headers: HeaderMap, ops: HeaderOps | undefined): void {
  if (!ops) return;
  for (const name of ops.remove ?? []) delete headers[name.toLowerCase()];
  for (const [k, v] of ops.set ?? []) headers[k.toLowerCase()] = v;
  for (const [k, v] of ops.add ?? []) headers[k.toLowerCase()] = appendHeader(headers[k.toLowerCase()], v);
}

/** A flat [name, value, ...] list as a header map (repeated names become arrays). */
export function toHeaderMap(flat: string[]): HeaderMap {
  const out: HeaderMap = {};
  for (let i = 0; i < flat.length; i += 2) {
    const k = flat[i] as string;
    const v = flat[i + 1] as string;
    const cur = out[k];
    out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return out;
}

/** One more value of a field. */
export function appendHeader(existing: string | string[] | undefined, v: string): string | string[] {
  if (existing === undefined) return v;
  return Array.isArray(existing) ? [...existing, v] : [existing, v];
}
