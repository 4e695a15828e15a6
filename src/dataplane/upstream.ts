/**
 * Upstream connection pools: one keep-alive Http1Pool per endpoint address,
 * created once and reused by every request to it. Found by address, then
 * port, so no key is built per request.
 */
import { Http1Pool, type PoolOptions } from './http1/client.js';

export class UpstreamPools {
  private readonly pools = new Map<string, Map<number, Http1Pool>>();

  constructor(private readonly opts: PoolOptions = {}) {}

  get(address: string, port: number): Http1Pool {
    let byPort = this.pools.get(address);
    if (!byPort) this.pools.set(address, (byPort = new Map()));
    let pool = byPort.get(port);
    if (!pool) byPort.set(port, (pool = new Http1Pool(address, port, this.opts)));
    return pool;
  }

  /** Closes pools whose origins (`address:port`) are no longer in use; their busy connections finish first. */
  retain(origins: Set<string>): void {
    for (const [address, byPort] of this.pools) {
      for (const [port, pool] of byPort) {
        if (origins.has(`${address}:${port}`)) continue;
        byPort.delete(port);
        pool.close();
      }
      if (byPort.size === 0) this.pools.delete(address);
    }
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()].flatMap((byPort) => [...byPort.values()]);
    this.pools.clear();
    for (const p of all) p.destroy();
  }
}
