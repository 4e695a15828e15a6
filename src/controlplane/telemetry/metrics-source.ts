/** The local engine's metrics source: the embedded metrics store, asked the same questions as a Prometheus. */
import type { MetricsStore } from './metrics-store.js';
import type { MetricsSource, SeriesPoint, SeriesQuery, TcpTrafficRow, TrafficQuery, TrafficRow } from '../../telemetry/query/metrics.js';

export class EmbeddedSource implements MetricsSource {
  readonly kind = 'embedded' as const;

  constructor(private readonly store: MetricsStore) {}

  async traffic(q: TrafficQuery): Promise<TrafficRow[]> {
    return this.store.traffic(q);
  }

  async tcpTraffic(q: TrafficQuery): Promise<TcpTrafficRow[]> {
    return this.store.tcpTraffic(q);
  }

  async series(q: SeriesQuery): Promise<SeriesPoint[]> {
    const end = q.endMs ?? this.store.latestMs() ?? Date.now();
    const points: SeriesPoint[] = [];
    const n = Math.max(1, Math.floor(q.windowMs / q.stepMs));
    for (let i = n - 1; i >= 0; i--) {
      const t = end - i * q.stepMs;
      const rows = this.store.traffic({ windowMs: q.stepMs, endMs: t, groupBy: [], ...(q.match ? { match: q.match } : {}) });
      points.push({ t, row: rows[0] });
    }
    return points;
  }
}

