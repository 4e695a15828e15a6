/**
 * Small builders for the Istio router's tests: snapshots, objects and requests by hand,
 * without sockets. Not used by the router itself.
 */
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../api/objects.js';
import type { ConfigSnapshot, EndpointConfig, ServiceConfig } from '../../config/snapshot.js';
import type { RouteDecision, RouteRequest } from '../router.js';
import type { Cluster, RouteAction } from '../policy.js';

let nextPort = 20000;

/** A ready pod of `app` at `version` in `project`, on its own port. */
export function pod(project: string, app: string, version: string, extra: Record<string, string> = {}): EndpointConfig {
  const port = nextPort++;
  return {
    pod: `${app}-${version}-${port}`,
    project,
    workload: `${app}-${version}`,
    labels: { app, version, ...extra },
    address: '127.0.0.1',
    port,
    ready: true,
  };
}

export function service(project: string, name: string, port = 9080): ServiceConfig {
  return { project, name, ports: [{ name: 'http', port }], selector: { app: name } };
}

export function snapshot(parts: Partial<ConfigSnapshot>): ConfigSnapshot {
  const services = parts.services ?? [];
  return {
    version: 1,
    gatewayPort: 8080,
    projects: parts.projects ?? [...new Set(services.map((s) => s.project))].map((name) => ({ name, governance: false })),
    services,
    endpoints: parts.endpoints ?? [],
    listeners: parts.listeners ?? [],
    virtualServices: parts.virtualServices ?? [],
    destinationRules: parts.destinationRules ?? [],
    gateways: parts.gateways ?? [],
    serviceEntries: parts.serviceEntries ?? [],
  };
}

let clock = Date.parse('2025-01-01T00:00:00Z');

/** An Istio object; each is created one second after the previous unless `created` says when. */
export function istio(kind: string, ns: string, name: string, spec: unknown, created?: string): KubeObject {
  clock += 1000;
  return {
    apiVersion: 'networking.istio.io/v1',
    kind,
    metadata: { name, namespace: ns, creationTimestamp: created ?? new Date(clock).toISOString() },
    spec: spec as Record<string, unknown>,
  };
}

export const vs = (ns: string, name: string, spec: unknown, created?: string): KubeObject => istio('VirtualService', ns, name, spec, created);
export const dr = (ns: string, name: string, spec: unknown): KubeObject => istio('DestinationRule', ns, name, spec);
export const gw = (ns: string, name: string, spec: unknown): KubeObject => istio('Gateway', ns, name, spec);
export const se = (ns: string, name: string, spec: unknown): KubeObject => istio('ServiceEntry', ns, name, spec);

/** Objects from a multi-document YAML manifest, placed in `ns`. */
export function manifest(text: string, ns: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null)
    .map((o) => istio(o.kind, ns, o.metadata.name, o.spec));
}

export interface RequestOptions {
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  port?: number;
  scheme?: string;
  /** Caller project (outbound). */
  project?: string;
  /** Caller labels (outbound). */
  labels?: Record<string, string>;
}

/** A request from a workload's outbound listener. */
export function outbound(host: string, o: RequestOptions = {}): RouteRequest {
  const project = o.project ?? 'demo';
  return request({ kind: 'outbound', project, workload: 'caller-v1', labels: o.labels ?? { app: 'caller', version: 'v1' } }, host, o);
}

/** A request at the gateway listener. */
export function atGateway(host: string, o: RequestOptions = {}): RouteRequest {
  return request({ kind: 'gateway' }, host, o);
}

function request(source: RouteRequest['source'], host: string, o: RequestOptions): RouteRequest {
  const port = o.port ?? 80;
  return {
    source,
    authority: port === 80 ? host : `${host}:${port}`,
    host: host.toLowerCase(),
    port,
    method: o.method ?? 'GET',
    path: o.path ?? '/',
    scheme: o.scheme ?? 'http',
    headers: { host, ...(o.headers ?? {}) },
    remoteAddress: '127.0.0.1',
  };
}

/** The decision as a route with a cluster, failing the test otherwise. */
export function routed(d: RouteDecision): RouteAction & { cluster: Cluster } {
  if (d.kind !== 'route' || d.cluster === undefined) throw new Error(`expected a route with a cluster, got ${JSON.stringify(describe(d))}`);
  return d as RouteAction & { cluster: Cluster };
}

/** Where a decision sends the request, in one short string: the cluster's subset (or "" ), or the decision kind and status. */
export function describe(d: RouteDecision): string {
  switch (d.kind) {
    case 'route':
      return d.cluster ? `${d.cluster.service.name}:${d.cluster.subset ?? ''}` : `missing(${d.missingFlag})`;
    case 'respond':
      return `respond ${d.status} ${d.flags}`;
    case 'redirect':
      return `redirect ${d.status} ${d.location}`;
    case 'direct':
      return `direct ${d.status}`;
    case 'passthrough':
      return `passthrough ${d.address}:${d.port}`;
  }
}
