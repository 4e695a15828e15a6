/**
 * The Release compiler: a Release becomes a plain Istio VirtualService and
 * DestinationRule, as KubeSphere's strategy controller compiles a Strategy.
 * Pure and shared by both engines.
 */
import type { KubeObject } from '../../api/objects.js';
import {
  MANAGED_ANNOTATION,
  RELEASE_ANNOTATION,
  STAGE_ANNOTATION,
  STICKY_ANNOTATION,
  type ContentMatch,
  type Release,
} from './types.js';
import { userAgentRegex } from './user-agent.js';

const ISTIO = 'networking.istio.io/v1';

/**
 * What the rules do: `pin` sends everything to the principal (before the new
 * version is ready, or while paused); `rules` applies the release (or its
 * governor); `survivor` is the plain route left after offline.
 */
export type Stage = 'pin' | 'rules';

function escapeRe2(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

const destination = (host: string, subset: string): { host: string; subset: string } => ({ host, subset });

/** The versions a release involves: principal first, then the new one. */
export function releaseVersions(r: Release): string[] {
  const spec = r.spec!;
  return spec.principal === spec.newVersion.version ? [spec.principal] : [spec.principal, spec.newVersion.version];
}

/** The share of traffic each version gets, %. (Mirror copies are not counted.) */
export function effectiveWeights(r: Release, stage: Stage): Record<string, number> {
  const spec = r.spec!;
  const out: Record<string, number> = {};
  for (const v of releaseVersions(r)) out[v] = 0;
  if (stage === 'pin') {
    out[spec.principal] = 100;
    return out;
  }
  if (spec.governor) {
    out[spec.governor] = 100;
    return out;
  }
  switch (spec.type) {
    case 'canary':
      if (spec.routes.weights) return { ...out, ...spec.routes.weights };
      // By content: the share is unknown ahead of time; report the fallback version's.
      out[spec.principal] = 100;
      return out;
    case 'bluegreen':
      out[spec.routes.serve ?? spec.principal] = 100;
      return out;
    case 'mirror':
      out[spec.principal] = 100;
      return out;
  }
}

/** The request-content match of a canary: one HTTPMatchRequest, all conditions ANDed. */
export function contentMatch(m: ContentMatch): Record<string, unknown> {
  const match: Record<string, unknown> = {};
  const headers: Record<string, unknown> = {};
  if (m.cookie) {
    // The cookie header holds `a=1; b=2`; match the pair anywhere in it.
    const pair = m.cookie.regex ?? escapeRe2(m.cookie.exact ?? '');
    headers.cookie = { regex: `^(.*?;\\s*)?(${pair})(;.*)?$` };
  }
  if (m.header) {
    headers[m.header.name.toLowerCase()] = m.header.regex !== undefined ? { regex: m.header.regex } : { exact: m.header.exact ?? '' };
  }
  const ua = userAgentRegex(m.os, m.browser);
  if (ua) headers['user-agent'] = { regex: ua };
  if (Object.keys(headers).length > 0) match.headers = headers;
  if (m.uri) match.uri = m.uri.regex !== undefined ? { regex: m.uri.regex } : { prefix: m.uri.prefix ?? '/' };
  return match;
}

/** What a release's objects say of their owner: an ownerReference to the Release, once it has a uid (a cluster's garbage collector follows it). */
export function releaseOwner(r: Release): Pick<KubeObject['metadata'], 'ownerReferences'> {
  return r.metadata.uid ? { ownerReferences: [{ apiVersion: r.apiVersion, kind: 'Release', name: r.metadata.name, uid: r.metadata.uid, controller: true }] } : {};
}

function meta(r: Release, name: string, extra: Record<string, string> = {}): KubeObject['metadata'] {
  return {
    name,
    namespace: r.metadata.namespace as string,
    labels: { app: r.spec!.service },
    annotations: { [RELEASE_ANNOTATION]: r.metadata.name, [MANAGED_ANNOTATION]: 'graymesh', ...extra },
    ...releaseOwner(r),
  };
}

/** The DestinationRule: one subset per version, selected by the `version` label. */
export function compileDestinationRule(r: Release, versions: string[] = releaseVersions(r)): KubeObject {
  const svc = r.spec!.service;
  return {
    apiVersion: ISTIO,
    kind: 'DestinationRule',
    metadata: meta(r, svc),
    spec: { host: svc, subsets: versions.map((v) => ({ name: v, labels: { version: v } })) },
  };
}

/** The VirtualService for a stage; its stage annotation says which it enforces. */
export function compileVirtualService(r: Release, stage: Stage): KubeObject {
  const spec = r.spec!;
  const svc = spec.service;
  const newV = spec.newVersion.version;
  const weights = effectiveWeights(r, stage);
  const weighted = (): Record<string, unknown>[] =>
    Object.entries(weights)
      .filter(([, w]) => w > 0)
      .map(([v, w]) => ({ destination: destination(svc, v), weight: w }));
  let http: Record<string, unknown>[];
  if (stage === 'pin' || spec.governor) {
    http = [{ name: stage === 'pin' ? 'pin-principal' : 'governor', route: weighted() }];
  } else if (spec.type === 'canary' && spec.routes.match) {
    http = [
      { name: 'canary-match', match: [contentMatch(spec.routes.match)], route: [{ destination: destination(svc, newV) }] },
      { name: 'principal', route: [{ destination: destination(svc, spec.principal) }] },
    ];
  } else if (spec.type === 'mirror') {
    http = [
      {
        name: 'mirror',
        route: [{ destination: destination(svc, spec.principal), weight: 100 }],
        mirror: destination(svc, newV),
        mirrorPercentage: { value: spec.routes.mirrorPercent ?? 100 },
      },
    ];
  } else {
    http = [{ name: spec.type, route: weighted() }];
  }
  const sticky = spec.sticky?.cookie ? `cookie:${spec.sticky.cookie}` : spec.sticky?.header ? `header:${spec.sticky.header.toLowerCase()}` : undefined;
  return {
    apiVersion: ISTIO,
    kind: 'VirtualService',
    metadata: meta(r, svc, { [STAGE_ANNOTATION]: stage, ...(sticky ? { [STICKY_ANNOTATION]: sticky } : {}) }),
    spec: { hosts: [svc], http },
  };
}

/** The plain route left after offline: everything to the survivor, no release named. */
export function compileSurvivor(namespace: string, service: string, survivor: string): { virtualService: KubeObject; destinationRule: KubeObject } {
  const m = (): KubeObject['metadata'] => ({
    name: service,
    namespace,
    labels: { app: service },
    annotations: { [MANAGED_ANNOTATION]: 'graymesh' },
  });
  return {
    virtualService: {
      apiVersion: ISTIO,
      kind: 'VirtualService',
      metadata: m(),
      spec: { hosts: [service], http: [{ route: [{ destination: destination(service, survivor) }] }] },
    },
    destinationRule: {
      apiVersion: ISTIO,
      kind: 'DestinationRule',
      metadata: m(),
      spec: { host: service, subsets: [{ name: survivor, labels: { version: survivor } }] },
    },
  };
}
