/**
 * Upstream connection pools: one keep-alive undici Pool per endpoint address,
 * created once and reused by every request to it.
 */
import { Pool } from 'undici';

export interface PoolOptions {
  connections?: number;
  connectTimeoutMs?: number;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly opts: PoolOptions = {}) {}

  get(address: string, port: number): Pool {
    const origin = `http://${address}:${port}`;
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.opts.connections ?? 256,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: { timeout: this.opts.connectTimeoutMs ?? 5_000 },
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Closes pools whose origins are no longer in use. */
  retain(origins: Set<string>): void {
    for (const [origin, pool] of this.pools) {
      if (!origins.has(origin)) {
        this.pools.delete(origin);
        void pool.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
  }
}
