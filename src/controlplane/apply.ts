/**
 * `apply` and `delete` of manifests: every document is validated first, and
 * only when all of them are valid is anything written, in one transaction.
 * One apply is all-or-nothing, as the contract says; admission (`admitObjects`)
 * comes between validation and the writes.
 */
import type { Container, Deployment, KubeObject } from '../api/objects.js';
import { GmError, invalid, notFound } from '../api/errors.js';
import { kindOf } from '../api/kinds.js';
import { resolveContainer } from '../runtime/image-catalog.js';
import { analyze, formatIssue, validateObject } from '../config/validate/index.js';
import type { TenancyCheckOptions } from '../config/tenancy/check.js';
import { userAnnotations, type Store } from './store.js';
import { checkIncoming, forgetAllows } from './tenancy.js';

export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'deleted';

export interface ApplyResult {
  kind: string;
  name: string;
  namespace?: string;
  action: ApplyAction;
}

export interface ApplyOutcome {
  results: ApplyResult[];
  warnings: string[];
}

export interface PrepareOptions {
  /**
   * The tenancy check (a traffic object names only its project's hosts; config/tenancy), with
   * which owners the caller may be told of; false for a delete, which names objects only.
   */
  tenancy?: TenancyCheckOptions | false;
  /** The one project every namespaced document must be in (a route under /projects/:project, whose access the guard checked). */
  onlyIn?: string;
}

/** Validates and normalizes documents; throws one GmError listing every problem. */
export function prepare(
  store: Store,
  docs: unknown[],
  defaultNamespace: string | undefined,
  opts: PrepareOptions = {},
): { objects: KubeObject[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const objects: KubeObject[] = [];
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return;
    const where = `document ${i + 1}`;
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      errors.push(`${where}: not an object; each document must be a Kubernetes-style object with apiVersion, kind and metadata`);
      return;
    }
    const raw = structuredClone(doc) as KubeObject;
    const info = typeof raw.apiVersion === 'string' && typeof raw.kind === 'string' ? kindOf(raw.apiVersion, raw.kind) : undefined;
    if (info?.namespaced && raw.metadata && typeof raw.metadata === 'object' && !raw.metadata.namespace && defaultNamespace) {
      raw.metadata.namespace = defaultNamespace;
    }
    const result = validateObject(raw);
    for (const e of result.errors) errors.push(formatIssue(e));
    for (const w of result.warnings) warnings.push(formatIssue(w));
    if (result.errors.length > 0 || !result.object) return;
    const obj = result.object;
    // Status and the creation time are the system's to write, never the user's (as the
    // Kubernetes API ignores them on create): Gateways claim host names by age.
    delete obj.status;
    delete obj.metadata.creationTimestamp;
    const name = `${obj.kind} ${obj.metadata.name}`;
    if (info && !info.writable) {
      errors.push(`${name}: kind ${obj.kind} is managed by graymesh; create a Deployment instead`);
      return;
    }
    if (info?.namespaced && !obj.metadata.namespace) {
      errors.push(`${name}: metadata.namespace: missing; set it in the manifest or pass -p PROJECT`);
      return;
    }
    if (info?.namespaced && opts.onlyIn !== undefined && obj.metadata.namespace !== opts.onlyIn) {
      errors.push(`${name}: metadata.namespace: "${obj.metadata.namespace}" is not project ${opts.onlyIn}, where it was sent; remove the field, or send it to that project`);
      return;
    }
    if (obj.kind === 'Deployment') {
      for (const [ci, c] of ((obj as Deployment).spec?.template.spec.containers ?? []).entries()) {
        try {
          resolveContainer(c as Container, `${name}: spec.template.spec.containers[${ci}].image`);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }
    objects.push(obj);
  });
  // Every namespace must exist, or be created by this same apply.
  const created = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  for (const o of objects) {
    const ns = o.metadata.namespace;
    if (ns && !created.has(ns) && !store.get('Namespace', undefined, ns)) {
      errors.push(`${o.kind} ${o.metadata.name}: metadata.namespace: project "${ns}" does not exist; create it first (graymesh apply a Namespace, or graymesh deploy ... -p ${ns})`);
    }
  }
  const seen = new Set<string>();
  for (const o of objects) {
    const k = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(k)) errors.push(`${o.kind} ${o.metadata.name}: appears twice in one apply; keep one`);
    seen.add(k);
  }
  if (errors.length === 0 && opts.tenancy !== false) errors.push(...checkIncoming(store, objects, opts.tenancy ?? {}));
  if (errors.length > 0) {
    throw invalid(errors.length === 1 ? (errors[0] as string) : `${errors.length} problems, nothing applied: ${errors[0]}`, errors);
  }
  const existing = (kind: string): KubeObject[] => store.list(kind);
  const all = mergeForAnalysis([...existing('VirtualService'), ...existing('DestinationRule'), ...existing('Gateway'), ...existing('ServiceEntry')], objects);
  for (const w of analyze(all)) {
    const touched = objects.some((o) => o.kind === w.kind && o.metadata.name === w.name);
    if (touched) warnings.push(formatIssue(w));
  }
  return { objects, warnings };
}

function mergeForAnalysis(stored: KubeObject[], incoming: KubeObject[]): KubeObject[] {
  const key = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const map = new Map(stored.map((o) => [key(o), o]));
  for (const o of incoming) map.set(key(o), o);
  return [...map.values()];
}

/** Writes prepared objects in one transaction. */
export function applyObjects(store: Store, objects: KubeObject[]): ApplyResult[] {
  return store.transaction(() =>
    objects.map((obj): ApplyResult => {
      const ns = obj.metadata.namespace;
      const base = { kind: obj.kind, name: obj.metadata.name, ...(ns ? { namespace: ns } : {}) };
      const current = store.get(obj.kind, ns, obj.metadata.name);
      if (!current) {
        store.create(obj);
        return { ...base, action: 'created' };
      }
      if (sameDesired(current, obj)) return { ...base, action: 'unchanged' };
      store.update(obj);
      return { ...base, action: 'configured' };
    }),
  );
}

function sameDesired(a: KubeObject, b: KubeObject): boolean {
  const pick = (o: KubeObject): string =>
    JSON.stringify([o.apiVersion, o.metadata.labels ?? {}, userAnnotations(o), o.spec ?? null, o.data ?? null]);
  return pick(a) === pick(b);
}

/** The objects not in the store; throws naming the first unless ignoreNotFound (a delete is all or nothing). */
export function missingObjects(store: Store, objects: KubeObject[], ignoreNotFound: boolean): KubeObject[] {
  const missing = objects.filter((o) => !store.get(o.kind, o.metadata.namespace, o.metadata.name));
  if (missing.length > 0 && !ignoreNotFound) {
    const m = missing[0] as KubeObject;
    throw notFound(
      `${m.kind} ${m.metadata.name} not found${m.metadata.namespace ? ` in project ${m.metadata.namespace}` : ''}; nothing deleted (use --ignore-not-found to delete the rest)`,
    );
  }
  return missing;
}

/** Deletes objects (and, for a Namespace, everything in it) in one transaction. */
export function deleteObjects(store: Store, objects: KubeObject[], ignoreNotFound: boolean): ApplyResult[] {
  const missing = missingObjects(store, objects, ignoreNotFound);
  return store.transaction(() =>
    objects
      .filter((o) => !missing.includes(o))
      .map((o): ApplyResult => {
        const ns = o.metadata.namespace;
        if (o.kind === 'Namespace') deleteNamespaceContents(store, o.metadata.name);
        store.delete(o.kind, ns, o.metadata.name);
        return { kind: o.kind, name: o.metadata.name, ...(ns ? { namespace: ns } : {}), action: 'deleted' };
      }),
  );
}

/**
 * Every object in a namespace, except Pods (the engine removes those as their Deployments go),
 * and the namespace from every other project's allow list: a project created again under the
 * same name starts trusted by nobody.
 */
export function deleteNamespaceContents(store: Store, namespace: string): void {
  for (const kind of ['Application', 'VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Service', 'ServiceAccount', 'Secret', 'Deployment', 'Release']) {
    for (const o of store.list(kind, { namespace })) store.delete(kind, namespace, o.metadata.name);
  }
  forgetAllows(store, namespace);
}

/**
 * Admission of prepared objects (a release on a held service is refused): nothing is
 * written when one is refused. One refusal keeps its own code (a conflict), as the
 * object's own route answers it; several are listed as one invalid apply.
 */
export async function admitObjects(objects: KubeObject[], admit: (o: KubeObject) => Promise<void>): Promise<void> {
  const refusals: GmError[] = [];
  for (const o of objects) {
    try {
      await admit(o);
    } catch (err) {
      refusals.push(err instanceof GmError ? err : invalid((err as Error).message));
    }
  }
  if (refusals.length === 1) throw refusals[0];
  if (refusals.length > 1) throw invalid(`${refusals.length} problems, nothing applied: ${refusals[0]!.message}`, refusals.map((e) => e.message));
}
