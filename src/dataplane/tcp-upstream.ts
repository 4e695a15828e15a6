/**
 * TCP connections to a cluster's endpoints, for every byte stream the proxy carries (a TCP
 * service at the gateway, a CONNECT tunnel from a workload), under the cluster's
 * DestinationRule as Envoy's tcp_proxy applies it:
 *
 * - `connectionPool.tcp.maxConnections`: a connection beyond the cluster's open ones is refused
 *   (flag UO, overflow), as Envoy's circuit breaker refuses it;
 * - `connectionPool.tcp.connectTimeout` (10 s by default): a connect that takes longer fails
 *   (flag UF);
 * - `outlierDetection`: a connect failure or timeout counts as a gateway error of the endpoint
 *   (Istio: "for TCP services, connection timeouts or connection failures are errors"), a
 *   connection made as a success, through the proxy's one OutlierDetector.
 *
 * Open connections are counted per cluster, so a new snapshot (new clusters) starts the count
 * anew, as a new Envoy cluster does.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EndpointConfig } from '../config/snapshot.js';
import type { OutlierDetector } from './outlier.js';
import type { Cluster } from './policy.js';

/** Envoy's default connect timeout (Istio's DestinationRule connectionPool.tcp.connectTimeout). */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Why no connection was made: the flag and reason the record and the refusal carry. */
export interface DialFailure {
  flag: 'UF' | 'UO' | 'UH' | 'DC';
  reason: string;
  /** The endpoint tried, when one was. */
  ep?: EndpointConfig;
}

export interface DialHandlers {
  connected(upstream: net.Socket, ep: EndpointConfig, connectMs: number): void;
  failed(f: DialFailure): void;
}

export class TcpUpstreams {
  private readonly open = new WeakMap<Cluster, number>();

  constructor(private readonly outlier: OutlierDetector) {}

  /** Open connections of a cluster. */
  openCount(cluster: Cluster): number {
    return this.open.get(cluster) ?? 0;
  }

  /** Connects to an endpoint of `cluster` for `client` (a client gone before the connect aborts it). */
  connect(cluster: Cluster, client: net.Socket, h: DialHandlers): void {
    const max = cluster.connectionPool?.maxConnections;
    if (max !== undefined && this.openCount(cluster) >= max) return h.failed({ flag: 'UO', reason: 'overflow' });
    const ep = cluster.pick(undefined);
    if (!ep) return h.failed({ flag: 'UH', reason: 'no healthy upstream' });
    this.open.set(cluster, this.openCount(cluster) + 1);
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      this.open.set(cluster, this.openCount(cluster) - 1);
    };
    dial(ep, cluster.connectionPool?.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, client, {
      connected: (upstream, at, ms) => {
        this.outlier.record(cluster, at, 200);
        upstream.once('close', release);
        h.connected(upstream, at, ms);
      },
      failed: (f) => {
        release();
        if (f.flag === 'UF') this.outlier.record(cluster, ep, 503);
        h.failed(f);
      },
    });
  }
}

/** One TCP connect to `ep` within `timeoutMs`, aborted when `client` closes first. */
export function dial(ep: EndpointConfig, timeoutMs: number, client: net.Socket, h: DialHandlers): void {
  const upstream = net.connect({ host: ep.address, port: ep.port, noDelay: true, allowHalfOpen: true });
  const started = performance.now();
  const timer = setTimeout(() => upstream.destroy(Object.assign(new Error(`connect timeout to ${ep.address}:${ep.port}`), { code: 'ETIMEDOUT' })), timeoutMs);
  const clientGone = (): void => {
    clearTimeout(timer);
    upstream.removeAllListeners('error');
    upstream.on('error', () => undefined);
    upstream.destroy();
    h.failed({ flag: 'DC', reason: 'downstream disconnected', ep });
  };
  client.once('close', clientGone);
  upstream.once('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    client.off('close', clientGone);
    h.failed({ flag: 'UF', reason: err.code ?? err.message, ep });
  });
  upstream.once('connect', () => {
    clearTimeout(timer);
    client.off('close', clientGone);
    upstream.removeAllListeners('error');
    h.connected(upstream, ep, performance.now() - started);
  });
}
