/**
 * A project's graph and chart series from any MetricsSource: the queries both engines answer
 * /graph and /metrics with (the local control plane over its store, the Kubernetes engine over
 * the cluster), so the PromQL asked and the shapes returned are the same on both.
 */
import { badRequest } from '../../api/errors.js';
import { buildGraph, queryGraphTraffic, type Graph, type ProjectInventory } from './graph.js';
import { successRate } from './health.js';
import type { LabelMatch, MetricsSource } from './metrics.js';

/** The longest window of graph and chart queries: what the embedded store keeps. */
export const MAX_WINDOW_MS = 3_600_000;

/** One point of a chart. */
export interface MetricsPoint {
  /** End of the step, epoch ms. */
  t: number;
  /** Requests per second over the step. */
  rps: number;
  /** Non-5xx %, null without traffic. */
  successRate: number | null;
  /** Latency quantiles, ms; null without traffic. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Which traffic a chart shows: into a workload, a service and/or a version of the project. */
export interface MetricsFilter {
  workload?: string;
  service?: string;
  version?: string;
}

export function checkWindow(windowMs: number): void {
  if (!(windowMs >= 1000) || windowMs > MAX_WINDOW_MS) throw badRequest(`window: ${windowMs / 1000}s is out of range; use 1s to 1h`);
}

/** The project's topology over the window ending at endMs (now by default). */
export async function projectGraph(source: MetricsSource, inv: ProjectInventory, windowMs: number, endMs?: number): Promise<Graph> {
  checkWindow(windowMs);
  return buildGraph(inv, await queryGraphTraffic(source, windowMs, endMs ?? Date.now()));
}

/** Checks a chart's window and step before anything is asked (the embedded store polls first). */
export function checkSeries(windowMs: number, stepMs: number): void {
  checkWindow(windowMs);
  if (!(stepMs >= 1000)) throw badRequest('step: at least 1s');
  if (windowMs / stepMs > 1000) throw badRequest(`step: ${windowMs / stepMs} points asked; at most 1000 (use a larger step)`);
}

/** Chart points for a project's traffic (reporter=source, as Kiali's charts), one per step. */
export async function projectSeries(source: MetricsSource, project: string, f: MetricsFilter, windowMs: number, stepMs: number): Promise<MetricsPoint[]> {
  checkSeries(windowMs, stepMs);
  const match: LabelMatch = { reporter: 'source' };
  if (f.workload) {
    match.destination_workload = f.workload;
    match.destination_workload_namespace = project;
  } else {
    match.destination_service_namespace = project;
  }
  if (f.service) match.destination_service_name = f.service;
  if (f.version) match.destination_version = f.version;
  const points = await source.series({ windowMs, stepMs, match });
  const r2 = (v: number | null): number | null => (v === null ? null : Number(v.toFixed(2)));
  return points.map(({ t, row }) => ({
    t,
    rps: row ? Number(row.rps.toFixed(3)) : 0,
    successRate: row ? r2(successRate(row.rps, row.rps5xx)) : null,
    p50: row ? r2(row.p50) : null,
    p95: row ? r2(row.p95) : null,
    p99: row ? r2(row.p99) : null,
  }));
}
