/**
 * Host names as Istio reads them, shared by the validator and the router: how a name written in
 * a namespace is qualified, what a pattern covers, and which project a name carries in itself
 * (`reviews.demo.svc.cluster.local` and the gateway's `productpage.demo.localhost` are demo's).
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService
 */
import type { KubeObject } from '../../api/objects.js';

export const CLUSTER_DOMAIN = 'svc.cluster.local';
const LOCALHOST = 'localhost';

export function namespaceOf(o: KubeObject): string {
  return o.metadata.namespace ?? 'default';
}

/**
 * The fully-qualified form of `host` written in namespace `ns`. Istio expands only names
 * without a dot; graymesh also takes `name.namespace` and `name.namespace.svc` when that
 * namespace exists (Kubernetes DNS does), while `httpbin.org` stays itself.
 */
export function qualifyHost(host: string, ns: string, namespaces: ReadonlySet<string>): string {
  const h = host.toLowerCase();
  if (h.startsWith('*') || h.endsWith(`.${CLUSTER_DOMAIN}`)) return h;
  if (h.endsWith('.svc')) return `${h}.cluster.local`;
  const dot = h.indexOf('.');
  if (dot < 0) return `${h}.${ns}.${CLUSTER_DOMAIN}`;
  if (h.indexOf('.', dot + 1) < 0 && namespaces.has(h.slice(dot + 1))) return `${h}.${CLUSTER_DOMAIN}`;
  return h;
}

/** Whether concrete `host` falls under `pattern`: equal, under its `*` wildcard label, or `*`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** Whether host or pattern `a` lies within pattern `b` (Istio's host.Name.SubsetOf): equal, or under b's wildcard. */
export function hostWithin(a: string, b: string): boolean {
  if (b === '*') return true;
  if (b.startsWith('*')) {
    const suffix = b.slice(1);
    return a.startsWith('*') ? a.slice(1).endsWith(suffix) : a.endsWith(suffix);
  }
  return a === b;
}

/** Larger is more specific: an exact name beats every wildcard, a longer wildcard a shorter one. */
export function specificity(pattern: string): number {
  return pattern.startsWith('*') ? pattern.length : Number.MAX_SAFE_INTEGER;
}

/**
 * The project a name or pattern carries in itself: `*.demo.svc.cluster.local`,
 * `reviews.demo.svc.cluster.local` (any name below the namespace label) and
 * `productpage.demo.localhost` are demo's. Undefined for a name outside both domains, and for a
 * pattern spanning several namespaces (`*.svc.cluster.local`, `*.localhost`).
 */
export function projectOfName(host: string): string | undefined {
  const labels = host.split('.');
  let at = -1;
  if (host.endsWith(`.${CLUSTER_DOMAIN}`) && labels.length >= 5) at = labels.length - 4;
  else if (host.endsWith(`.${LOCALHOST}`) && labels.length >= 3) at = labels.length - 2;
  const label = at > 0 ? labels[at] : undefined;
  return label === undefined || label.includes('*') ? undefined : label;
}

/** Names in the mesh's own domains (`.local`, `.localhost`, `.svc`): owned by the namespace they carry, never claimed. */
export function isMeshDomain(host: string): boolean {
  return host === LOCALHOST || host.endsWith('.local') || host.endsWith(`.${LOCALHOST}`) || host.endsWith('.svc');
}

/**
 * Whether a Gateway host claims its names for its project: an exact name, or a wildcard over a
 * domain of two labels or more (`*.example.com`). `*`, `*.com` and names in the mesh's domains
 * claim nothing: they catch what nobody claimed.
 */
export function isClaim(host: string): boolean {
  if (isMeshDomain(host) || host === '*') return false;
  if (!host.startsWith('*')) return true;
  const dot = host.indexOf('.');
  return dot >= 0 && host.slice(dot + 1).split('.').filter((l) => l !== '').length >= 2;
}

/** A Gateway server host `[namespace/]host`, lowercase: the namespace part (default `*`) and the host. */
export function splitServerHost(raw: string): { namespace: string; host: string } {
  const slash = raw.indexOf('/');
  return { namespace: slash < 0 ? '*' : raw.slice(0, slash), host: (slash < 0 ? raw : raw.slice(slash + 1)).toLowerCase() };
}

/** Orders objects as Istio does when several apply: oldest first, then by name and namespace. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = created(a);
  const tb = created(b);
  if (ta !== tb) return ta - tb;
  return a.metadata.name.localeCompare(b.metadata.name) || namespaceOf(a).localeCompare(namespaceOf(b));
}

function created(o: KubeObject): number {
  const t = Date.parse(o.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
}
