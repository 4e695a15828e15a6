/**
 * Upstream connection pools: one per endpoint address and protocol, created
 * once and reused by every request to it: a keep-alive Http1Pool, or an
 * Http2Pool (one session, a stream per request) for a service port that
 * speaks HTTP/2, or an Http1Pool originating TLS, per TLS settings. Found by address, then port, so no key is built per request.
 */
import { Http1Pool, type DispatchOptions, type PoolOptions, type ResponseHandler } from './http1/client.js';
import { Http2Pool } from './http2/client.js';
import type { UpstreamProtocol } from './policy.js';
import type { UpstreamTls } from './upstream-tls.js';

/** Where requests to one endpoint go. */
export interface UpstreamPool {
  dispatch(opts: DispatchOptions, handler: ResponseHandler): void;
  /** Stops taking requests; busy connections finish first. */
  close(): void;
  /** Closes every connection at once. */
  destroy(): void;
}

class PoolMap<P extends UpstreamPool> {
  readonly pools = new Map<string, Map<number, P>>();

  constructor(private readonly make: (address: string, port: number) => P) {}

  get(address: string, port: number): P {
    let byPort = this.pools.get(address);
    if (!byPort) this.pools.set(address, (byPort = new Map()));
    let pool = byPort.get(port);
    if (!pool) byPort.set(port, (pool = this.make(address, port)));
    return pool;
  }

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

  destroyAll(): void {
    const all = [...this.pools.values()].flatMap((byPort) => [...byPort.values()]);
    this.pools.clear();
    for (const p of all) p.destroy();
  }
}

export class UpstreamPools {
  private readonly http1: PoolMap<Http1Pool>;
  private readonly http2: PoolMap<Http2Pool>;
  /** HTTP/1.1 over TLS the proxy originates, per TLS settings (their id). */
  private readonly https = new Map<string, PoolMap<Http1Pool>>();

  constructor(private readonly opts: PoolOptions = {}) {
    this.http1 = new PoolMap((address, port) => new Http1Pool(address, port, opts));
    this.http2 = new PoolMap((address, port) => new Http2Pool(address, port, opts));
  }

  /** The pool of one endpoint; with `tls`, connections originate TLS (HTTP/1.1 over it). */
  get(address: string, port: number, protocol: UpstreamProtocol = 'http1', tls?: UpstreamTls): UpstreamPool {
    if (tls) return this.tlsPools(tls).get(address, port);
    return protocol === 'http2' ? this.http2.get(address, port) : this.http1.get(address, port);
  }

  /** Closes pools whose origins (`address:port`) are no longer in use; their busy connections finish first. */
  retain(origins: Set<string>): void {
    this.http1.retain(origins);
    this.http2.retain(origins);
    for (const [id, pools] of this.https) {
      pools.retain(origins);
      if (pools.pools.size === 0) this.https.delete(id);
    }
  }

  async close(): Promise<void> {
    this.http1.destroyAll();
    this.http2.destroyAll();
    for (const pools of this.https.values()) pools.destroyAll();
    this.https.clear();
  }

  private tlsPools(tls: UpstreamTls): PoolMap<Http1Pool> {
    let pools = this.https.get(tls.id);
    if (!pools) this.https.set(tls.id, (pools = new PoolMap((address, port) => new Http1Pool(address, port, { ...this.opts, tls }))));
    return pools;
  }
}
