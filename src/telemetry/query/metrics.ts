/**
 * Traffic queries over Istio's standard metrics, whatever holds them: the
 * embedded metrics store of the local engine, or a Prometheus (the local
 * engine's `up --prometheus URL`, and the Kubernetes engine's cluster), asked
 * the PromQL Kiali asks: rate(istio_requests_total{...}[window]) by response
 * code, and histogram_quantile over rate(istio_request_duration_milliseconds_bucket{...}[window]).
 */
import { unavailable } from '../../api/errors.js';
import type { IstioLabel } from '../stats.js';

/** Label matchers: every listed label must equal the value (or be one of the values). */
export type LabelMatch = Partial<Record<IstioLabel, string | string[]>>;

export interface TrafficQuery {
  /** Window length, ms. */
  windowMs: number;
  /** End of the window, epoch ms (default now). */
  endMs?: number;
  match?: LabelMatch;
  groupBy: IstioLabel[];
}

/** One group's traffic over a window. */
export interface TrafficRow {
  labels: Partial<Record<IstioLabel, string>>;
  /** Requests per second. */
  rps: number;
  /** Requests per second answered 4xx. */
  rps4xx: number;
  /** Requests per second answered 5xx (and 0: no response). */
  rps5xx: number;
  /** Latency quantiles, ms; null without requests. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Requests and 5xx answers counted in the window, where the source keeps counts (the embedded store). */
  requests?: number;
  requests5xx?: number;
}

/** One group's TCP traffic over a window (Istio's istio_tcp_*_bytes_total). */
export interface TcpTrafficRow {
  labels: Partial<Record<IstioLabel, string>>;
  /** Bytes per second both ways (sent plus received). */
  bytesPerSecond: number;
}

export interface SeriesQuery {
  windowMs: number;
  stepMs: number;
  endMs?: number;
  match?: LabelMatch;
}

/** One chart point: the traffic of the step ending at t (epoch ms); undefined when nothing was recorded. */
export interface SeriesPoint {
  t: number;
  row: TrafficRow | undefined;
}

export interface MetricsSource {
  /** Which source this is, for status and errors. */
  readonly kind: 'embedded' | 'prometheus';
  traffic(q: TrafficQuery): Promise<TrafficRow[]>;
  series(q: SeriesQuery): Promise<SeriesPoint[]>;
  /** TCP bytes per group over a window (byte streams: TCP services, tunnels). */
  tcpTraffic?(q: TrafficQuery): Promise<TcpTrafficRow[]>;
  /** One PromQL expression's value at atMs (Prometheus only); null without a value. */
  instant?(query: string, atMs: number): Promise<number | null>;
}

interface PromVectorResult {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

const QUANTILES = [0.5, 0.95, 0.99] as const;

/** PromQL label matchers from a LabelMatch; several values become a regex alternation. */
export function promMatchers(match: LabelMatch | undefined): string {
  const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const reEsc = (v: string): string => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return Object.entries(match ?? {})
    .map(([k, v]) => (Array.isArray(v) ? `${k}=~"${esc(v.map(reEsc).join('|'))}"` : `${k}="${esc(v)}"`))
    .join(',');
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

function num(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export class PrometheusSource implements MetricsSource {
  readonly kind = 'prometheus' as const;
  private readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/$/, '');
  }

  private async query(path: string, params: Record<string, string>): Promise<PromVectorResult[]> {
    const qs = new URLSearchParams(params).toString();
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}?${qs}`, { signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw unavailable(`Prometheus at ${this.url} cannot be reached (${(err as Error).message}); check --prometheus`);
    }
    const body = (await res.json().catch(() => ({}))) as { status?: string; error?: string; data?: { result?: PromVectorResult[] } };
    if (!res.ok || body.status !== 'success') throw unavailable(`Prometheus at ${this.url} refused a query: ${body.error ?? res.status}`);
    return body.data?.result ?? [];
  }

  /** The PromQL for requests by response code and the latency quantiles of a group. */
  static queries(match: LabelMatch | undefined, groupBy: IstioLabel[], window: string): { requests: string; quantiles: string[] } {
    const m = promMatchers(match);
    const by = groupBy.join(',');
    return {
      requests: `sum by (${[...groupBy, 'response_code'].join(',')}) (rate(istio_requests_total{${m}}[${window}]))`,
      quantiles: QUANTILES.map(
        (q) => `histogram_quantile(${q}, sum by (${by ? `${by},` : ''}le) (rate(istio_request_duration_milliseconds_bucket{${m}}[${window}])))`,
      ),
    };
  }

  async tcpTraffic(q: TrafficQuery): Promise<TcpTrafficRow[]> {
    const m = promMatchers(q.match);
    const w = seconds(q.windowMs);
    const query = `sum by (${q.groupBy.join(',')}) (rate(istio_tcp_sent_bytes_total{${m}}[${w}])) + sum by (${q.groupBy.join(',')}) (rate(istio_tcp_received_bytes_total{${m}}[${w}]))`;
    const res = await this.query('/api/v1/query', { query, time: String((q.endMs ?? Date.now()) / 1000) });
    return res
      .map((r) => ({ labels: Object.fromEntries(q.groupBy.map((l) => [l, r.metric[l] ?? ''])), bytesPerSecond: num(r.value?.[1]) ?? 0 }))
      .filter((r) => r.bytesPerSecond > 0);
  }

  async instant(query: string, atMs: number): Promise<number | null> {
    const res = await this.query('/api/v1/query', { query, time: String(atMs / 1000) });
    return num(res[0]?.value?.[1]);
  }

  async traffic(q: TrafficQuery): Promise<TrafficRow[]> {
    const qs = PrometheusSource.queries(q.match, q.groupBy, seconds(q.windowMs));
    const time = String((q.endMs ?? Date.now()) / 1000);
    const [reqs, ...quants] = await Promise.all([qs.requests, ...qs.quantiles].map((query) => this.query('/api/v1/query', { query, time })));
    const rows = new Map<string, TrafficRow>();
    const keyOf = (m: Record<string, string>): string => q.groupBy.map((l) => m[l] ?? '').join('\u0000');
    for (const r of reqs ?? []) {
      const key = keyOf(r.metric);
      let row = rows.get(key);
      if (!row) {
        const labels: TrafficRow['labels'] = {};
        for (const l of q.groupBy) labels[l] = r.metric[l] ?? '';
        rows.set(key, (row = { labels, rps: 0, rps4xx: 0, rps5xx: 0, p50: null, p95: null, p99: null }));
      }
      const rate = num(r.value?.[1]) ?? 0;
      const code = Number(r.metric.response_code ?? '200');
      row.rps += rate;
      if (code >= 400 && code < 500) row.rps4xx += rate;
      if (code >= 500 || code === 0) row.rps5xx += rate;
    }
    quants.forEach((res, i) => {
      for (const r of res) {
        const row = rows.get(keyOf(r.metric));
        if (!row) continue;
        const v = num(r.value?.[1]);
        if (i === 0) row.p50 = v;
        else if (i === 1) row.p95 = v;
        else row.p99 = v;
      }
    });
    return [...rows.values()].filter((r) => r.rps > 0);
  }

  async series(q: SeriesQuery): Promise<SeriesPoint[]> {
    // A rate needs at least two scrapes inside its range: never narrower than 30 s.
    const qs = PrometheusSource.queries(q.match, [], seconds(Math.max(q.stepMs, 30_000)));
    const end = (q.endMs ?? Date.now()) / 1000;
    const params = { start: String(end - q.windowMs / 1000 + q.stepMs / 1000), end: String(end), step: seconds(q.stepMs) };
    const [reqs, ...quants] = await Promise.all([qs.requests, ...qs.quantiles].map((query) => this.query('/api/v1/query_range', { query, ...params })));
    const points = new Map<number, TrafficRow>();
    const at = (t: number): TrafficRow => {
      let row = points.get(t);
      if (!row) points.set(t, (row = { labels: {}, rps: 0, rps4xx: 0, rps5xx: 0, p50: null, p95: null, p99: null }));
      return row;
    };
    for (const r of reqs ?? []) {
      const code = Number(r.metric.response_code ?? '200');
      for (const [t, v] of r.values ?? []) {
        const row = at(Math.round(t * 1000));
        const rate = num(v) ?? 0;
        row.rps += rate;
        if (code >= 400 && code < 500) row.rps4xx += rate;
        if (code >= 500 || code === 0) row.rps5xx += rate;
      }
    }
    quants.forEach((res, i) => {
      for (const r of res) {
        for (const [t, v] of r.values ?? []) {
          const row = at(Math.round(t * 1000));
          const key = (['p50', 'p95', 'p99'] as const)[i] as 'p50' | 'p95' | 'p99';
          row[key] = num(v);
        }
      }
    });
    const out: SeriesPoint[] = [];
    const n = Math.max(1, Math.floor(q.windowMs / q.stepMs));
    for (let i = n - 1; i >= 0; i--) {
      const t = Math.round((end - (i * q.stepMs) / 1000) * 1000);
      out.push({ t, row: points.get(t) });
    }
    return out;
  }
}
