/**
 * Host names as Istio reads them in VirtualService `hosts`, `destination.host` and
 * DestinationRule `host`: a short name resolves in the object's namespace (`reviews` in `demo`
 * is `reviews.demo.svc.cluster.local`), a wildcard `*.example.com` covers every name under it,
 * and `*` covers all (https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService).
 */
import type { KubeObject } from '../../api/objects.js';
import { CLUSTER_DOMAIN } from '../service-registry.js';

/** Qualifies host names against the namespaces a snapshot knows. */
export class HostNames {
  constructor(private readonly namespaces: ReadonlySet<string>) {}

  /**
   * The fully-qualified form of `host` written in namespace `ns`. Istio expands only names
   * without a dot; graymesh also takes `name.namespace` and `name.namespace.svc` when that
   * namespace exists (Kubernetes DNS does), while `httpbin.org` stays itself.
   */
  qualify(host: string, ns: string): string {
    const h = host.toLowerCase();
    if (h.startsWith('*') || h.endsWith(`.${CLUSTER_DOMAIN}`)) return h;
    if (h.endsWith('.svc')) return `${h}.cluster.local`;
    const dot = h.indexOf('.');
    if (dot < 0) return `${h}.${ns}.${CLUSTER_DOMAIN}`;
    if (h.indexOf('.', dot + 1) < 0 && this.namespaces.has(h.slice(dot + 1))) return `${h}.${CLUSTER_DOMAIN}`;
    return h;
  }
}

/** Every namespace a snapshot mentions: projects, services, and the namespaces of Istio objects. */
export function knownNamespaces(projects: string[], objects: KubeObject[]): Set<string> {
  const out = new Set(projects);
  for (const o of objects) out.add(namespaceOf(o));
  return out;
}

export function namespaceOf(o: KubeObject): string {
  return o.metadata.namespace ?? 'default';
}

/** Whether concrete `host` falls under `pattern`: equal, under its `*.` wildcard, or `*`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** Larger is more specific: an exact name beats every wildcard, a longer wildcard a shorter one. */
export function specificity(pattern: string): number {
  return pattern.startsWith('*') ? pattern.length : Number.MAX_SAFE_INTEGER;
}

/**
 * Values by host pattern; a lookup finds the most specific pattern covering a host: one map
 * lookup for exact names, then a scan of the (short) wildcard list, most specific first.
 */
export class HostIndex<T> {
  private readonly exact = new Map<string, T>();
  private readonly wildcards: { pattern: string; value: T }[] = [];

  set(pattern: string, value: T): void {
    if (!pattern.startsWith('*')) {
      this.exact.set(pattern, value);
      return;
    }
    this.wildcards.push({ pattern, value });
    this.wildcards.sort((a, b) => specificity(b.pattern) - specificity(a.pattern) || a.pattern.localeCompare(b.pattern));
  }

  lookup(host: string): T | undefined {
    const hit = this.exact.get(host);
    if (hit !== undefined) return hit;
    for (const w of this.wildcards) if (hostMatches(w.pattern, host)) return w.value;
    return undefined;
  }
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

/**
 * A map that forgets everything once it holds `max` entries, so per-host memos stay bounded
 * however many distinct Host headers clients send.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): V {
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}
