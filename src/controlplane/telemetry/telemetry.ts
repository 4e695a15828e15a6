/**
 * The control plane's telemetry, wired in one place: the span collector and
 * store (with optional OTLP export), the stats poller feeding the embedded
 * metrics store, and the sources the shared graph, chart and trace routes read
 * (the embedded stores, or Prometheus with --prometheus).
 */
import path from 'node:path';
import type { Service } from '../../api/objects.js';
import type { Distributor } from '../distributor.js';
import type { Store } from '../store.js';
import { Collector } from './collector.js';
import { MetricsStore } from './metrics-store.js';
import { EmbeddedSource } from './metrics-source.js';
import { PrometheusSource, type MetricsSource } from '../../telemetry/query/metrics.js';
import { OtlpExporter } from './otlp-exporter.js';
import { MAX_WINDOW_MS } from '../../telemetry/query/project-queries.js';
import type { TelemetrySources } from '../../telemetry/query/trace-source.js';
import { EmbeddedTraceSource } from './trace-source.js';
import { mergeExpositions } from './prom-text.js';
import { SpanStore, type RetentionOptions } from './span-store.js';
import { StatsPoller } from './stats-poller.js';

export interface TelemetryOptions {
  /** Instance home: the span store lives in `traces.db` there. */
  homeDir: string;
  store: Store;
  distributor: Distributor;
  /** A Prometheus to query instead of the embedded store. */
  prometheusUrl?: string;
  /** Where to export every span (OTLP/HTTP JSON), e.g. from GRAYMESH_OTLP_EXPORT_URL. */
  exportUrl?: string;
  retention?: RetentionOptions;
  /** Stats poll interval, ms (default 2000). */
  pollMs?: number;
  log(msg: string): void;
}

export { MAX_WINDOW_MS } from '../../telemetry/query/project-queries.js';

export class Telemetry {
  readonly spans: SpanStore;
  readonly collector: Collector;
  readonly metrics = new MetricsStore();
  readonly poller: StatsPoller;
  readonly source: MetricsSource;
  readonly exporter: OtlpExporter | undefined;
  /** What the shared graph, chart and trace routes read: the embedded stores (or the Prometheus). */
  readonly sources: TelemetrySources;

  constructor(private readonly opts: TelemetryOptions) {
    this.spans = new SpanStore(path.join(opts.homeDir, 'traces.db'), opts.retention);
    this.exporter = opts.exportUrl ? new OtlpExporter({ url: opts.exportUrl, log: opts.log }) : undefined;
    this.collector = new Collector({
      store: this.spans,
      ...(this.exporter ? { exporter: this.exporter } : {}),
      projectsOf: (svc) => this.projectsOf(svc),
      log: opts.log,
    });
    this.poller = new StatsPoller({
      store: this.metrics,
      targets: () =>
        opts.distributor
          .list()
          .filter((p) => p.connected && p.adminPort)
          .map((p) => ({ name: p.name, adminPort: p.adminPort as number })),
      intervalMs: opts.pollMs ?? 2000,
      log: opts.log,
    });
    this.source = opts.prometheusUrl ? new PrometheusSource(opts.prometheusUrl) : new EmbeddedSource(this.metrics);
    const embedded = this.source.kind === 'embedded';
    this.sources = {
      metrics: this.source,
      traces: new EmbeddedTraceSource(this.spans),
      // The embedded store reads every proxy once more before a query, and answers up to that reading.
      ...(embedded ? { refresh: () => this.poller.poll(), latestMs: () => this.metrics.latestMs() ?? Date.now() } : {}),
    };
  }

  private serviceIndex: { at: number; map: Map<string, string[]> } | undefined;

  /** The projects with a Service of this name (cached for a second: spans arrive by the thousand). */
  projectsOf(service: string): string[] {
    const now = Date.now();
    if (!this.serviceIndex || now - this.serviceIndex.at > 1000) {
      const map = new Map<string, string[]>();
      for (const s of this.opts.store.list<Service>('Service')) {
        const list = map.get(s.metadata.name) ?? [];
        list.push(s.metadata.namespace ?? 'default');
        map.set(s.metadata.name, list);
      }
      this.serviceIndex = { at: now, map };
    }
    return this.serviceIndex.map.get(service) ?? [];
  }

  start(): void {
    this.poller.start();
  }

  async close(): Promise<void> {
    this.poller.stop();
    await this.collector.close();
    this.spans.close();
  }

  /**
   * Jaeger's service dependencies (its UI's System Architecture view): calls
   * between services over the lookback, from the metrics (reporter=source).
   */
  async dependencies(lookbackMs: number): Promise<{ parent: string; child: string; callCount: number }[]> {
    const windowMs = Math.min(Math.max(lookbackMs, 1000), MAX_WINDOW_MS);
    const rows = await this.source.traffic({ windowMs, match: { reporter: 'source' }, groupBy: ['source_app', 'source_workload', 'destination_service_name'] });
    const calls = new Map<string, { parent: string; child: string; callCount: number }>();
    for (const r of rows) {
      const parent = r.labels.source_app || r.labels.source_workload || 'unknown';
      const child = r.labels.destination_service_name || 'unknown';
      const c = calls.get(`${parent}\u0000${child}`) ?? { parent, child, callCount: 0 };
      c.callCount += Math.round((r.rps * windowMs) / 1000);
      calls.set(`${parent}\u0000${child}`, c);
    }
    return [...calls.values()].filter((c) => c.callCount > 0);
  }

  /** The control plane's /metrics: every proxy's series, and the collector's own. */
  async prometheusText(): Promise<string> {
    const proxies = this.opts.distributor.list();
    const own = [
      '# HELP graymesh_proxies_connected Node proxies connected to the control plane.',
      '# TYPE graymesh_proxies_connected gauge',
      `graymesh_proxies_connected ${proxies.filter((p) => p.connected).length}`,
      '# HELP graymesh_spans_received_total Spans accepted by the collector since the control plane started.',
      '# TYPE graymesh_spans_received_total counter',
      `graymesh_spans_received_total ${this.collector.received}`,
      '# HELP graymesh_spans_stored Spans in the span store.',
      '# TYPE graymesh_spans_stored gauge',
      `graymesh_spans_stored ${this.spans.size}`,
      '',
    ].join('\n');
    return mergeExpositions([...(await this.poller.prometheusTexts()), own]);
  }
}
