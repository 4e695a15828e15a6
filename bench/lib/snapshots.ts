/** Config snapshots for benchmarks, in the wire format the control plane sends. */
import type { ConfigSnapshot, EndpointConfig, ListenerConfig } from '../../src/config/snapshot.js';
import type { KubeObject } from '../../src/api/objects.js';

export const PROJECT = 'bench';
export const CLIENT_LABELS = { app: 'client', version: 'v1' };

function base(version: number, gatewayPort: number): ConfigSnapshot {
  return {
    version,
    gatewayPort,
    projects: [{ name: PROJECT, governance: true }],
    services: [],
    endpoints: [],
    listeners: [],
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    serviceEntries: [],
  };
}

export function endpoint(service: string, version: string, port: number, i = 0): EndpointConfig {
  return {
    pod: `${service}-${version}-bench-${i}`,
    project: PROJECT,
    workload: `${service}-${version}`,
    labels: { app: service, version },
    address: '127.0.0.1',
    port,
    ready: true,
  };
}

export function listener(workload: string, port: number, labels = CLIENT_LABELS): ListenerConfig {
  return { project: PROJECT, workload, labels, port };
}

/** One service `upstream` with the given versions' endpoints, and the client's outbound listener. */
export function serviceSnapshot(version: number, gatewayPort: number, upstreams: Record<string, number>, listenerPort: number): ConfigSnapshot {
  const s = base(version, gatewayPort);
  s.services.push({ project: PROJECT, name: 'upstream', ports: [{ name: 'http', port: 80 }], selector: { app: 'upstream' } });
  for (const [v, port] of Object.entries(upstreams)) s.endpoints.push(endpoint('upstream', v, port));
  s.listeners.push(listener('client-v1', listenerPort));
  return s;
}

/** Two HTTP/2 services, `upstream` (h2c) and `greeter` (gRPC), one endpoint each, behind the gateway. */
export function h2Snapshot(version: number, gatewayPort: number, upstreamPort: number, greeterPort: number): ConfigSnapshot {
  const s = base(version, gatewayPort);
  s.services.push({ project: PROJECT, name: 'upstream', ports: [{ name: 'http2', port: 80, protocol: 'http2' }], selector: { app: 'upstream' } });
  s.services.push({ project: PROJECT, name: 'greeter', ports: [{ name: 'grpc', port: 50051, protocol: 'http2' }], selector: { app: 'greeter' } });
  s.endpoints.push(endpoint('upstream', 'v1', upstreamPort), endpoint('greeter', 'v1', greeterPort));
  return s;
}

/** The same with a VirtualService splitting by weights over subsets. */
export function weightedSnapshot(version: number, gatewayPort: number, upstreams: Record<string, number>, listenerPort: number, weights: Record<string, number>): ConfigSnapshot {
  const s = serviceSnapshot(version, gatewayPort, upstreams, listenerPort);
  s.destinationRules.push(istio('DestinationRule', 'upstream', { host: 'upstream', subsets: Object.keys(upstreams).map((v) => ({ name: v, labels: { version: v } })) }));
  s.virtualServices.push(
    istio('VirtualService', 'upstream', {
      hosts: ['upstream'],
      http: [{ route: Object.entries(weights).map(([v, w]) => ({ destination: { host: 'upstream', subset: v }, weight: w })) }],
    }),
  );
  return s;
}

/** A VirtualService with n header-matching rules before the one that matches every request. */
export function rulesSnapshot(version: number, upstreamPort: number, listenerPort: number, rules: number): ConfigSnapshot {
  const s = serviceSnapshot(version, 0, { v1: upstreamPort }, listenerPort);
  const http: Record<string, unknown>[] = [];
  for (let i = 0; i < rules - 1; i++) {
    http.push({
      match: [{ headers: { 'x-user': { regex: `user-${i}-.*` } }, uri: { prefix: `/path-${i}` } }],
      route: [{ destination: { host: 'upstream' } }],
    });
  }
  http.push({ route: [{ destination: { host: 'upstream' } }] });
  s.virtualServices.push(istio('VirtualService', 'upstream', { hosts: ['upstream'], http }));
  return s;
}

/** n services × versions, each version with one endpoint and one outbound listener. */
export function manySnapshot(version: number, gatewayPort: number, n: number, versions: number, ports: number[]): ConfigSnapshot {
  const s = base(version, gatewayPort);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    s.services.push({ project: PROJECT, name, ports: [{ name: 'http', port: 9080 }], selector: { app: name } });
    s.destinationRules.push(istio('DestinationRule', name, { host: name, subsets: Array.from({ length: versions }, (_, v) => ({ name: `v${v + 1}`, labels: { version: `v${v + 1}` } })) }));
    s.virtualServices.push(
      istio('VirtualService', name, {
        hosts: [name],
        http: [{ route: Array.from({ length: versions }, (_, v) => ({ destination: { host: name, subset: `v${v + 1}` }, weight: v === 0 ? 100 - (versions - 1) * Math.floor(100 / versions) : Math.floor(100 / versions) })) }],
      }),
    );
    for (let v = 1; v <= versions; v++) {
      s.endpoints.push(endpoint(name, `v${v}`, 20000 + (p % 40000), i));
      const port = ports[p++];
      if (port !== undefined) s.listeners.push(listener(`${name}-v${v}`, port, { app: name, version: `v${v}` }));
    }
  }
  return s;
}

function istio(kind: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind, metadata: { name, namespace: PROJECT, creationTimestamp: '2026-01-01T00:00:00Z' }, spec };
}
