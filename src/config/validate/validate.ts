/** validateObject: one manifest, as `kubectl apply --validate=strict` and Istio's webhook would judge it. */
import type { KubeObject } from '../../api/objects.js';
import { KIND_DEFS, findKind } from './kinds.js';
import { Report, type ValidationResult } from './issues.js';
import { checkMetadata } from './meta.js';
import { checkFields, describe, isRecord } from './schema/schema.js';
import { closest } from './suggest.js';

const supported = (): string => KIND_DEFS.map((d) => `${d.apiVersions[0]} ${d.kind}`).join(', ');

export function validateObject(obj: unknown): ValidationResult {
  if (!isRecord(obj)) {
    const r = new Report('', '');
    r.error('', `a manifest must be an object with apiVersion, kind, metadata and spec, got ${describe(obj)}`);
    return { errors: r.errors, warnings: r.warnings };
  }
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const r = new Report(kind, name);
  const apiVersion = obj.apiVersion;
  if (typeof apiVersion !== 'string' || apiVersion === '') r.error('apiVersion', 'required; e.g. networking.istio.io/v1 or apps/v1');
  if (kind === '') r.error('kind', `required; one of ${KIND_DEFS.map((d) => d.kind).join(', ')}`);
  if (typeof apiVersion !== 'string' || kind === '') return { errors: r.errors, warnings: r.warnings };

  const def = findKind(apiVersion, kind);
  if (def === undefined) {
    const sameKind = KIND_DEFS.find((d) => d.kind === kind);
    if (sameKind !== undefined) {
      r.error('apiVersion', `"${apiVersion}" does not serve ${kind}; use ${sameKind.apiVersions.join(' or ')}`);
    } else {
      const guess = closest(kind, KIND_DEFS.map((d) => d.kind));
      const hint = guess !== undefined ? `did you mean "${guess}"? ` : '';
      r.error('kind', `unknown kind "${kind}" (apiVersion ${apiVersion}); ${hint}graymesh supports ${supported()}`);
    }
    return { errors: r.errors, warnings: r.warnings };
  }

  checkFields(obj, { apiVersion: 'any', kind: 'any', metadata: 'any', ...def.fields }, def.types, '', r);
  checkMetadata(obj.metadata, def, r);
  def.check?.(obj, r);
  if (r.errors.length > 0) return { errors: r.errors, warnings: r.warnings };
  const object = structuredClone(obj) as KubeObject;
  object.apiVersion = def.apiVersions[0] ?? apiVersion;
  return { object, errors: r.errors, warnings: r.warnings };
}
