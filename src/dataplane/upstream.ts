/**
 * Upstream connection pools: one keep-alive Http1Pool per endpoint address,
 * created once and reused by every request to it.
 */
import { Http1Pool, type PoolOptions } from './http1/client.js';

export class UpstreamPools {
  private readonly pools = new Map<string, Http1Pool>();

  constructor(private readonly opts: PoolOptions = {}) {}

  get(address: string, port: number): Http1Pool {
    const origin = `${address}:${port}`;
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Http1Pool(address, port, this.opts);
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Closes pools whose origins (`address:port`) are no longer in use; their busy connections finish first. */
  retain(origins: Set<string>): void {
    for (const [origin, pool] of this.pools) {
      if (!origins.has(origin)) {
        this.pools.delete(origin);
        pool.close();
      }
    }
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    for (const p of all) p.destroy();
  }
}
