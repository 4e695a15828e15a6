/**
 * Who owns a host, and whose rules may touch it: the tenancy model shared by the validator (at
 * apply), the snapshot builder (objects a change left behind) and the router (wildcards, names
 * nobody owns, per caller).
 *
 * - A name in the cluster domain belongs to the namespace it names
 *   (`reviews.demo.svc.cluster.local` is demo's, whether or not the Service exists yet: only
 *   demo can create it), and so does the gateway's default host `reviews.demo.localhost`.
 * - Any other name belongs to the project whose Gateway claimed it first: an exact host, or a
 *   wildcard over a domain (`*.example.com` claims every name under it). A Gateway that would
 *   serve a name another project owns claims nothing. `*` and `*.com` claim nothing; they catch
 *   what nobody owns.
 * - A name nobody owns (an external name, a ServiceEntry's host) is each project's own
 *   business: its rules there apply to its own traffic only.
 *
 * An object of project N applies to traffic for host h when N owns h, or the owner lets N in
 * (`graymesh.dev/allow-routes-from`); for a name nobody owns, the traffic is the caller's (the
 * calling workload's project, or the project of the Gateway it entered by).
 */
import type { KubeObject } from '../../api/objects.js';
import { byCreation, hostMatches, hostWithin, isClaim, namespaceOf, projectOfName, qualifyHost, splitServerHost } from './hosts.js';

/** What the model is built from: the projects with whom each lets in, and the Gateways (whose hosts claim names). */
export interface TenancyFacts {
  projects: readonly { name: string; allowRoutesFrom?: readonly string[] }[];
  gateways: readonly KubeObject[];
  /** Further namespaces short names `name.namespace` resolve in (those of stored objects). */
  namespaces?: Iterable<string>;
}

interface Claim {
  pattern: string;
  project: string;
}

/** The server hosts of a Gateway (their host parts, lowercase). */
export function gatewayHosts(gw: KubeObject): string[] {
  const servers = (gw.spec as { servers?: { hosts?: unknown }[] } | undefined)?.servers;
  const out: string[] = [];
  for (const s of Array.isArray(servers) ? servers : []) {
    for (const h of Array.isArray(s?.hosts) ? s.hosts : []) if (typeof h === 'string') out.push(splitServerHost(h).host);
  }
  return out;
}

const gatewayKey = (gw: KubeObject): string => `${namespaceOf(gw)}/${gw.metadata.name}`;

export class HostOwners {
  /** Every namespace a short name may resolve in. */
  readonly namespaces: ReadonlySet<string>;
  private readonly allowed = new Map<string, ReadonlySet<string>>();
  /** Claims in the order they were made: the first covering a name owns it. */
  private readonly claims: Claim[] = [];
  private readonly refusedGateways = new Set<string>();

  constructor(facts: TenancyFacts) {
    const namespaces = new Set<string>(facts.namespaces ?? []);
    for (const p of facts.projects) {
      namespaces.add(p.name);
      this.allowed.set(p.name, new Set(p.allowRoutesFrom ?? []));
    }
    for (const gw of facts.gateways) namespaces.add(namespaceOf(gw));
    this.namespaces = namespaces;
    // Oldest first: a Gateway claims its names only when every host it serves is its project's to serve.
    for (const gw of [...facts.gateways].sort(byCreation)) {
      const ns = namespaceOf(gw);
      const hosts = gatewayHosts(gw);
      if (!hosts.every((h) => this.mayName(ns, h))) {
        this.refusedGateways.add(gatewayKey(gw));
        continue;
      }
      for (const h of hosts) if (isClaim(h)) this.claims.push({ pattern: h, project: ns });
    }
  }

  /** `host` written in namespace `ns`, fully qualified as the router reads it. */
  qualify(host: string, ns: string): string {
    return qualifyHost(host, ns, this.namespaces);
  }

  /** The project owning a concrete (qualified) host, or undefined when nobody does. */
  ownerOf(host: string): string | undefined {
    return projectOfName(host) ?? this.claims.find((c) => hostMatches(c.pattern, host))?.project;
  }

  /**
   * The project owning every name a pattern covers: `*.demo.svc.cluster.local` is demo's, and
   * `*.shop.example.com` is the project's that claimed `*.example.com`. Undefined when the
   * pattern spans names of several owners (or of none): it is then confined where it applies.
   */
  ownerOfPattern(pattern: string): string | undefined {
    if (!pattern.startsWith('*')) return this.ownerOf(pattern);
    return projectOfName(pattern) ?? this.claims.find((c) => c.pattern.startsWith('*') && hostWithin(pattern, c.pattern))?.project;
  }

  /** Whether project `owner` lets the rules of project `ns` name its hosts and route to them. */
  allows(owner: string, ns: string): boolean {
    return this.allowed.get(owner)?.has(ns) === true;
  }

  /** Whether an object of `ns` may name `host` (qualified; a wildcard when it starts with `*`). */
  mayName(ns: string, host: string): boolean {
    const owner = this.ownerOfPattern(host);
    return owner === undefined || owner === ns || this.allows(owner, ns);
  }

  /**
   * Whether a rule of project `ns` applies to traffic for concrete `host` on behalf of `party`:
   * the caller's project (a workload's, or a Gateway's at the gateway), which a name nobody
   * owns belongs to.
   */
  applies(ns: string, host: string, party: string): boolean {
    const owner = this.ownerOf(host) ?? party;
    return owner === ns || this.allows(owner, ns);
  }

  /** Whether a Gateway serves only hosts its project may serve (else it claims nothing). */
  gatewayAccepted(gw: KubeObject): boolean {
    return !this.refusedGateways.has(gatewayKey(gw));
  }
}
