/**
 * Label and field selectors as the Kubernetes API reads them: `app=reviews,version!=v1`,
 * `env in (prod,staging)`, `tier notin (web)`, `app`, `!canary`; field selectors on
 * metadata.name and metadata.namespace (`=`, `==`, `!=`).
 */
import { badRequest } from '../api/errors.js';
import type { KubeObject } from '../api/objects.js';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

/** Splits on commas outside parentheses. */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;

export function parseLabelSelector(s: string | undefined): Requirement[] {
  if (!s) return [];
  return terms(s).map((t): Requirement => {
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
    if (m) return { key: key(m[1] as string, t), op: m[2] as 'in' | 'notin', values: (m[3] as string).split(',').map((v) => v.trim()).filter((v) => v !== '') };
    m = /^([^=!\s]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(t);
    if (m) return { key: key(m[1] as string, t), op: m[2] === '!=' ? 'notin' : 'in', values: [m[3] as string] };
    m = /^!\s*(\S+)$/.exec(t);
    if (m) return { key: key(m[1] as string, t), op: 'notexists' };
    if (KEY.test(t)) return { key: t, op: 'exists' };
    throw badRequest(`unable to parse requirement: labelSelector "${t}": use key=value, key!=value, key in (a,b), key notin (a), key or !key`);
  });
}

function key(k: string, term: string): string {
  if (!KEY.test(k)) throw badRequest(`unable to parse requirement: labelSelector "${term}": "${k}" is not a label key`);
  return k;
}

export function matchesLabels(labels: Record<string, string> | undefined, reqs: Requirement[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key] as string);
      case 'notin':
        return !has || !r.values.includes(l[r.key] as string);
    }
  });
}

/** The equality part of a selector, for the store's own label filter (the rest is matched here). */
export function equalities(reqs: Requirement[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const r of reqs) if (r.op === 'in' && r.values.length === 1) out[r.key] = r.values[0] as string;
  return Object.keys(out).length > 0 ? out : undefined;
}

export interface FieldRequirement {
  field: 'metadata.name' | 'metadata.namespace';
  equal: boolean;
  value: string;
}

export function parseFieldSelector(s: string | undefined): FieldRequirement[] {
  if (!s) return [];
  return terms(s).map((t) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(t);
    if (!m) throw badRequest(`invalid field selector "${t}": use field=value or field!=value`);
    const field = m[1] as string;
    if (field !== 'metadata.name' && field !== 'metadata.namespace') {
      throw badRequest(`field label not supported: ${field}; graymesh selects by metadata.name and metadata.namespace`);
    }
    return { field, equal: m[2] !== '!=', value: m[3] as string };
  });
}

export function matchesFields(o: KubeObject, reqs: FieldRequirement[]): boolean {
  return reqs.every((r) => {
    const v = r.field === 'metadata.name' ? o.metadata.name : (o.metadata.namespace ?? '');
    return (v === r.value) === r.equal;
  });
}
