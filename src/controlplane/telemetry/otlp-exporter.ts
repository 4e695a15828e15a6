/**
 * Optional export of every ingested span to an outside OTLP/HTTP endpoint
 * (GRAYMESH_OTLP_EXPORT_URL, e.g. an OpenTelemetry Collector or Jaeger's
 * :4318), batched. Export is best effort: failures are logged, at most once
 * a minute, and the batch is dropped; tracing inside graymesh never waits on it.
 */
import { spansToOtlp } from './otlp-json.js';
import type { Span } from '../../telemetry/query/span.js';

export interface ExporterOptions {
  /** Endpoint; `/v1/traces` is appended when the URL has no path. */
  url: string;
  headers?: Record<string, string>;
  /** Spans per request. */
  batchSize?: number;
  /** Longest a span waits before it is sent, ms. */
  flushMs?: number;
  /** Spans kept while the endpoint is slow; beyond this new spans are dropped. */
  maxQueue?: number;
  log(msg: string): void;
}

export class OtlpExporter {
  private queue: Span[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private lastLog = 0;
  readonly url: string;
  /** Counters, for tests and /metrics. */
  readonly stats = { exported: 0, failed: 0, dropped: 0 };

  constructor(private readonly opts: ExporterOptions) {
    const u = new URL(opts.url);
    if (u.pathname === '/' || u.pathname === '') u.pathname = '/v1/traces';
    this.url = u.toString();
  }

  enqueue(spans: Span[]): void {
    const room = (this.opts.maxQueue ?? 20_000) - this.queue.length;
    if (room < spans.length) this.stats.dropped += spans.length - Math.max(0, room);
    if (room > 0) this.queue.push(...spans.slice(0, room));
    if (this.queue.length >= (this.opts.batchSize ?? 512)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 1000).unref();
  }

  /** Sends what is queued now; resolves when the queue is empty or a send failed. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // One sender at a time; a flush during a send waits for it, then sends what came meanwhile.
    if (this.sending) return this.sending.then(() => (this.queue.length > 0 ? this.flush() : undefined));
    this.sending = this.send().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async send(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.batchSize ?? 512);
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.opts.headers },
          body: JSON.stringify(spansToOtlp(batch)),
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`the endpoint answered ${res.status}`);
        this.stats.exported += batch.length;
      } catch (err) {
        this.stats.failed += batch.length;
        const now = Date.now();
        if (now - this.lastLog > 60_000) {
          this.lastLog = now;
          this.opts.log(`span export to ${this.url} failed (${(err as Error).message}); ${batch.length} spans dropped`);
        }
        return;
      }
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
