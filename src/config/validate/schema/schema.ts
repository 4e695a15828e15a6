/**
 * A small structural checker for the field tables of Kubernetes and Istio kinds.
 *
 * Why not ajv with the CRDs' JSON schemas: users need kubectl's "unknown field" with a
 * suggestion, one message per problem in the path notation of `kubectl explain`
 * (`spec.http[0].route`), and a fix in every message; the OpenAPI keywords the CRDs rely on
 * (nullable, x-kubernetes-int-or-string, oneOf of required fields) are checked by the kinds'
 * own rules, which need the values anyway.
 *
 * A table maps a type name to its fields; a field's type is written as
 *   string | integer | number | boolean | int-or-string | any
 *   duration        a google.protobuf.Duration of at least 1ms ("5s"); duration0 also takes 0
 *   enum:A|B|C      one of these strings
 *   []T             a list of T          {}T   a map from strings to T
 *   Name            the fields of table entry Name
 * and a trailing `!` marks a required field.
 */
import { durationError } from '../duration.js';
import { at, item, type Report } from '../issues.js';
import { closest } from '../suggest.js';

/** Type name → field name → type expression. */
export type TypeTable = Readonly<Record<string, Readonly<Record<string, string>>>>;

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a value reads in a message: `the string "3"`, `the number 1.5`, `a list`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v === 'number' ? 'the number ' : ''}${String(v)}`;
  return 'an object';
}

/** What a type expression wants, for messages: `a string`, `a list of Destination`. */
function wanted(type: string): string {
  if (type.startsWith('[]')) return 'a list';
  if (type.startsWith('{}')) return 'a map';
  if (type.startsWith('enum:')) return `one of ${type.slice(5).split('|').join(', ')}`;
  switch (type) {
    case 'string': return 'a string';
    case 'integer': return 'a whole number';
    case 'number': return 'a number';
    case 'boolean': return 'true or false';
    case 'int-or-string': return 'a number or a string';
    case 'duration': case 'duration0': return 'a duration such as "5s"';
    case 'any': return 'a value';
    default: return 'an object';
  }
}

/** Checks `value` against a type expression and reports every mismatch under `path`. */
export function checkValue(value: unknown, type: string, table: TypeTable, path: string, r: Report): void {
  if (type.startsWith('[]')) {
    if (!Array.isArray(value)) {
      r.error(path, `must be a list, got ${describe(value)}; write each item on its own line starting with "- "`);
      return;
    }
    const of = type.slice(2);
    value.forEach((v, i) => {
      if (v === null) r.error(item(path, i), `must be ${wanted(of)}, got null; remove the empty item`);
      else checkValue(v, of, table, item(path, i), r);
    });
    return;
  }
  if (type.startsWith('{}')) {
    if (!isRecord(value)) {
      r.error(path, `must be a map of names to values, got ${describe(value)}`);
      return;
    }
    const of = type.slice(2);
    for (const [k, v] of Object.entries(value)) {
      if (v === null && of !== 'any') r.error(at(path, k), `must be ${wanted(of)}, got null`);
      else checkValue(v, of, table, at(path, k), r);
    }
    return;
  }
  if (type.startsWith('enum:')) {
    checkEnum(value, type.slice(5).split('|'), path, r);
    return;
  }
  switch (type) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') {
        const quote = typeof value === 'number' || typeof value === 'boolean' ? `; quote it: "${String(value)}"` : '';
        r.error(path, `must be a string, got ${describe(value)}${quote}`);
      }
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        r.error(path, `must be a whole number, got ${describe(value)}${unquoteHint(value)}`);
      }
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        r.error(path, `must be a number, got ${describe(value)}${unquoteHint(value)}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') {
        const hint = value === 'true' || value === 'false' ? '; write it without quotes' : '';
        r.error(path, `must be true or false, got ${describe(value)}${hint}`);
      }
      return;
    case 'int-or-string':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
        r.error(path, `must be a whole number or a string, got ${describe(value)}`);
      }
      return;
    case 'duration':
    case 'duration0': {
      const err = durationError(value, type === 'duration0');
      if (err !== undefined) r.error(path, err);
      return;
    }
    default: {
      const fields = table[type];
      if (fields === undefined) throw new Error(`schema: unknown type ${type}`);
      if (!isRecord(value)) {
        // Name the required fields first: they say best what belongs here.
        const names = Object.entries(fields).sort(([, a], [, b]) => Number(b.endsWith('!')) - Number(a.endsWith('!')));
        r.error(path, `must be an object with fields such as ${names.slice(0, 3).map(([k]) => k).join(', ')}, got ${describe(value)}`);
        return;
      }
      checkFields(value, fields, table, path, r, type);
    }
  }
}

/**
 * Fixes for missing required fields that say more than "add it", keyed `Type.field`; the
 * kinds register theirs. Each hint follows "required; ".
 */
const REQUIRED_HINTS = new Map<string, string>();

export function addRequiredHints(hints: Record<string, string>): void {
  for (const [k, v] of Object.entries(hints)) REQUIRED_HINTS.set(k, v);
}

const unquoteHint = (v: unknown): string =>
  typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? '; write it without quotes' : '';

function checkEnum(value: unknown, allowed: string[], path: string, r: Report): void {
  if (typeof value === 'string' && allowed.includes(value)) return;
  if (typeof value !== 'string') {
    r.error(path, `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
    return;
  }
  const guess = closest(value, allowed);
  r.error(path, guess !== undefined
    ? `unsupported value "${value}"; did you mean "${guess}"?`
    : `unsupported value "${value}"; use one of ${allowed.join(', ')}`);
}

/**
 * Checks an object's fields: unknown fields (with a suggestion), required fields, and each
 * value's type. A null value counts as absent, as it does for Kubernetes.
 */
export function checkFields(
  obj: Record<string, unknown>,
  fields: Readonly<Record<string, string>>,
  table: TypeTable,
  path: string,
  r: Report,
  typeName = '',
): void {
  for (const [key, value] of Object.entries(obj)) {
    const spec = fields[key];
    if (spec === undefined) {
      r.error(at(path, key), unknownField(key, Object.keys(fields)));
      continue;
    }
    if (value === null || value === undefined) continue;
    checkValue(value, spec.replace(/!$/, ''), table, at(path, key), r);
  }
  for (const [key, spec] of Object.entries(fields)) {
    if (spec.endsWith('!') && (obj[key] === undefined || obj[key] === null)) {
      const hint = REQUIRED_HINTS.get(`${typeName}.${key}`) ?? `add it (${wanted(spec.slice(0, -1))})`;
      r.error(at(path, key), `required; ${hint}`);
    }
  }
}

/** `unknown field; did you mean "route"?`, or the fields that are allowed here. */
export function unknownField(key: string, known: string[]): string {
  const guess = closest(key, known);
  if (guess !== undefined) return `unknown field; did you mean "${guess}"?`;
  if (known.length <= 8) return `unknown field; the fields here are ${known.join(', ')}`;
  return 'unknown field; remove it';
}
