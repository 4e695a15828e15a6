/**
 * The span collector: takes decoded spans from every ingest route, fills in
 * the project of spans that do not name one, writes them to the span store in
 * batches (concurrent requests within one tick share a transaction), hands
 * them to the optional exporter, and runs age retention periodically.
 */
import type { OtlpExporter } from './otlp-exporter.js';
import type { Span } from '../../telemetry/query/span.js';
import type { SpanStore } from './span-store.js';

export interface CollectorOptions {
  store: SpanStore;
  exporter?: OtlpExporter;
  /** The projects that have a Service of this name. */
  projectsOf?(service: string): string[];
  /** Age retention interval, ms. */
  retentionEveryMs?: number;
  log(msg: string): void;
}

export class Collector {
  private pending: Span[] = [];
  private flushing: Promise<void> | undefined;
  private readonly retention: NodeJS.Timeout;
  /** Spans accepted since start. */
  received = 0;

  constructor(private readonly opts: CollectorOptions) {
    this.retention = setInterval(() => {
      try {
        opts.store.trimByAge();
      } catch (err) {
        opts.log(`span retention failed: ${(err as Error).message}`);
      }
    }, opts.retentionEveryMs ?? 60_000);
    this.retention.unref();
  }

  /** Accepts spans; resolves once they are stored and searchable. */
  ingest(spans: Span[]): Promise<void> {
    for (const s of spans) {
      if (!s.namespace) s.namespace = this.resolveNamespace(s.service);
    }
    this.received += spans.length;
    this.pending.push(...spans);
    this.opts.exporter?.enqueue(spans);
    this.flushing ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const batch = this.pending;
        this.pending = [];
        this.flushing = undefined;
        try {
          this.opts.store.insert(batch);
          resolve();
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    return this.flushing;
  }

  private resolveNamespace(service: string): string {
    // Istio names services `name.namespace`; take the namespace when it is a known project.
    const of = this.opts.projectsOf;
    if (!of) return '';
    const dot = service.indexOf('.');
    if (dot > 0) {
      const ns = service.slice(dot + 1).split('.')[0] ?? '';
      if (of(service.slice(0, dot)).includes(ns)) return ns;
    }
    const projects = of(service);
    return projects.length === 1 ? (projects[0] as string) : '';
  }

  async close(): Promise<void> {
    clearInterval(this.retention);
    await this.flushing?.catch(() => undefined);
    await this.opts.exporter?.close();
  }
}
