/**
 * The embedded metrics store: cumulative snapshots of every proxy's
 * `/stats/json`, kept in a bounded ring (every poll for the last few minutes,
 * one per 10 s up to an hour), and window queries over them: request rates by
 * response class and latency quantiles from histogram bucket differences,
 * grouped by any of Istio's labels.
 *
 * Counters restart when a proxy does (its startMs changes): the increase over
 * a window is then summed per run of snapshots with the same start, the new
 * run counting from zero, as Prometheus' increase() treats a counter reset.
 */
import { ISTIO_DURATION_BUCKETS_MS, ISTIO_LABELS, type IstioLabel, type StatsSnapshot } from '../../telemetry/stats.js';
import { histogramQuantile } from './histogram.js';
import type { LabelMatch, TcpTrafficRow, TrafficQuery, TrafficRow } from '../../telemetry/query/metrics.js';

/** Keys of TCP series begin so (their REQ slot holds bytes both ways, SUM connections opened): never counted as requests. */
const TCP = 'tcp\u0000';

/** Values per series: requests, 4xx, 5xx (all 0/1-weighted copies of requests), duration sum, then buckets. */
const REQ = 0;
const SUM = 1;
const BUCKET0 = 2;
const WIDTH = BUCKET0 + ISTIO_DURATION_BUCKETS_MS.length + 1;

interface Sample {
  timeMs: number;
  startMs: number;
  values: Map<string, Float64Array>;
}

interface Ring {
  fine: Sample[];
  coarse: Sample[];
}

export interface MetricsStoreOptions {
  /** How long every sample is kept, ms (default 5 min). */
  fineMs?: number;
  /** Spacing of older samples, ms (default 10 s). */
  coarseStepMs?: number;
  /** How long samples are kept at all, ms (default 1 h, plus one step). */
  retainMs?: number;
}

export class MetricsStore {
  private readonly rings = new Map<string, Ring>();
  /** The last increase computed per ring: a graph asks five groupings of the same window. */
  private readonly increases = new WeakMap<Ring, { fromMs: number; toMs: number; result: ReturnType<typeof increase> }>();
  private readonly labels = new Map<string, Partial<Record<IstioLabel, string>>>();
  private readonly fineMs: number;
  private readonly coarseStepMs: number;
  private readonly retainMs: number;

  constructor(opts: MetricsStoreOptions = {}) {
    this.fineMs = opts.fineMs ?? 5 * 60_000;
    this.coarseStepMs = opts.coarseStepMs ?? 10_000;
    this.retainMs = opts.retainMs ?? 3_600_000 + this.coarseStepMs;
  }

  /** How many samples are kept for a proxy (fine, coarse). */
  sampleCount(proxy: string): { fine: number; coarse: number } {
    const r = this.rings.get(proxy);
    return { fine: r?.fine.length ?? 0, coarse: r?.coarse.length ?? 0 };
  }

  /** Forgets a proxy. */
  remove(proxy: string): void {
    this.rings.delete(proxy);
  }

  /** Records one snapshot of a proxy. */
  add(proxy: string, snap: StatsSnapshot): void {
    let ring = this.rings.get(proxy);
    if (!ring) this.rings.set(proxy, (ring = { fine: [], coarse: [] }));
    const last = ring.fine.at(-1);
    if (last && snap.timeMs <= last.timeMs) return;
    this.increases.delete(ring);
    const values = new Map<string, Float64Array>();
    for (const s of snap.series) {
      const key = seriesKey(s.labels);
      if (!this.labels.has(key)) this.labels.set(key, { ...s.labels });
      const v = new Float64Array(WIDTH);
      v[REQ] = s.requests;
      v[SUM] = s.durationSum;
      for (let i = 0; i < WIDTH - BUCKET0; i++) v[BUCKET0 + i] = s.durationBuckets[i] ?? s.requests;
      const prior = values.get(key);
      if (prior) for (let i = 0; i < WIDTH; i++) (prior[i] as number) += v[i] as number;
      else values.set(key, v);
    }
    for (const s of snap.tcp ?? []) {
      const key = TCP + seriesKey(s.labels);
      if (!this.labels.has(key)) this.labels.set(key, { ...s.labels });
      const v = values.get(key) ?? new Float64Array(WIDTH);
      (v[REQ] as number) += s.sentBytes + s.receivedBytes;
      (v[SUM] as number) += s.connectionsOpened;
      values.set(key, v);
    }
    ring.fine.push({ timeMs: snap.timeMs, startMs: snap.startMs, values });
    // Samples leaving the fine window are kept one per coarse step.
    while (ring.fine.length > 1 && (ring.fine[0] as Sample).timeMs < snap.timeMs - this.fineMs) {
      const old = ring.fine.shift() as Sample;
      const lastCoarse = ring.coarse.at(-1);
      if (!lastCoarse || old.timeMs - lastCoarse.timeMs >= this.coarseStepMs || old.startMs !== lastCoarse.startMs) ring.coarse.push(old);
    }
    while (ring.coarse.length > 0 && (ring.coarse[0] as Sample).timeMs < snap.timeMs - this.retainMs) ring.coarse.shift();
  }

  /** The latest sample time over all proxies, or undefined before the first. */
  latestMs(): number | undefined {
    let t: number | undefined;
    for (const r of this.rings.values()) {
      const s = r.fine.at(-1);
      if (s && (t === undefined || s.timeMs > t)) t = s.timeMs;
    }
    return t;
  }

  /** TCP bytes per second per group over the window ending at endMs. */
  tcpTraffic(q: TrafficQuery): TcpTrafficRow[] {
    const endMs = q.endMs ?? Date.now();
    const groups = new Map<string, TcpTrafficRow>();
    for (const ring of this.rings.values()) {
      const d = this.increaseOf(ring, endMs - q.windowMs, endMs);
      if (!d || d.elapsedMs <= 0) continue;
      for (const [key, v] of d.deltas) {
        if (!key.startsWith(TCP)) continue;
        const labels = this.labels.get(key) ?? {};
        const bytes = v[REQ] as number;
        if (bytes <= 0 || (q.match && !matches(labels, q.match))) continue;
        const gl: Partial<Record<IstioLabel, string>> = {};
        for (const l of q.groupBy) gl[l] = labels[l] ?? '';
        const gk = q.groupBy.map((l) => gl[l]).join('\u0000');
        const g = groups.get(gk) ?? { labels: gl, bytesPerSecond: 0 };
        g.bytesPerSecond += bytes / (d.elapsedMs / 1000);
        groups.set(gk, g);
      }
    }
    return [...groups.values()];
  }

  /** The increase over [fromMs, toMs] of one ring, memoized (a graph asks several groupings of one window). */
  private increaseOf(ring: Ring, fromMs: number, toMs: number): ReturnType<typeof increase> {
    let cached = this.increases.get(ring);
    if (!cached || cached.fromMs !== fromMs || cached.toMs !== toMs) {
      cached = { fromMs, toMs, result: increase([...ring.coarse, ...ring.fine], fromMs, toMs) };
      this.increases.set(ring, cached);
    }
    return cached.result;
  }

  /** Traffic per group over the window ending at endMs. */
  traffic(q: TrafficQuery): TrafficRow[] {
    const endMs = q.endMs ?? Date.now();
    const fromMs = endMs - q.windowMs;
    const groups = new Map<string, { labels: Partial<Record<IstioLabel, string>>; rps: number; rps4xx: number; rps5xx: number; n: number; n5xx: number; buckets: Float64Array }>();
    for (const ring of this.rings.values()) {
      const d = this.increaseOf(ring, fromMs, endMs);
      if (!d) continue;
      const seconds = d.elapsedMs / 1000;
      for (const [key, v] of d.deltas) {
        if (key.startsWith(TCP)) continue;
        const labels = this.labels.get(key) ?? {};
        if (q.match && !matches(labels, q.match)) continue;
        const req = v[REQ] as number;
        if (req <= 0) continue;
        const gl: Partial<Record<IstioLabel, string>> = {};
        for (const l of q.groupBy) gl[l] = labels[l] ?? '';
        const gk = q.groupBy.map((l) => gl[l]).join('\u0000');
        let g = groups.get(gk);
        if (!g) groups.set(gk, (g = { labels: gl, rps: 0, rps4xx: 0, rps5xx: 0, n: 0, n5xx: 0, buckets: new Float64Array(WIDTH - BUCKET0) }));
        const rate = seconds > 0 ? req / seconds : 0;
        const code = Number(labels.response_code ?? '200');
        g.rps += rate;
        if (code >= 400 && code < 500) g.rps4xx += rate;
        if (code >= 500 || code === 0) {
          g.rps5xx += rate;
          g.n5xx += req;
        }
        g.n += req;
        for (let i = 0; i < WIDTH - BUCKET0; i++) (g.buckets[i] as number) += v[BUCKET0 + i] as number;
      }
    }
    return [...groups.values()].map((g) => ({
      labels: g.labels,
      rps: g.rps,
      rps4xx: g.rps4xx,
      rps5xx: g.rps5xx,
      p50: histogramQuantile(0.5, ISTIO_DURATION_BUCKETS_MS, g.buckets),
      p95: histogramQuantile(0.95, ISTIO_DURATION_BUCKETS_MS, g.buckets),
      p99: histogramQuantile(0.99, ISTIO_DURATION_BUCKETS_MS, g.buckets),
      requests: Math.round(g.n),
      requests5xx: Math.round(g.n5xx),
    }));
  }
}

function seriesKey(labels: Partial<Record<IstioLabel, string>>): string {
  return ISTIO_LABELS.map((l) => labels[l] ?? '').join('\u0000');
}

function matches(labels: Partial<Record<IstioLabel, string>>, m: LabelMatch): boolean {
  for (const [k, want] of Object.entries(m)) {
    const have = labels[k as IstioLabel] ?? '';
    if (Array.isArray(want) ? !want.includes(have) : have !== want) return false;
  }
  return true;
}

/**
 * The increase of every series between fromMs and toMs from time-ordered
 * samples of one proxy, and the time it covers. The base is the last sample
 * at or before fromMs; when there is none the first sample is the base, or
 * zero when the proxy started inside the window.
 */
export function increase(samples: Sample[], fromMs: number, toMs: number): { deltas: Map<string, Float64Array>; elapsedMs: number } | undefined {
  let i1 = -1;
  let i0 = -1;
  for (let i = 0; i < samples.length; i++) {
    const t = (samples[i] as Sample).timeMs;
    if (t <= toMs) i1 = i;
    if (t <= fromMs) i0 = i;
  }
  if (i1 < 0) return undefined;
  const first = samples[Math.max(i0, 0)] as Sample;
  let baseTime: number;
  let base: Sample | undefined;
  let from: number;
  if (i0 >= 0) {
    base = first;
    baseTime = first.timeMs;
    from = i0 + 1;
  } else if (first.startMs >= fromMs) {
    base = undefined;
    baseTime = first.startMs;
    from = 0;
  } else {
    base = first;
    baseTime = first.timeMs;
    from = 1;
  }
  const deltas = new Map<string, Float64Array>();
  const addRun = (end: Sample, start: Sample | undefined): void => {
    for (const [key, v] of end.values) {
      const b = start?.values.get(key);
      let out = deltas.get(key);
      if (!out) deltas.set(key, (out = new Float64Array(WIDTH)));
      // A series lower than its base restarted without the proxy saying so: count it from zero.
      const reset = b !== undefined && (v[REQ] as number) < (b[REQ] as number);
      for (let i = 0; i < WIDTH; i++) (out[i] as number) += (v[i] as number) - (b && !reset ? (b[i] as number) : 0);
    }
  };
  let runBase = base;
  let prev = base;
  for (let j = from; j <= i1; j++) {
    const s = samples[j] as Sample;
    if (prev && s.startMs !== prev.startMs) {
      // The proxy restarted between prev and s: close the run at prev; the next counts from zero.
      if (prev !== runBase) addRun(prev, runBase);
      runBase = undefined;
    }
    prev = s;
  }
  if (prev && prev !== runBase) addRun(prev, runBase);
  const last = samples[i1] as Sample;
  return { deltas, elapsedMs: last.timeMs - baseTime };
}
