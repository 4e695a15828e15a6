/**
 * Host names as Istio reads them in VirtualService `hosts`, `destination.host` and
 * DestinationRule `host`: a short name resolves in the object's namespace (`reviews` in `demo`
 * is `reviews.demo.svc.cluster.local`), a wildcard `*.example.com` covers every name under it,
 * and `*` covers all (https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService).
 */
import type { KubeObject } from '../../api/objects.js';
import { hostMatches, namespaceOf, qualifyHost, specificity } from '../../config/tenancy/hosts.js';

export { byCreation, hostMatches, namespaceOf, specificity } from '../../config/tenancy/hosts.js';

/** Qualifies host names against the namespaces a snapshot knows (`qualifyHost`). */
export class HostNames {
  constructor(readonly namespaces: ReadonlySet<string>) {}

  qualify(host: string, ns: string): string {
    return qualifyHost(host, ns, this.namespaces);
  }
}

/** Every namespace a snapshot mentions: projects, services, and the namespaces of Istio objects. */
export function knownNamespaces(projects: string[], objects: KubeObject[]): Set<string> {
  const out = new Set(projects);
  for (const o of objects) out.add(namespaceOf(o));
  return out;
}

/**
 * Values by host pattern; a lookup finds the most specific pattern covering a host among those
 * holding values the caller keeps (tenancy and exportTo decide per caller): one map lookup for
 * exact names, then a scan of the (short) wildcard list, most specific first.
 */
export class HostIndex<T> {
  private readonly exact = new Map<string, T[]>();
  private readonly wildcards: { pattern: string; values: T[] }[] = [];

  add(pattern: string, value: T): void {
    if (!pattern.startsWith('*')) {
      this.exact.set(pattern, [...(this.exact.get(pattern) ?? []), value]);
      return;
    }
    const w = this.wildcards.find((x) => x.pattern === pattern);
    if (w) {
      w.values.push(value);
      return;
    }
    this.wildcards.push({ pattern, values: [value] });
    this.wildcards.sort((a, b) => specificity(b.pattern) - specificity(a.pattern) || a.pattern.localeCompare(b.pattern));
  }

  /** The kept values of the most specific pattern covering `host` that has any; undefined when none has. */
  lookup(host: string, keep: (v: T) => boolean): T[] | undefined {
    const hit = this.exact.get(host)?.filter(keep);
    if (hit !== undefined && hit.length > 0) return hit;
    for (const w of this.wildcards) {
      if (!hostMatches(w.pattern, host)) continue;
      const kept = w.values.filter(keep);
      if (kept.length > 0) return kept;
    }
    return undefined;
  }
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
