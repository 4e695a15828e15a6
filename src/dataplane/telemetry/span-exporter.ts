/**
 * Batches finished spans and POSTs them as OTLP/HTTP JSON to the control
 * plane's collector (`${GRAYMESH_CP_URL}/v1/traces`, Bearer token): every
 * 500 ms, or as soon as 256 are waiting. The queue is bounded; when it is
 * full the oldest spans go first and are counted. One export is in flight at
 * a time. Nothing here can fail or slow a request: errors are counted, and
 * the batch is dropped.
 */
import http from 'node:http';
import https from 'node:https';
import { encodeOtlpTracesJson } from '../../telemetry/otlp-json.js';
import type { Span } from '../../telemetry/span.js';
import type { TracingStats } from '../../telemetry/stats.js';

export interface SpanExporterOptions {
  /** The collector's OTLP/HTTP traces URL, e.g. http://127.0.0.1:7070/v1/traces. */
  url: string;
  /** Sent as `authorization: Bearer <token>` when non-empty. */
  token?: string;
  /** Flush interval, ms (500). */
  intervalMs?: number;
  /** Spans that trigger an immediate flush (256). */
  batchSize?: number;
  /** Most spans one request carries (2048). */
  maxBatch?: number;
  /** Queue bound, spans (8192). */
  maxQueue?: number;
  /** Export request timeout, ms (10 s). */
  timeoutMs?: number;
}

export class SpanExporter {
  private readonly queue: (Span | undefined)[];
  private head = 0;
  private size = 0;
  private inFlight = false;
  private flushScheduled = false;
  private readonly timer: NodeJS.Timeout;
  private readonly agent: http.Agent;
  private readonly target: URL;
  private readonly batchSize: number;
  private readonly maxBatch: number;
  private closed = false;
  /** What a span took in the last batch, with a margin: the next batch's buffer is sized by it. */
  private bytesPerSpan = 2048;
  private idle: (() => void)[] = [];
  readonly stats: Omit<TracingStats, 'queued'> = { exported: 0, dropped: 0, failedExports: 0 };

  constructor(private readonly opts: SpanExporterOptions) {
    this.queue = new Array<Span | undefined>(opts.maxQueue ?? 8192);
    this.batchSize = opts.batchSize ?? 256;
    this.maxBatch = opts.maxBatch ?? 2048;
    this.target = new URL(opts.url);
    this.agent = this.target.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.timer = setInterval(() => this.flush(), opts.intervalMs ?? 500);
    this.timer.unref();
  }

  /** Spans waiting. */
  get queued(): number {
    return this.size;
  }

  /** Queues one span; the oldest is dropped when the queue is full. */
  push(span: Span): void {
    if (this.closed) return;
    const cap = this.queue.length;
    if (this.size === cap) {
      this.queue[this.head] = undefined;
      this.head = (this.head + 1) % cap;
      this.size -= 1;
      this.stats.dropped += 1;
    }
    this.queue[(this.head + this.size) % cap] = span;
    this.size += 1;
    if (this.size >= this.batchSize && !this.inFlight && !this.flushScheduled) {
      // Not inside the request's own callback: the batch is encoded on a later turn.
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Sends what is queued (one request at a time). */
  flush(): void {
    if (this.inFlight || this.size === 0) {
      if (!this.inFlight) this.settle();
      return;
    }
    const n = Math.min(this.size, this.maxBatch);
    const cap = this.queue.length;
    const batch: Span[] = new Array<Span>(n);
    for (let i = 0; i < n; i++) {
      const at = (this.head + i) % cap;
      batch[i] = this.queue[at] as Span;
      this.queue[at] = undefined;
    }
    this.head = (this.head + n) % cap;
    this.size -= n;
    this.inFlight = true;
    let body: Buffer;
    try {
      body = encodeOtlpTracesJson(batch, n * this.bytesPerSpan);
      this.bytesPerSpan = Math.ceil((body.length / n) * 1.25);
    } catch {
      this.done(n, false);
      return;
    }
    this.post(body, (ok) => this.done(n, ok));
  }

  /** Flushes everything queued and stops the timer; resolves when the last export finished. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    while (this.size > 0 || this.inFlight) {
      await new Promise<void>((resolve) => {
        this.idle.push(resolve);
        this.flush();
      });
    }
    this.closed = true;
    this.agent.destroy();
  }

  private done(n: number, ok: boolean): void {
    this.inFlight = false;
    if (ok) this.stats.exported += n;
    else {
      this.stats.failedExports += 1;
      this.stats.dropped += n;
    }
    if (this.size >= this.batchSize) setImmediate(() => this.flush());
    this.settle();
  }

  private settle(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const w of waiting) w();
  }

  private post(body: Buffer, cb: (ok: boolean) => void): void {
    let finished = false;
    const end = (ok: boolean): void => {
      if (finished) return;
      finished = true;
      cb(ok);
    };
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': body.length };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const mod = this.target.protocol === 'https:' ? https : http;
    try {
      const req = mod.request(this.target, { method: 'POST', headers, agent: this.agent, timeout: this.opts.timeoutMs ?? 10_000 });
      req.on('response', (res) => {
        res.resume();
        const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
        res.on('end', () => end(ok));
        res.on('error', () => end(false));
      });
      req.on('timeout', () => req.destroy(new Error('span export timed out')));
      req.on('error', () => end(false));
      req.end(body);
    } catch {
      end(false);
    }
  }
}
