/** How the traffic graph looks: colours by health, edge widths by rate, node labels, edge labels; pure. */
import type { Health } from '../api/types';
import { formatPercent } from './format';

export const HEALTH_COLORS: Record<Health, string> = {
  healthy: '#55bc8a',
  degraded: '#f5a623',
  failure: '#ca2621',
  idle: '#abb4be',
};

export function healthColor(h: string | undefined): string {
  return HEALTH_COLORS[(h ?? 'idle') as Health] ?? HEALTH_COLORS.idle;
}

/** Stroke width: 1.5 px idle, growing with the log of the rate up to 5 px. */
export function edgeWidth(rps: number): number {
  if (!(rps > 0)) return 1.5;
  return Math.min(5, 1.5 + Math.log10(1 + rps * 10) * 1.2);
}

/** How many dots run along an active edge, and how long one takes: faster and more with more traffic. */
export function edgeDots(rps: number): { count: number; seconds: number } {
  if (!(rps > 0)) return { count: 0, seconds: 0 };
  const count = rps >= 20 ? 3 : rps >= 2 ? 2 : 1;
  const seconds = Math.max(0.8, Math.min(4, 3 / Math.log2(2 + rps)));
  return { count, seconds: Math.round(seconds * 100) / 100 };
}

/** The label on an edge: its rate, and its success rate when any request failed. */
export function edgeLabel(e: { rps: number; successRate?: number | undefined; bytesPerSecond?: number | undefined }): string {
  const bytes = e.bytesPerSecond ?? 0;
  // A byte stream (a TCP service, a tunnel) in bytes per second; beside requests when the edge carries both.
  const tcp = bytes > 0 ? (bytes < 1024 ? `${Math.round(bytes)} B/s` : `${(bytes / 1024).toFixed(1)} KiB/s`) : '';
  if (!(e.rps > 0)) return tcp;
  const r = e.rps < 10 ? e.rps.toFixed(2) : e.rps < 100 ? e.rps.toFixed(1) : String(Math.round(e.rps));
  const ok = e.successRate !== undefined && e.successRate < 100 ? ` · ${formatPercent(e.successRate)}` : '';
  return `${r} rps${ok}${tcp ? ` · ${tcp}` : ''}`;
}

/** The name under a node: the gateway, the service, or the workload's version. */
export function nodeLabel(n: { kind: string; app?: string | undefined; version?: string | undefined; workload?: string | undefined; id: string }): string {
  if (n.kind === 'gateway') return n.app ?? 'gateway';
  if (n.kind === 'service') return n.app ?? n.id;
  return n.version ? `${n.app ?? n.workload ?? n.id} ${n.version}` : (n.workload ?? n.app ?? n.id);
}

/** Most moving dots drawn at once: beyond this a large graph spends its frames animating, not updating. */
export const DOT_BUDGET = 32;

/**
 * Dots per edge within a budget: the busiest edges first, each as many as
 * edgeDots gives it, one each once the graph is large; quiet edges of a large
 * graph go without (their width and label still show their rate).
 */
export function allocateDots(rates: number[], budget = DOT_BUDGET): number[] {
  const out = rates.map(() => 0);
  const active = rates.map((r, i) => [r, i] as const).filter(([r]) => r > 0).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const wanted = active.reduce((s, [r]) => s + edgeDots(r).count, 0);
  let left = budget;
  for (const [r, i] of active) {
    if (left <= 0) break;
    const n = wanted <= budget ? edgeDots(r).count : 1;
    out[i] = Math.min(n, left);
    left -= out[i]!;
  }
  return out;
}
