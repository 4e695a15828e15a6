/**
 * Discovery as kubectl reads it: /version, /api, /apis, each group version's resource list,
 * and the aggregated form (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) that kubectl asks for
 * first. One table (resources.ts) answers all of them.
 */
import { RESOURCES, apiVersionOf, groups, resourcesOf, verbsOf, type Resource } from './resources.js';

export const AGGREGATED_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** Whether an Accept header asks for aggregated discovery (v2). */
export function wantsAggregated(accept: string | undefined): boolean {
  return accept !== undefined && accept.split(',').some((a) => /as=APIGroupDiscoveryList/.test(a) && /v=v2(;|$|\s)/.test(a) && /g=apidiscovery\.k8s\.io/.test(a));
}

export function version(): unknown {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-graymesh',
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'node',
    compiler: 'graymesh',
    platform: `${process.platform}/${process.arch}`,
  };
}

export function coreVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function groupList(): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups().map((g) => ({
      name: g.name,
      versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${g.name}/${g.versions[0]}`, version: g.versions[0] },
    })),
  };
}

function subresourceKind(r: Resource, sub: string): { group: string; version: string; kind: string } {
  if (sub === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  if (sub === 'log') return { group: '', version: 'v1', kind: 'Pod' };
  return { group: r.group, version: r.versions[0] as string, kind: r.kind };
}

const subVerbs = (sub: string): string[] => (sub === 'log' ? ['get'] : ['get', 'patch', 'update']);

export function resourceList(group: string, version: string): unknown {
  const resources = resourcesOf(group, version).flatMap((r) => [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: verbsOf(r),
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    },
    ...r.subresources.map((sub) => {
      const k = subresourceKind(r, sub);
      return { name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, ...(sub === 'scale' ? { group: k.group, version: k.version } : {}), kind: k.kind, verbs: subVerbs(sub) };
    }),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

function aggregatedVersion(group: string, version: string): unknown {
  return {
    version,
    freshness: 'Current',
    resources: resourcesOf(group, version).map((r) => ({
      resource: r.plural,
      responseKind: { group, version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singular,
      verbs: verbsOf(r),
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      ...(r.subresources.length > 0
        ? { subresources: r.subresources.map((sub) => ({ subresource: sub, responseKind: subresourceKind(r, sub), verbs: subVerbs(sub) })) }
        : {}),
    })),
  };
}

/** The aggregated discovery of /api (the core group) or /apis (every other group). */
export function aggregated(core: boolean): unknown {
  const items = core
    ? [{ metadata: { name: '' }, versions: [aggregatedVersion('', 'v1')] }]
    : groups().map((g) => ({ metadata: { name: g.name }, versions: g.versions.map((v) => aggregatedVersion(g.name, v)) }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

/** Every group version served, as `api/v1` and `apis/apps/v1`. */
export function groupVersionPaths(): { path: string; group: string; version: string }[] {
  const out = [{ path: 'api/v1', group: '', version: 'v1' }];
  for (const g of groups()) for (const v of g.versions) out.push({ path: `apis/${g.name}/${v}`, group: g.name, version: v });
  return out;
}

export { RESOURCES };
