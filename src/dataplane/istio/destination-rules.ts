/**
 * The DestinationRule that applies to a host. Istio looks in the client's namespace, then the
 * service's, then the root namespace (istio-system); graymesh compiles one cluster per
 * (host, subset) for every caller, so it looks in the destination's namespace first, then
 * istio-system, then any other. Within a namespace the most specific `host` wins, and rules
 * for the same host merge as Istio merges them: the oldest top-level trafficPolicy, and the
 * first definition of each subset
 * (https://istio.io/latest/docs/ops/best-practices/traffic-management/#split-virtual-services).
 * A rule counts for a viewing namespace where it is exported (exportTo) and where its project's
 * rules apply to the host (config/tenancy: the host's owner, or a project it lets in).
 */
import type { KubeObject } from '../../api/objects.js';
import { exportToOf, isExportedTo } from '../../config/tenancy/exports.js';
import type { HostOwners } from '../../config/tenancy/owners.js';
import { byCreation, hostMatches, namespaceOf, specificity, type HostNames } from './hosts.js';
import type { DestinationRuleSpec, Subset, TrafficPolicy } from './types.js';

/** The merged rule for one host. */
export interface ResolvedRule {
  /** `ns/name` of the rules merged, for messages. */
  names: string[];
  trafficPolicy?: TrafficPolicy;
  subsets: Map<string, Subset>;
}

interface Entry {
  pattern: string;
  ns: string;
  obj: KubeObject;
  spec: DestinationRuleSpec;
  exportTo: string[] | undefined;
}

const ROOT_NAMESPACE = 'istio-system';

export class DestinationRules {
  private readonly entries: Entry[];
  private readonly memo = new Map<string, ResolvedRule | undefined>();

  constructor(rules: KubeObject[], names: HostNames, private readonly owners: HostOwners) {
    this.entries = [...rules].sort(byCreation).map((obj) => {
      const spec = (obj.spec ?? { host: '' }) as unknown as DestinationRuleSpec;
      const ns = namespaceOf(obj);
      return { pattern: names.qualify(spec.host ?? '', ns), ns, obj, spec, exportTo: exportToOf(obj) };
    });
  }

  /** The rule namespace `viewer` sees for fully-qualified `host` of a destination living in `hostNamespace`. */
  lookup(host: string, hostNamespace: string, viewer: string): ResolvedRule | undefined {
    const key = `${viewer}/${hostNamespace}/${host}`;
    if (this.memo.has(key)) return this.memo.get(key);
    const matching = this.entries.filter(
      (e) => hostMatches(e.pattern, host) && isExportedTo(e.exportTo, e.ns, viewer) && this.owners.applies(e.ns, host, viewer),
    );
    const rank = (e: Entry): number => (e.ns === hostNamespace ? 0 : e.ns === ROOT_NAMESPACE ? 1 : 2);
    let best: Entry | undefined;
    for (const e of matching) {
      if (!best || rank(e) < rank(best) || (rank(e) === rank(best) && specificity(e.pattern) > specificity(best.pattern))) best = e;
    }
    const chosen = best;
    const resolved = chosen ? merge(matching.filter((e) => e.ns === chosen.ns && e.pattern === chosen.pattern)) : undefined;
    this.memo.set(key, resolved);
    return resolved;
  }
}

function merge(group: Entry[]): ResolvedRule {
  const out: ResolvedRule = { names: [], subsets: new Map() };
  for (const e of group) {
    out.names.push(`${e.ns}/${e.obj.metadata.name}`);
    if (!out.trafficPolicy && e.spec.trafficPolicy) out.trafficPolicy = e.spec.trafficPolicy;
    for (const s of e.spec.subsets ?? []) if (!out.subsets.has(s.name)) out.subsets.set(s.name, s);
  }
  return out;
}
