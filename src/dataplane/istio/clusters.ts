/**
 * Upstream clusters, one per (host, subset, port) within a compiled router and named as Envoy
 * names them (`outbound|9080|v1|reviews.demo.svc.cluster.local`), so every route sending there
 * shares its balancer, in-flight counts (`active`) and ejections (`ejected`), both kept by the
 * proxy core. A destination resolves as one namespace sees it (the VirtualService's, or the
 * caller's for a host without rules): the backend and DestinationRule exported to it; two
 * namespaces seeing the same ones share the cluster.
 */
import type { EndpointConfig } from '../../config/snapshot.js';
import { parseIstioDuration } from '../../config/validate/duration.js';
import type { Cluster } from '../policy.js';
import { balancerKind, createBalancer } from './balancer.js';
import type { Backend, Backends } from './backends.js';
import type { DestinationRules } from './destination-rules.js';
import type { HostNames } from './hosts.js';
import { noCredentials, toUpstreamTls, type CredentialSource } from './client-tls.js';
import { effectivePolicy, toConnectionPool, toOutlier } from './traffic-policy.js';
import type { Destination, LoadBalancerSettings } from './types.js';

/** A destination resolved to its cluster, or why it has none (the proxy answers 503 with `flag`). */
export type Resolution = { cluster: Cluster } | { missing: string; flag: 'NR' | 'UH' };

export class Clusters {
  private readonly byKey = new Map<string, Cluster>();

  constructor(
    private readonly backends: Backends,
    private readonly rules: DestinationRules,
    private readonly names: HostNames,
    /** The Secrets a rule's `credentialName` may name (the snapshot's tlsCredentials). */
    private readonly credentials: CredentialSource = noCredentials,
  ) {}

  /** `destination` as written in an object of namespace `ns`. */
  resolve(dest: Destination, ns: string): Resolution {
    const fqdn = this.names.qualify(dest.host, ns);
    const backend = this.backends.get(fqdn, ns);
    if (!backend) {
      return { missing: `destination host "${dest.host}" (${fqdn}) is neither a mesh service nor a ServiceEntry host project ${ns} sees`, flag: 'UH' };
    }
    const port = dest.port?.number ?? backend.service.ports[0]?.port ?? 80;
    return this.get(backend, dest.subset, port, ns);
  }

  /**
   * The subset-less cluster of a host without rules, as `viewer` sees it: every endpoint, the
   * DestinationRule's top-level policy (and its port-level settings). On `port` when the host
   * declares it, else its first port.
   */
  defaultCluster(backend: Backend, viewer: string, port?: number): Cluster {
    const ports = backend.service.ports;
    const on = port !== undefined && ports.some((p) => p.port === port) ? port : (ports[0]?.port ?? 80);
    const r = this.get(backend, undefined, on, viewer);
    return (r as { cluster: Cluster }).cluster;
  }

  private get(backend: Backend, subset: string | undefined, port: number, viewer: string): Resolution {
    const svc = backend.service;
    const name = `outbound|${port}|${subset ?? ''}|${svc.fqdn}`;
    const rule = this.rules.lookup(svc.fqdn, svc.project, viewer);
    const key = `${name}|${svc.key}|${rule?.names.join(',') ?? ''}`;
    const cached = this.byKey.get(key);
    if (cached) return { cluster: cached };
    const def = subset === undefined ? undefined : rule?.subsets.get(subset);
    if (subset !== undefined && !def) {
      const missing = rule
        ? `subset "${subset}" of ${svc.fqdn} is not defined by DestinationRule ${rule.names.join(', ')} (it has ${[...rule.subsets.keys()].join(', ') || 'no subsets'})`
        : `subset "${subset}" of ${svc.fqdn} is not defined: no DestinationRule for this host`;
      return { missing, flag: 'NR' };
    }
    const labels = Object.entries(def?.labels ?? {});
    const endpoints = backend.endpointsFor(port).filter((e) => e.ready && labels.every(([k, v]) => e.labels[k] === v));
    const policy = effectivePolicy(rule?.trafficPolicy, def?.trafficPolicy, port);
    const cluster = buildCluster(name, backend, subset, endpoints, policy.loadBalancer);
    if (svc.ports.find((p) => p.port === port)?.protocol === 'http2') cluster.protocol = 'http2';
    const pool = toConnectionPool(policy.connectionPool);
    if (pool) cluster.connectionPool = pool;
    const outlier = toOutlier(policy.outlierDetection);
    if (outlier) cluster.outlier = outlier;
    const tls = toUpstreamTls(policy.tls, svc.fqdn, rule?.names[0]?.split('/')[0] ?? svc.project, this.credentials);
    if (tls) cluster.tls = tls;
    this.byKey.set(key, cluster);
    return { cluster };
  }
}

function buildCluster(name: string, backend: Backend, subset: string | undefined, endpoints: EndpointConfig[], lb: LoadBalancerSettings | undefined): Cluster {
  const ejected = new Set<string>();
  const active = new Map<string, number>();
  const cluster: Cluster = { name, service: backend.service, endpoints, ejected, active, pick: () => undefined };
  if (subset !== undefined) cluster.subset = subset;
  const kind = balancerKind(lb);
  // The panic threshold reads the cluster's outlier policy when a pick happens, set after this.
  const input = {
    endpoints,
    ejected,
    active,
    get minHealthPercent(): number {
      return cluster.outlier?.minHealthPercent ?? 0;
    },
  };
  const ch = lb?.consistentHash;
  const balancer = createBalancer(kind, input, ch?.ringHash?.minimumRingSize ?? ch?.minimumRingSize ?? 1024);
  cluster.pick = (key, exclude) => balancer.pick(key, exclude);
  if (ch) cluster.hashOn = hashOn(ch);
  return cluster;
}

function hashOn(ch: NonNullable<LoadBalancerSettings['consistentHash']>): NonNullable<Cluster['hashOn']> {
  if (ch.httpHeaderName) return { header: ch.httpHeaderName.toLowerCase() };
  if (ch.httpCookie) {
    const cookie: { name: string; ttlSeconds?: number; path?: string } = { name: ch.httpCookie.name };
    const ttl = ch.httpCookie.ttl === undefined ? undefined : parseTtl(ch.httpCookie.ttl);
    if (ttl !== undefined) cookie.ttlSeconds = ttl;
    if (ch.httpCookie.path) cookie.path = ch.httpCookie.path;
    return { cookie };
  }
  if (ch.useSourceIp) return { sourceIp: true };
  if (ch.httpQueryParameterName) return { queryParameter: ch.httpQueryParameterName };
  return {};
}

function parseTtl(ttl: string): number | undefined {
  const ms = parseIstioDuration(ttl);
  return ms === undefined ? undefined : Math.floor(ms / 1000);
}
