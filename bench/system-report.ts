/** The table and goals `npm run bench -- system` prints (issue 18's table), from the per-hop figures of one run. */
import { median } from './lib/figures.js';

export interface Hop {
  name: string;
  /** wrk -t1 -c32, per round. */
  rps: number[];
  /** Cores the proxy and the control plane used under wrk, and spans stored per second then. */
  wrkProxyCores: number[];
  wrkCpCores: number[];
  wrkSpansPerSec: number[];
  /** Added latency at 1000 rps, ms, per round. */
  p50: number[];
  p90: number[];
  p99: number[];
  proxyCpuPer1000: number[];
  cpCpuPer1000: number[];
  spansPerSec: number[];
  errors: number;
  /** After the run: the proxy's (with its children) and the control plane's memory, MB. */
  memory?: { rss: number; anon: number };
  cpMemory?: { rss: number; anon: number };
}

const f = (xs: number[], digits: number, sign = false): string => {
  if (xs.length === 0) return '';
  const v = median(xs);
  return `${sign && v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
};

const GRAYMESH_ONLY = (h: Hop): boolean => h.name.startsWith('graymesh');

export function hopTable(hops: Hop[]): string {
  const direct = median(hops.find((h) => h.name === 'direct')?.rps ?? [0]);
  const head = [
    'hop',
    'req/s',
    'share of direct',
    'added p50',
    'added p90',
    'added p99',
    'proxy CPU-s/1000 req',
    'CP CPU-s/1000 req',
    'proxy RSS (anon) MB',
    'CP RSS (anon) MB',
    'spans stored/s @1000',
    'under wrk: proxy, CP cores; spans/s',
  ];
  const rows = hops.map((h) => [
    h.name,
    f(h.rps, 0),
    h.name === 'direct' ? '1' : (median(h.rps) / direct).toFixed(2),
    h.name === 'direct' ? '' : f(h.p50, 2, true),
    h.name === 'direct' ? '' : f(h.p90, 2, true),
    h.name === 'direct' ? '' : f(h.p99, 2, true),
    h.name === 'direct' ? '' : f(h.proxyCpuPer1000, 3),
    GRAYMESH_ONLY(h) ? f(h.cpCpuPer1000, 3) : '',
    h.memory ? `${h.memory.rss.toFixed(0)} (${h.memory.anon.toFixed(0)})` : '',
    h.cpMemory ? `${h.cpMemory.rss.toFixed(0)} (${h.cpMemory.anon.toFixed(0)})` : '',
    GRAYMESH_ONLY(h) ? f(h.spansPerSec, 0) : '',
    h.name === 'direct' ? '' : `${f(h.wrkProxyCores, 2)}${GRAYMESH_ONLY(h) ? `, ${f(h.wrkCpCores, 2)}; ${f(h.wrkSpansPerSec, 0)}` : ''}`,
  ]);
  const widths = head.map((x, i) => Math.max(x.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]): string => `| ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Each goal of issue 18 for the gateway, as a ratio in this run, marked met or missed. */
export function goalLines(hops: Hop[]): string[] {
  const by = (n: string): Hop | undefined => hops.find((h) => h.name === n);
  const gw = by('graymesh gateway');
  const off = by('graymesh gateway, tracing off');
  const ha = by('HAProxy');
  if (!gw) return [];
  const m = (xs: number[] | undefined): number => median(xs ?? []);
  const mark = (ok: boolean): string => (ok ? 'met   ' : 'MISSED');
  const out: string[] = ['goals (graymesh gateway, tracing and metrics at their defaults):'];
  if (ha) {
    const t = m(gw.rps) / m(ha.rps);
    out.push(`  ${mark(t >= 0.6)} throughput ${t.toFixed(2)}× HAProxy's (goal ≥ 0.6×)`);
    for (const k of ['p90', 'p99'] as const) {
      const [g, h] = [m(gw[k]), m(ha[k])];
      // A hop faster than direct means direct's own run was slower: the machine's noise, not a figure.
      if (g <= 0 || h <= 0) {
        out.push(`  noise  added ${k}: graymesh ${g.toFixed(2)} ms, HAProxy ${h.toFixed(2)} ms — a negative or zero added latency means the machine was too busy; rerun on a quiet one`);
        continue;
      }
      out.push(`  ${mark(g / h <= 2)} added ${k} ${g.toFixed(2)} ms = ${(g / h).toFixed(1)}× HAProxy's ${h.toFixed(2)} ms (goal ≤ 2×)`);
    }
  } else out.push('  ------ throughput and latency against HAProxy: no HAProxy in this run');
  const cp = m(gw.cpCpuPer1000);
  const px = m(gw.proxyCpuPer1000);
  out.push(`  ${mark(cp <= 0.1)} control plane ${cp.toFixed(3)} CPU-s per 1000 requests at 1000 rps (goal ≤ 0.1)`);
  out.push(`  ${mark(px <= 0.15)} proxy ${px.toFixed(3)} CPU-s per 1000 requests at 1000 rps (goal ≤ 0.15)`);
  if (off) {
    const r = m(gw.rps) / m(off.rps);
    out.push(`  ${mark(r >= 0.85)} throughput with tracing on ${r.toFixed(2)}× tracing off (goal ≥ 0.85×)`);
  }
  if (gw.memory) out.push(`  ${mark(gw.memory.rss <= 60)} proxy RSS ${gw.memory.rss.toFixed(1)} MB after the run, anonymous ${gw.memory.anon.toFixed(1)} MB (goal ≤ 60 MB)`);
  const base = by('graymesh gateway, baseline build');
  if (base) {
    out.push('this build against BENCH_BASELINE (ratio this/baseline, gateway):');
    out.push(`  req/s ${(m(gw.rps) / m(base.rps)).toFixed(2)}; added p90 ${(m(gw.p90) / m(base.p90)).toFixed(2)}; added p99 ${(m(gw.p99) / m(base.p99)).toFixed(2)}`);
    out.push(`  proxy CPU/1000 ${(px / m(base.proxyCpuPer1000)).toFixed(2)}; control plane CPU/1000 ${(cp / m(base.cpCpuPer1000)).toFixed(2)}; spans stored/s ${(m(gw.spansPerSec) / Math.max(m(base.spansPerSec), 1e-9)).toFixed(2)}`);
  }
  return out;
}
