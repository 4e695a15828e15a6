/** Validation issues: what is wrong, where, and how to fix it, in one sentence a user can act on. */
import type { KubeObject } from '../../api/objects.js';

/** One problem found in one object. */
export interface ValidationIssue {
  /** Kind of the object, e.g. VirtualService; empty when the kind itself is missing. */
  kind: string;
  /** metadata.name of the object; empty when missing. */
  name: string;
  /** Field path, e.g. `spec.http[0].route`; empty for the object as a whole. */
  path: string;
  /** The problem and its fix, e.g. `weights sum to 90, must be 100`. */
  message: string;
}

/** The outcome of validating one object. */
export interface ValidationResult {
  /** The object as it will be stored (apiVersion normalized); absent when there are errors. */
  object?: KubeObject;
  /** Problems that refuse the object. */
  errors: ValidationIssue[];
  /** Problems that let the object through but deserve a look. */
  warnings: ValidationIssue[];
}

/** Collects the issues of one object. */
export class Report {
  readonly errors: ValidationIssue[] = [];
  readonly warnings: ValidationIssue[] = [];

  constructor(
    readonly kind: string,
    readonly name: string,
  ) {}

  error(path: string, message: string): void {
    this.errors.push({ kind: this.kind, name: this.name, path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ kind: this.kind, name: this.name, path, message });
  }
}

/** `VirtualService reviews: spec.http[0].route: weights sum to 90, must be 100`. */
export function formatIssue(i: ValidationIssue): string {
  const head = [i.kind, i.name].filter((s) => s !== '').join(' ') || 'object';
  return i.path === '' ? `${head}: ${i.message}` : `${head}: ${i.path}: ${i.message}`;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The path of field `key` under `base`; keys that are not plain words are quoted: `labels["app.kubernetes.io/name"]`. */
export function at(base: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** The path of item `i` of the list at `base`. */
export function item(base: string, i: number): string {
  return `${base}[${i}]`;
}
