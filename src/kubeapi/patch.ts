/**
 * The patches kubectl sends: JSON merge patch (RFC 7386, custom resources), strategic merge
 * patch (built-in kinds: lists of containers merge by name, ports by containerPort, with
 * `$patch`, `$setElementOrder` and `$retainKeys` directives), and JSON patch (RFC 6902).
 */
import { badRequest, invalid } from '../api/errors.js';
import { mergePatch } from '../engine/merge-patch.js';

export { mergePatch };

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Own fields only: a `__proto__` key is a field like any other, not the object's prototype. */
const own = (o: Obj, k: string): Json => (Object.hasOwn(o, k) ? o[k] : undefined);
const put = (o: Obj, k: string, value: Json): void => void Object.defineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });

/**
 * The merge key of a list, by its field name and the fields above it (as the Kubernetes types'
 * `patchMergeKey` tags say); undefined for a list replaced whole.
 */
export function mergeKeyOf(field: string, parents: string[], kind: string): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
    case 'hostAliases':
      return field === 'hostAliases' ? 'ip' : 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'ports':
      if (parents.some((p) => p === 'containers' || p === 'initContainers' || p === 'ephemeralContainers')) return 'containerPort';
      return kind === 'Service' ? 'port' : undefined;
    case 'ownerReferences':
      return parents.length === 1 && parents[0] === 'metadata' ? 'uid' : undefined;
    case 'conditions':
      return 'type';
    default:
      return undefined;
  }
}

/** Applies a strategic merge patch to an object of a built-in kind. */
export function strategicMerge(target: Json, patch: Json, kind: string): Json {
  return mergeObject(target, patch, [], kind);
}

function mergeObject(target: Json, patch: Json, path: string[], kind: string): Json {
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Obj = isObj(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys as string[]) : undefined;
  if (retain) for (const k of Object.keys(out)) if (!retain.has(k)) delete out[k];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set((Array.isArray(v) ? v : []).map((x) => JSON.stringify(x)));
      const list = own(out, field);
      if (Array.isArray(list)) put(out, field, list.filter((x) => !drop.has(JSON.stringify(x))));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      const key = mergeKeyOf(k, path, kind);
      const order = patch[`$setElementOrder/${k}`];
      put(out, k, key ? mergeList(own(out, k), v, key, Array.isArray(order) ? order : undefined, [...path, k], kind) : stripDirectives(v));
      continue;
    }
    const merged = mergeObject(own(out, k), v, [...path, k], kind);
    if (merged === undefined) delete out[k];
    else put(out, k, merged);
  }
  return out;
}

/** A list merged by key: patch items change or add the item of the same key, `$patch: delete` items remove it. */
function mergeList(target: Json, patch: Json[], key: string, order: Json[] | undefined, path: string[], kind: string): Json[] {
  const current = Array.isArray(target) ? [...target] : [];
  const keyOf = (x: Json): string | undefined => (isObj(x) && x[key] !== undefined ? JSON.stringify(x[key]) : undefined);
  if (patch.some((p) => isObj(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObj(p) && p.$patch === 'replace')).map(stripDirectives);
  }
  for (const item of patch) {
    const k = keyOf(item);
    const at = k === undefined ? -1 : current.findIndex((c) => keyOf(c) === k);
    if (isObj(item) && item.$patch === 'delete') {
      if (at >= 0) current.splice(at, 1);
      continue;
    }
    if (at >= 0) current[at] = mergeObject(current[at], item, path, kind);
    else current.push(stripDirectives(item));
  }
  if (!order) return current;
  // `$setElementOrder`: the items it names in its order, then the rest as they were.
  const rank = new Map(order.map((o, i) => [keyOf(o), i]));
  return [...current].sort((a, b) => (rank.get(keyOf(a)) ?? order.length) - (rank.get(keyOf(b)) ?? order.length));
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) put(out, k, stripDirectives(x));
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

/** A field of an object or an item of a list, its own only (never one of Object.prototype's). */
const child = (cur: Json, p: string): Json => (Array.isArray(cur) ? cur[Number(p)] : isObj(cur) && Object.hasOwn(cur, p) ? cur[p] : undefined);

const unescape = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`json patch: path "${path}" must start with /`);
  return path.slice(1).split('/').map(unescape);
}

function parentOf(doc: Json, parts: string[], path: string): { parent: Obj | Json[]; last: string } {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    cur = child(cur, p);
    if (cur === undefined) throw invalid(`json patch: path ${path}: ${p} does not exist`);
  }
  if (!Array.isArray(cur) && !isObj(cur)) throw invalid(`json patch: path ${path}: not inside an object or a list`);
  return { parent: cur, last: parts[parts.length - 1] as string };
}

function getAt(doc: Json, path: string): Json {
  let cur = doc;
  for (const p of pointer(path)) {
    cur = child(cur, p);
    if (cur === undefined) throw invalid(`json patch: path ${path} does not exist`);
  }
  return cur;
}

function removeAt(doc: Json, path: string): Json {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length)) throw invalid(`json patch: remove ${path}: no such index`);
    return parent.splice(i, 1)[0];
  }
  if (!Object.hasOwn(parent, last)) throw invalid(`json patch: remove ${path}: no such field`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const { parent, last } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length) || (replace && i >= parent.length)) throw invalid(`json patch: ${path}: index out of range`);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !Object.hasOwn(parent, last)) throw invalid(`json patch: replace ${path}: no such field`);
    Object.defineProperty(parent, last, { value, writable: true, enumerable: true, configurable: true });
  }
  return doc;
}

/** Applies a JSON patch (RFC 6902): add, remove, replace, move, copy, test. */
export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw badRequest('json patch: the body must be a list of operations');
  let doc = structuredClone(target);
  for (const raw of ops as JsonPatchOp[]) {
    const { op, path } = raw;
    if (typeof path !== 'string') throw badRequest('json patch: each operation needs a path');
    switch (op) {
      case 'add':
        doc = addAt(doc, path, structuredClone(raw.value), false);
        break;
      case 'replace':
        doc = addAt(doc, path, structuredClone(raw.value), true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move': {
        const v = removeAt(doc, String(raw.from));
        doc = addAt(doc, path, v, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, structuredClone(getAt(doc, String(raw.from))), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(raw.value)) throw invalid(`json patch: test ${path} failed`);
        break;
      default:
        throw badRequest(`json patch: unknown op "${String(op)}"; use add, remove, replace, move, copy or test`);
    }
  }
  return doc;
}
