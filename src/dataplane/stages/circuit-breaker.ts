/**
 * Circuit breaking, as Envoy's connection pool limits: requests in flight to
 * a cluster beyond its capacity (http2MaxRequests, or maxConnections plus
 * http1MaxPendingRequests) overflow, answered 503 with flag UO. Only clusters
 * with limits are counted (a walk over the endpoints' in-flight counts).
 */
import type { Cluster } from '../policy.js';
import type { Exchange } from './exchange.js';
import { localReply } from './local-reply.js';
import { CONTINUE, STOP, type Next, type Stage } from './stage.js';

export class CircuitBreaker implements Stage {
  readonly name = 'circuit-breaker';

  run(x: Exchange): Next {
    const cluster = x.cluster!;
    const pool = cluster.connectionPool;
    if (!pool) return CONTINUE;
    const capacity = Math.min(pool.http2MaxRequests ?? Infinity, (pool.maxConnections ?? Infinity) + (pool.http1MaxPendingRequests ?? Infinity));
    if (totalActive(cluster) < capacity) return CONTINUE;
    x.rec.flags = 'UO';
    x.req.resume();
    localReply(x.res, x.rec, 503, 'upstream connect error or disconnect/reset before headers. reset reason: overflow\n');
    return STOP;
  }
}

function totalActive(c: Cluster): number {
  let n = 0;
  for (const v of c.active.values()) n += v;
  return n;
}
