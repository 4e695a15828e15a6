/**
 * The topology of a project, like Kiali's versioned-app graph with service
 * nodes: the gateway where traffic enters, a service node per service, a
 * workload node per app version, and edges source workload → service →
 * destination workload. Edges come from reporter=source telemetry, as Kiali
 * builds them (the caller's proxy sees faults it injects and requests that
 * never reach the destination). Byte streams (TCP services, tunnels) are
 * edges of their own, `protocol: "tcp"`, measured in bytes per second from
 * Istio's TCP metrics, as Kiali draws TCP edges. Pure: traffic in, graph out.
 */
import type { IstioLabel } from '../stats.js';
import { requestHealth, successRate, worst, type Health } from './health.js';
import type { MetricsSource, TcpTrafficRow, TrafficRow } from './metrics.js';

export interface GraphNode {
  /** Stable id: `gateway:NAME`, `service:NAME`, `workload:NAME` (`.NAMESPACE` appended outside the project). */
  id: string;
  kind: 'gateway' | 'workload' | 'service';
  app: string;
  version: string;
  workload: string;
  /** Inbound requests per second (the gateway: outbound into the project). */
  rps: number;
  /** Non-5xx %, null without traffic. */
  successRate: number | null;
  /** Latency quantiles, ms; null without traffic. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  health: Health;
}

export interface GraphEdge {
  source: string;
  target: string;
  rps: number;
  successRate: number | null;
  /** % of the source's outgoing requests. */
  share: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  health: Health;
  /** `tcp` for a byte-stream edge (its rate is `bytesPerSecond`, rps 0); absent for requests. */
  protocol?: 'tcp';
  /** Bytes per second both ways, on a TCP edge. */
  bytesPerSecond?: number;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** What the project holds, from the object store: its workloads (with app and version labels) and services. */
export interface ProjectInventory {
  name: string;
  workloads: { name: string; app: string; version: string }[];
  services: string[];
}

/** The five traffic queries a graph needs, all reporter=source. */
export const GRAPH_QUERIES: Record<'toService' | 'serviceToWorkload' | 'serviceIn' | 'workloadIn' | 'workloadOut', IstioLabel[]> = {
  toService: ['source_workload', 'source_workload_namespace', 'source_app', 'source_version', 'destination_service_name', 'destination_service_namespace'],
  serviceToWorkload: [
    'destination_service_name',
    'destination_service_namespace',
    'destination_workload',
    'destination_workload_namespace',
    'destination_app',
    'destination_version',
  ],
  serviceIn: ['destination_service_name', 'destination_service_namespace'],
  workloadIn: ['destination_workload', 'destination_workload_namespace', 'destination_app', 'destination_version'],
  workloadOut: ['source_workload', 'source_workload_namespace', 'source_app', 'source_version', 'destination_service_namespace'],
};

export type GraphTraffic = Record<keyof typeof GRAPH_QUERIES, TrafficRow[]> & {
  /** TCP bytes by the toService and serviceToWorkload groupings, when the source has TCP traffic. */
  tcpToService?: TcpTrafficRow[];
  tcpServiceToWorkload?: TcpTrafficRow[];
};

/** Whether a source workload is a gateway (the mesh's entry): Istio's ingress gateway and graymesh's own. */
export function isGateway(workload: string, app = ''): boolean {
  return /(^|-)(ingress)?gateway($|-)/.test(workload) || /ingressgateway/.test(app) || workload === 'graymesh-gateway';
}

export async function queryGraphTraffic(source: MetricsSource, windowMs: number, endMs?: number): Promise<GraphTraffic> {
  const keys = Object.keys(GRAPH_QUERIES) as (keyof typeof GRAPH_QUERIES)[];
  const results = await Promise.all(
    keys.map((k) => source.traffic({ windowMs, groupBy: GRAPH_QUERIES[k], match: { reporter: 'source' }, ...(endMs !== undefined ? { endMs } : {}) })),
  );
  const traffic = Object.fromEntries(keys.map((k, i) => [k, results[i] ?? []])) as unknown as GraphTraffic;
  if (source.tcpTraffic) {
    const ask = (groupBy: IstioLabel[]): Promise<TcpTrafficRow[]> => source.tcpTraffic!({ windowMs, groupBy, match: { reporter: 'source' }, ...(endMs !== undefined ? { endMs } : {}) });
    [traffic.tcpToService, traffic.tcpServiceToWorkload] = await Promise.all([ask(GRAPH_QUERIES.toService), ask(GRAPH_QUERIES.serviceToWorkload)]);
  }
  return traffic;
}

const round = (v: number | null, digits = 2): number | null => (v === null ? null : Number(v.toFixed(digits)));

function metrics(r: TrafficRow | undefined): Pick<GraphNode, 'rps' | 'successRate' | 'p50' | 'p95' | 'p99' | 'health'> {
  if (!r || !(r.rps > 0)) return { rps: 0, successRate: null, p50: null, p95: null, p99: null, health: 'idle' };
  return {
    rps: round(r.rps, 3) as number,
    successRate: round(successRate(r.rps, r.rps5xx)),
    p50: round(r.p50),
    p95: round(r.p95),
    p99: round(r.p99),
    health: requestHealth(r.rps, r.rps4xx, r.rps5xx),
  };
}

export function buildGraph(inv: ProjectInventory, t: GraphTraffic): Graph {
  const p = inv.name;
  const nodes = new Map<string, GraphNode>();
  const suffix = (ns: string | undefined): string => (ns && ns !== p ? `.${ns}` : '');
  const workloadId = (name: string, ns: string | undefined): string => `workload:${name}${suffix(ns)}`;
  const serviceId = (name: string, ns: string | undefined): string => `service:${name}${suffix(ns)}`;
  const idle = metrics(undefined);
  const addNode = (n: Omit<GraphNode, 'rps' | 'successRate' | 'p50' | 'p95' | 'p99' | 'health'>): GraphNode => {
    let node = nodes.get(n.id);
    if (!node) nodes.set(n.id, (node = { ...n, ...idle }));
    return node;
  };
  for (const w of inv.workloads) addNode({ id: workloadId(w.name, p), kind: 'workload', app: w.app, version: w.version, workload: w.name });
  for (const s of inv.services) addNode({ id: serviceId(s, p), kind: 'service', app: s, version: '', workload: '' });

  const edges: GraphEdge[] = [];
  const sourceNode = (l: TrafficRow['labels']): GraphNode | undefined => {
    const wl = l.source_workload ?? '';
    if (!wl || wl === 'unknown') return undefined;
    if (isGateway(wl, l.source_app)) return addNode({ id: `gateway:${wl}`, kind: 'gateway', app: l.source_app || wl, version: '', workload: wl });
    return addNode({ id: workloadId(wl, l.source_workload_namespace), kind: 'workload', app: l.source_app ?? '', version: l.source_version ?? '', workload: wl });
  };
  const edge = (source: string, target: string, r: TrafficRow): void => {
    const m = metrics(r);
    edges.push({ source, target, rps: m.rps, successRate: m.successRate, share: 0, p50: m.p50, p95: m.p95, p99: m.p99, health: m.health });
  };

  const tcpEdge = (source: string, target: string, r: TcpTrafficRow): void => {
    edges.push({ source, target, rps: 0, successRate: null, share: 0, p50: null, p95: null, p99: null, health: 'healthy', protocol: 'tcp', bytesPerSecond: round(r.bytesPerSecond, 1) as number });
  };
  // source workload (or gateway) → service
  const toService = (l: TrafficRow['labels']): [string, string] | undefined => {
    if (!l.destination_service_name) return undefined;
    if (l.source_workload_namespace !== p && l.destination_service_namespace !== p) return undefined;
    const src = sourceNode(l);
    if (!src) return undefined;
    const svc = addNode({ id: serviceId(l.destination_service_name, l.destination_service_namespace), kind: 'service', app: l.destination_service_name, version: '', workload: '' });
    return [src.id, svc.id];
  };
  // service → destination workload (app version)
  const toWorkload = (l: TrafficRow['labels']): [string, string] | undefined => {
    if (!l.destination_service_name || !l.destination_workload || l.destination_workload === 'unknown') return undefined;
    if (l.destination_service_namespace !== p && l.destination_workload_namespace !== p) return undefined;
    const svc = addNode({ id: serviceId(l.destination_service_name, l.destination_service_namespace), kind: 'service', app: l.destination_service_name, version: '', workload: '' });
    const wl = addNode({
      id: workloadId(l.destination_workload, l.destination_workload_namespace),
      kind: 'workload',
      app: l.destination_app ?? '',
      version: l.destination_version ?? '',
      workload: l.destination_workload,
    });
    return [svc.id, wl.id];
  };
  for (const [rows, ends] of [
    [t.toService, toService],
    [t.serviceToWorkload, toWorkload],
  ] as const) {
    for (const r of rows) {
      const e = ends(r.labels);
      if (e) edge(e[0], e[1], r);
    }
  }
  for (const [rows, ends] of [
    [t.tcpToService ?? [], toService],
    [t.tcpServiceToWorkload ?? [], toWorkload],
  ] as const) {
    for (const r of rows) {
      const e = ends(r.labels);
      if (e) tcpEdge(e[0], e[1], r);
    }
  }
  // Node traffic: services and workloads inbound; the gateway outbound into the project.
  for (const r of t.serviceIn) {
    const n = nodes.get(serviceId(r.labels.destination_service_name ?? '', r.labels.destination_service_namespace));
    if (n) Object.assign(n, metrics(r));
  }
  for (const r of t.workloadIn) {
    const n = nodes.get(workloadId(r.labels.destination_workload ?? '', r.labels.destination_workload_namespace));
    if (n) Object.assign(n, metrics(r));
  }
  const outbound = new Map<string, { rps: number; rps4xx: number; rps5xx: number }>();
  for (const r of t.workloadOut) {
    const l = r.labels;
    const wl = l.source_workload ?? '';
    if (isGateway(wl, l.source_app)) {
      if (l.destination_service_namespace !== p) continue;
      const n = nodes.get(`gateway:${wl}`);
      if (n) Object.assign(n, metrics(r));
      continue;
    }
    const id = workloadId(wl, l.source_workload_namespace);
    const o = outbound.get(id) ?? { rps: 0, rps4xx: 0, rps5xx: 0 };
    o.rps += r.rps;
    o.rps4xx += r.rps4xx;
    o.rps5xx += r.rps5xx;
    outbound.set(id, o);
  }
  // A workload's health is the worse of its inbound and outbound request health (Kiali's default tolerances apply both ways).
  for (const [id, o] of outbound) {
    const n = nodes.get(id);
    if (n) n.health = worst(n.health, requestHealth(o.rps, o.rps4xx, o.rps5xx));
  }
  // Shares: each edge's part of its source's outgoing requests.
  const totals = new Map<string, number>();
  for (const e of edges) totals.set(e.source, (totals.get(e.source) ?? 0) + e.rps);
  for (const e of edges) {
    const total = totals.get(e.source) ?? 0;
    e.share = total > 0 ? (round((e.rps / total) * 100) as number) : 0;
  }
  const kindOrder = { gateway: 0, service: 1, workload: 2 };
  return {
    nodes: [...nodes.values()].sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || a.id.localeCompare(b.id)),
    edges: edges.filter((e) => e.rps > 0 || (e.bytesPerSecond ?? 0) > 0).sort((a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target)),
  };
}
