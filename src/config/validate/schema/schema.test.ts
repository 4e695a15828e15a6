import { describe, expect, it } from 'vitest';
import { Report, formatIssue } from '../issues.js';
import { APPLICATION_TYPES } from '../kube/application.js';
import { KIND_DEFS } from '../kinds.js';
import { ISTIO_TYPES } from './istio-types.js';
import { KUBE_TYPES } from './kube-types.js';
import { checkValue, type TypeTable } from './schema.js';

const PRIMITIVES = new Set(['string', 'integer', 'number', 'boolean', 'int-or-string', 'any', 'duration', 'duration0']);

/** The type names a type expression refers to. */
function refs(type: string): string[] {
  const t = type.replace(/!$/, '');
  if (t.startsWith('[]') || t.startsWith('{}')) return refs(t.slice(2));
  if (t.startsWith('enum:') || PRIMITIVES.has(t)) return [];
  return [t];
}

describe('field tables', () => {
  // A typo in a hand-written table would otherwise surface as a crash on some user's manifest.
  it.each<[string, TypeTable]>([['Kubernetes', KUBE_TYPES], ['Istio', ISTIO_TYPES], ['Application', APPLICATION_TYPES]])(
    '%s: every type a field refers to is defined', (_name, table) => {
      const missing = Object.entries(table).flatMap(([type, fields]) =>
        Object.entries(fields).flatMap(([field, t]) => refs(t).filter((ref) => table[ref] === undefined).map((ref) => `${type}.${field}: ${ref}`)));
      expect(missing).toEqual([]);
    },
  );

  it('every kind refers to types its table defines', () => {
    const missing = KIND_DEFS.flatMap((d) => Object.values(d.fields).flatMap(refs).filter((ref) => d.types[ref] === undefined));
    expect(missing).toEqual([]);
  });
});

describe('checkValue', () => {
  const check = (value: unknown, type: string): string[] => {
    const r = new Report('Test', 't');
    checkValue(value, type, { Obj: { a: 'string!', b: '[]integer' } }, 'spec', r);
    return r.errors.map(formatIssue);
  };

  it('reports a missing required field and unknown fields with their paths', () => {
    expect(check({ c: 1 }, 'Obj')).toEqual([
      'Test t: spec.c: unknown field; the fields here are a, b',
      'Test t: spec.a: required; add it (a string)',
    ]);
  });

  it('reads null as absent, except in lists and maps', () => {
    expect(check({ a: 'x', b: null }, 'Obj')).toEqual([]);
    expect(check({ a: 'x', b: [1, null] }, 'Obj')).toEqual(['Test t: spec.b[1]: must be a whole number, got null; remove the empty item']);
  });

  it('quotes odd map keys in paths', () => {
    expect(check({ 'app.kubernetes.io/name': 1 }, '{}string')).toEqual([
      'Test t: spec["app.kubernetes.io/name"]: must be a string, got the number 1; quote it: "1"',
    ]);
  });

  it('names the required fields first when an object is missing', () => {
    expect(check('x', 'Obj')).toEqual(['Test t: spec: must be an object with fields such as a, b, got the string "x"']);
  });
});
