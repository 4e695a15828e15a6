/**
 * Polls every connected proxy's admin endpoint (`/stats/json`, 127.0.0.1 only)
 * on an interval and records the snapshots in the metrics store; reads
 * `/stats/prometheus` of every proxy on demand for the control plane's `/metrics`.
 */
import type { StatsSnapshot } from '../../telemetry/stats.js';
import type { MetricsStore } from './metrics-store.js';

/** A proxy the poller can reach. */
export interface StatsTarget {
  name: string;
  adminPort: number;
}

export interface StatsPollerOptions {
  store: MetricsStore;
  /** The proxies to read now (connected, with an admin port). */
  targets(): StatsTarget[];
  /** Interval, ms (default 2000). */
  intervalMs?: number;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  log(msg: string): void;
}

async function get(port: number, path: string, timeoutMs: number): Promise<Response> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    await res.arrayBuffer();
    throw new Error(`${path} answered ${res.status}`);
  }
  return res;
}

export class StatsPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly failing = new Set<string>();

  constructor(private readonly opts: StatsPollerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.opts.intervalMs ?? 2000);
    this.timer.unref();
    void this.poll();
  }

  /** Reads every proxy once; overlapping calls share one round. */
  poll(): Promise<void> {
    this.running ??= (async () => {
      try {
        await Promise.all(this.opts.targets().map((t) => this.pollOne(t)));
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async pollOne(t: StatsTarget): Promise<void> {
    try {
      const res = await get(t.adminPort, '/stats/json', this.opts.timeoutMs ?? 1500);
      const snap = (await res.json()) as StatsSnapshot;
      if (typeof snap?.timeMs !== 'number' || !Array.isArray(snap.series)) throw new Error('/stats/json is not a stats snapshot');
      this.opts.store.add(t.name, snap);
      if (this.failing.delete(t.name)) this.opts.log(`stats of proxy ${t.name} readable again`);
    } catch (err) {
      if (!this.failing.has(t.name)) {
        this.failing.add(t.name);
        this.opts.log(`cannot read stats of proxy ${t.name} on 127.0.0.1:${t.adminPort}: ${(err as Error).message}`);
      }
    }
  }

  /** Every proxy's Prometheus text; proxies that do not answer are left out. */
  async prometheusTexts(): Promise<string[]> {
    const texts = await Promise.all(
      this.opts.targets().map(async (t) => {
        try {
          return await (await get(t.adminPort, '/stats/prometheus', this.opts.timeoutMs ?? 1500)).text();
        } catch {
          return '';
        }
      }),
    );
    return texts.filter(Boolean);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
