/**
 * Field ownership for server-side apply, as the API server keeps it in
 * `metadata.managedFields` (FieldsV1: `{"f:spec": {"f:replicas": {}}}`, list items of a keyed
 * list as `k:{"name":"reviews"}`): who set which field by Apply, who changed which by an
 * Update, the conflicts of an apply with other owners, and the object an apply leaves.
 */
import type { KubeObject } from '../api/objects.js';
import { mergeKeyOf, strategicMerge } from './patch.js';

export type FieldSet = Record<string, unknown>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldSet;
  subresource?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields a value sets, under `path` (field names, for merge keys). */
function fieldsOfValue(v: unknown, path: string[], kind: string): FieldSet {
  if (!isObj(v)) return {};
  const out: FieldSet = {};
  for (const [k, child] of Object.entries(v)) {
    const key = Array.isArray(child) ? mergeKeyOf(k, path, kind) : undefined;
    if (key && Array.isArray(child)) {
      const items: FieldSet = {};
      for (const item of child) {
        if (!isObj(item) || item[key] === undefined) continue;
        items[`k:${JSON.stringify({ [key]: item[key] })}`] = { '.': {}, ...fieldsOfValue(item, [...path, k], kind) };
      }
      out[`f:${k}`] = items;
    } else {
      out[`f:${k}`] = isObj(child) && Object.keys(child).length > 0 ? fieldsOfValue(child, [...path, k], kind) : {};
    }
  }
  return out;
}

/** The fields an object sets: labels, annotations and everything outside metadata and status. */
export function fieldsOf(o: KubeObject): FieldSet {
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...rest } = o;
  const out = fieldsOfValue(rest, [], o.kind);
  const meta: FieldSet = {};
  if (metadata?.labels && Object.keys(metadata.labels).length > 0) meta['f:labels'] = fieldsOfValue(metadata.labels, ['metadata', 'labels'], o.kind);
  const annotations = Object.fromEntries(Object.entries(metadata?.annotations ?? {}).filter(([k]) => k !== LAST_APPLIED));
  if (Object.keys(annotations).length > 0) meta['f:annotations'] = fieldsOfValue(annotations, ['metadata', 'annotations'], o.kind);
  if (Object.keys(meta).length > 0) out['f:metadata'] = meta;
  return out;
}

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Every leaf of a field set, as its path of keys (`f:spec`, `f:replicas`). */
export function leaves(set: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(set)) {
    if (k === '.') continue;
    const p = [...prefix, k];
    if (isObj(v) && Object.keys(v).some((x) => x !== '.')) out.push(...leaves(v, p));
    else out.push(p);
  }
  return out;
}

/** `.spec.template.spec.containers[name="reviews"].image`, as the API server names fields in conflicts. */
export function pathText(p: string[]): string {
  return p
    .map((k) => {
      if (k.startsWith('f:')) return `.${k.slice(2)}`;
      const sel = JSON.parse(k.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(sel)
        .map(([a, b]) => `${a}=${JSON.stringify(b)}`)
        .join(',')}]`;
    })
    .join('');
}

function has(set: FieldSet, p: string[]): boolean {
  let cur: unknown = set;
  for (const k of p) {
    if (!isObj(cur) || !(k in cur)) return false;
    cur = cur[k];
  }
  return true;
}

function remove(set: FieldSet, p: string[]): void {
  const [head, ...rest] = p;
  if (head === undefined || !(head in set)) return;
  if (rest.length === 0) {
    delete set[head];
    return;
  }
  const child = set[head];
  if (isObj(child)) {
    remove(child, rest);
    if (Object.keys(child).length === 0) delete set[head];
  }
}

function add(set: FieldSet, p: string[]): void {
  let cur = set;
  for (const k of p) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as FieldSet;
  }
}

/** The value at a field path of an object (undefined when it is not there). */
export function valueAt(o: unknown, p: string[]): unknown {
  let cur = o;
  for (const k of p) {
    if (k.startsWith('f:')) cur = isObj(cur) ? cur[k.slice(2)] : undefined;
    else {
      const sel = JSON.parse(k.slice(2)) as Record<string, unknown>;
      cur = Array.isArray(cur) ? cur.find((x) => isObj(x) && Object.entries(sel).every(([a, b]) => x[a] === b)) : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Removes a field (a keyed list's item, when the path ends at it) from an object. */
function removeValue(o: unknown, p: string[]): void {
  const parent = valueAt(o, p.slice(0, -1));
  const last = p[p.length - 1] as string;
  if (last.startsWith('f:')) {
    if (isObj(parent)) delete parent[last.slice(2)];
    return;
  }
  if (!Array.isArray(parent)) return;
  const sel = JSON.parse(last.slice(2)) as Record<string, unknown>;
  const i = parent.findIndex((x) => isObj(x) && Object.entries(sel).every(([a, b]) => x[a] === b));
  if (i >= 0) parent.splice(i, 1);
}

export interface Conflict {
  manager: string;
  field: string;
}

export interface ApplyOutcome {
  object: KubeObject;
  conflicts: Conflict[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Server-side apply of `config` by `manager` to `current` (undefined: a create). Conflicts are
 * fields another manager owns whose value the config changes; with `force` they are taken.
 */
export function serverSideApply(current: KubeObject | undefined, config: KubeObject, manager: string, force: boolean, now = new Date()): ApplyOutcome {
  const entries: ManagedFieldsEntry[] = structuredClone((current?.metadata as { managedFields?: ManagedFieldsEntry[] } | undefined)?.managedFields ?? []);
  const applied = fieldsOf(config);
  const conflicts: Conflict[] = [];
  for (const e of entries) {
    if (e.manager === manager && e.operation === 'Apply') continue;
    for (const p of leaves(applied)) {
      if (has(e.fieldsV1, p) && current && !same(valueAt(current, p), valueAt(config, p))) conflicts.push({ manager: e.manager, field: pathText(p) });
    }
  }
  if (conflicts.length > 0 && !force) return { object: current as KubeObject, conflicts };
  const base = structuredClone(current ?? { apiVersion: config.apiVersion, kind: config.kind, metadata: { name: config.metadata.name, ...(config.metadata.namespace ? { namespace: config.metadata.namespace } : {}) } });
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const others = entries.filter((e) => e !== mine);
  // Fields this manager set before and no longer sets, and nobody else owns, go.
  if (mine) {
    for (const p of leaves(mine.fieldsV1)) {
      if (!has(applied, p) && !others.some((e) => has(e.fieldsV1, p))) removeValue(base, p);
    }
  }
  // Taken fields leave their former owners.
  for (const e of others) for (const p of leaves(applied)) remove(e.fieldsV1, p);
  const { metadata: cfgMeta, status: _s, ...cfgRest } = config;
  const merged = strategicMerge(base, cfgRest, config.kind) as KubeObject;
  merged.metadata = { ...base.metadata };
  if (cfgMeta.labels) merged.metadata.labels = { ...base.metadata.labels, ...cfgMeta.labels };
  if (cfgMeta.annotations) merged.metadata.annotations = { ...base.metadata.annotations, ...cfgMeta.annotations };
  const kept = others.filter((e) => Object.keys(e.fieldsV1).length > 0);
  kept.push({ manager, operation: 'Apply', apiVersion: config.apiVersion, time: now.toISOString().replace(/\.\d+Z$/, 'Z'), fieldsType: 'FieldsV1', fieldsV1: applied });
  (merged.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields = kept;
  return { object: merged, conflicts: [] };
}

/** After an ordinary write (create, update, patch) by `manager`: it owns the fields it changed, taken from whoever owned them. */
export function recordUpdate(before: KubeObject | undefined, after: KubeObject, manager: string, now = new Date()): KubeObject {
  const entries: ManagedFieldsEntry[] = structuredClone((before?.metadata as { managedFields?: ManagedFieldsEntry[] } | undefined)?.managedFields ?? []);
  const changed = leaves(fieldsOf(after)).filter((p) => !before || !same(valueAt(before, p), valueAt(after, p)));
  const out = structuredClone(after);
  if (changed.length === 0 && entries.length === 0) {
    delete (out.metadata as { managedFields?: unknown }).managedFields;
    return out;
  }
  for (const e of entries) for (const p of changed) remove(e.fieldsV1, p);
  let mine = entries.find((e) => e.manager === manager && e.operation === 'Update');
  if (!mine && changed.length > 0) {
    mine = { manager, operation: 'Update', apiVersion: after.apiVersion, time: '', fieldsType: 'FieldsV1', fieldsV1: {} };
    entries.push(mine);
  }
  if (mine && changed.length > 0) {
    for (const p of changed) add(mine.fieldsV1, p);
    mine.time = now.toISOString().replace(/\.\d+Z$/, 'Z');
  }
  (out.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields = entries.filter((e) => Object.keys(e.fieldsV1).length > 0);
  return out;
}
