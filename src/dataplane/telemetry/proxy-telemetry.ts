/**
 * The data plane's telemetry, wired once per proxy process: peers, Istio
 * metrics, the tracer and the span exporter. The proxy core sees it as a
 * RequestTelemetry (executor hooks) plus a record sink; the admin server
 * reads `stats()` and `prometheus()`.
 */
import type { ConfigSnapshot, EndpointConfig } from '../../config/snapshot.js';
import { renderIstioMetrics, renderTcpMetrics, renderTracingStats } from '../../telemetry/prometheus-text.js';
import type { StatsSnapshot, TracingStats } from '../../telemetry/stats.js';
import type { HeaderMap } from '../hop-by-hop.js';
import type { RequestRecord } from '../request-record.js';
import type { RouteDecision, RouteRequest } from '../router.js';
import type { TunnelMeter } from '../tunnel.js';
import { IstioMetrics } from './istio-metrics.js';
import { Peers } from './peers.js';
import type { ProxyTelemetryHooks } from './request-telemetry.js';
import { SpanExporter, type SpanExporterOptions } from './span-exporter.js';
import { Tracer } from './tracer.js';

export interface ProxyTelemetryOptions {
  /** The node proxy's name (GRAYMESH_PROXY_NAME): span tag `node`, the gateway's pod. */
  proxyName: string;
  /** Sampling rate for new traces, 0-100 (GRAYMESH_TRACE_SAMPLING; 100 by default), until a snapshot sets one. */
  samplingPercent?: number;
  /** New traces per second per service at that rate (GRAYMESH_TRACE_RATE_LIMIT; 100), and the slow-request threshold, ms (GRAYMESH_TRACE_SLOW_MS; 1000): sampling.ts. */
  tracesPerSecond?: number;
  slowMs?: number;
  /** Where spans go; absent: spans are built but not sent (tests, or no control plane). */
  export?: SpanExporterOptions;
}

export class ProxyTelemetry implements ProxyTelemetryHooks {
  readonly peers: Peers;
  readonly metrics: IstioMetrics;
  readonly tracer: Tracer;
  readonly exporter: SpanExporter | undefined;
  /** When counting started (StatsSnapshot.startMs). */
  readonly startMs = Date.now();

  constructor(private readonly opts: ProxyTelemetryOptions) {
    this.peers = new Peers(opts.proxyName);
    this.metrics = new IstioMetrics(this.peers);
    this.exporter = opts.export ? new SpanExporter(opts.export) : undefined;
    const exporter = this.exporter;
    this.tracer = new Tracer({
      proxyName: opts.proxyName,
      peers: this.peers,
      samplingPercent: opts.samplingPercent ?? 100,
      ...(opts.tracesPerSecond !== undefined ? { tracesPerSecond: opts.tracesPerSecond } : {}),
      ...(opts.slowMs !== undefined ? { slowMs: opts.slowMs } : {}),
      emit: exporter ? (span) => exporter.push(span) : () => undefined,
    });
  }

  begin(rec: RequestRecord, rr: RouteRequest, decision: RouteDecision): void {
    this.tracer.begin(rec, rr, decision);
  }

  inject(headers: HeaderMap, rec: RequestRecord): void {
    this.tracer.inject(headers, rec);
  }

  attempt(rec: RequestRecord, ep: EndpointConfig): void {
    this.tracer.attempt(rec, ep);
  }

  tunnel(rec: RequestRecord): TunnelMeter {
    return this.metrics.tcp(rec);
  }

  /** The record sink: metrics at both reporters, then the spans of sampled requests. */
  readonly sink = (rec: RequestRecord): void => {
    this.metrics.record(rec);
    this.tracer.finish(rec);
  };

  /** Takes a snapshot the proxy has accepted. */
  apply(snapshot: ConfigSnapshot): void {
    this.peers.apply(snapshot);
    this.tracer.apply(snapshot);
  }

  tracingStats(): TracingStats | undefined {
    const e = this.exporter;
    return e ? { ...e.stats, queued: e.queued } : undefined;
  }

  /** What `/stats/json` answers. */
  stats(): StatsSnapshot {
    const tracing = this.tracingStats();
    const tcp = this.metrics.tcpStats();
    return {
      timeMs: Date.now(),
      startMs: this.startMs,
      series: this.metrics.stats(),
      ...(tcp.length > 0 ? { tcp } : {}),
      proxy: this.opts.proxyName,
      ...(tracing ? { tracing } : {}),
    };
  }

  /** What `/stats/prometheus` answers. */
  prometheus(): string {
    const { stats, labelText } = this.metrics.statsWithLabels();
    const tracing = this.tracingStats();
    return renderIstioMetrics(stats, labelText) + renderTcpMetrics(this.metrics.tcpStats()) + (tracing ? renderTracingStats(tracing) : '');
  }

  /** Sends the spans still queued. */
  async close(): Promise<void> {
    await this.exporter?.close();
  }
}
