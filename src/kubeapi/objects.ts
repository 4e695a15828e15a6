/**
 * Objects as the Kubernetes API shows them: in the version the client asked for, with what a
 * cluster always fills in (a Namespace's phase), and lists of them with selectors, limit and
 * continue, and the list's resourceVersion.
 */
import type { KubeObject } from '../api/objects.js';
import { kubeBadRequest } from './status.js';
import { apiVersionOf, type Resource } from './resources.js';
import { matchesFields, matchesLabels, type FieldRequirement, type Requirement } from './selectors.js';

export function shown(o: KubeObject, r: Resource, version: string): KubeObject {
  const out: KubeObject = { ...o, apiVersion: apiVersionOf(r.group, version) };
  if (r.kind === 'Namespace') out.status = { phase: 'Active', ...(o.status ?? {}) };
  if (r.kind === 'Pod') out.spec = { nodeName: 'localhost', ...(o.spec ?? {}) };
  const ts = o.metadata.creationTimestamp;
  if (ts) out.metadata = { ...o.metadata, creationTimestamp: ts.replace(/\.\d+Z$/, 'Z') };
  return out;
}

const rvOf = (o: KubeObject): number => Number(o.metadata.resourceVersion ?? 0) || 0;

/** The newest resourceVersion among objects (a list's resourceVersion; watches resume after it). */
export function newest(objects: KubeObject[]): string {
  return String(objects.reduce((n, o) => Math.max(n, rvOf(o)), 0));
}

export interface Page {
  items: KubeObject[];
  continue?: string;
  remaining?: number;
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Selected objects in name order, one page of them: `continue` is where the next page starts. */
export function page(objects: KubeObject[], labels: Requirement[], fields: FieldRequirement[], limit: number | undefined, cont: string | undefined): Page {
  let items = objects.filter((o) => matchesLabels(o.metadata.labels, labels) && matchesFields(o, fields)).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  if (cont) {
    let after: string;
    try {
      after = (JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { after: string }).after;
    } catch {
      throw kubeBadRequest('continue: not a token this server gave; list again from the start');
    }
    items = items.filter((o) => keyOf(o) > after);
  }
  if (!limit || limit < 1 || items.length <= limit) return { items };
  const shownItems = items.slice(0, limit);
  const last = shownItems[shownItems.length - 1] as KubeObject;
  return { items: shownItems, continue: Buffer.from(JSON.stringify({ after: keyOf(last) })).toString('base64url'), remaining: items.length - limit };
}
