/** Checks shared by every kind: metadata, after Kubernetes' ObjectMeta validation. */
import { dns1123LabelError, dns1123SubdomainError } from '../../api/names.js';
import { at, type Report } from './issues.js';
import { KUBE_TYPES } from './schema/kube-types.js';
import { checkFields, describe, isRecord } from './schema/schema.js';
import { labelValueError, qualifiedNameError, stringMap } from './values.js';

/** How a kind's names are checked: DNS-1123 label (no dots) or subdomain. */
export type NameRule = 'label' | 'subdomain';

export interface MetaRules {
  kind: string;
  namespaced: boolean;
  nameRule: NameRule;
}

export function checkMetadata(meta: unknown, rules: MetaRules, r: Report): void {
  if (meta === undefined || meta === null) {
    r.error('metadata.name', `required; give the ${rules.kind} a name, e.g. reviews`);
    return;
  }
  if (!isRecord(meta)) {
    r.error('metadata', `must be an object with at least a name, got ${describe(meta)}`);
    return;
  }
  checkFields(meta, KUBE_TYPES.ObjectMeta ?? {}, KUBE_TYPES, 'metadata', r);

  const name = meta.name;
  if (name === undefined || name === null || name === '') {
    r.error('metadata.name', `required; give the ${rules.kind} a name, e.g. reviews`);
  } else if (typeof name === 'string') {
    const err = rules.nameRule === 'label' ? dns1123LabelError(name) : dns1123SubdomainError(name);
    if (err !== undefined) r.error('metadata.name', err);
  }

  const ns = meta.namespace;
  if (typeof ns === 'string' && ns !== '') {
    if (!rules.namespaced) {
      r.warn('metadata.namespace', `ignored: a ${rules.kind} is not in a namespace; remove it`);
    } else {
      const err = dns1123LabelError(ns);
      if (err !== undefined) r.error('metadata.namespace', err);
    }
  }

  const labels = at('metadata', 'labels');
  for (const [k, v] of stringMap(meta.labels)) {
    const keyErr = qualifiedNameError(k);
    if (keyErr !== undefined) r.error(at(labels, k), keyErr);
    const valueErr = labelValueError(v);
    if (valueErr !== undefined) r.error(at(labels, k), valueErr);
  }
  for (const [k] of stringMap(meta.annotations)) {
    const keyErr = qualifiedNameError(k);
    if (keyErr !== undefined) r.error(at('metadata.annotations', k), keyErr);
  }
}

/** Checks a label map such as a selector's: valid keys and values (Istio's labels.Instance.Validate). */
export function checkLabelMap(v: unknown, path: string, r: Report): void {
  for (const [k, value] of stringMap(v)) {
    const err = qualifiedNameError(k) ?? labelValueError(value);
    if (err !== undefined) r.error(at(path, k), err);
  }
}
