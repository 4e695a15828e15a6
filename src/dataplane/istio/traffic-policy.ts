/**
 * A DestinationRule's traffic policy as it applies to one cluster (host, subset, port), and its
 * translation to the proxy core's policy types.
 * https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
 */
import { parseIstioDuration } from '../../config/validate/duration.js';
import type { ConnectionPoolPolicy, OutlierPolicy } from '../policy.js';
import type { ClientTlsSettings, ConnectionPoolSettings, LoadBalancerSettings, OutlierDetection, TrafficPolicy } from './types.js';

/** The settings a cluster takes from its policy. */
export interface EffectivePolicy {
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTlsSettings;
}

/**
 * Istio's MergeTrafficPolicy: the top level, replaced by its `portLevelSettings` for this port;
 * each field the subset sets replaces the top-level one; the subset's own port-level settings
 * replace them all (port-level policies "do not inherit", per the reference).
 */
export function effectivePolicy(top: TrafficPolicy | undefined, subset: TrafficPolicy | undefined, port: number): EffectivePolicy {
  let out: EffectivePolicy = pick(top);
  const topPort = portLevel(top, port);
  if (topPort) out = pick(topPort);
  if (subset) {
    if (subset.loadBalancer) out.loadBalancer = subset.loadBalancer;
    if (subset.connectionPool) out.connectionPool = subset.connectionPool;
    if (subset.outlierDetection) out.outlierDetection = subset.outlierDetection;
    if (subset.tls) out.tls = subset.tls;
    const subsetPort = portLevel(subset, port);
    if (subsetPort) out = pick(subsetPort);
  }
  return out;
}

function pick(p: EffectivePolicy | undefined): EffectivePolicy {
  const out: EffectivePolicy = {};
  if (p?.loadBalancer) out.loadBalancer = p.loadBalancer;
  if (p?.connectionPool) out.connectionPool = p.connectionPool;
  if (p?.outlierDetection) out.outlierDetection = p.outlierDetection;
  if (p?.tls) out.tls = p.tls;
  return out;
}

function portLevel(p: TrafficPolicy | undefined, port: number): EffectivePolicy | undefined {
  return p?.portLevelSettings?.find((s) => s.port?.number === port);
}

const ms = (d: string | undefined): number | undefined => (d === undefined ? undefined : parseIstioDuration(d));

/** `connectionPool` → ConnectionPoolPolicy; undefined when nothing is set. */
export function toConnectionPool(cp: ConnectionPoolSettings | undefined): ConnectionPoolPolicy | undefined {
  if (!cp) return undefined;
  const out: ConnectionPoolPolicy = {};
  const set = <K extends keyof ConnectionPoolPolicy>(k: K, v: ConnectionPoolPolicy[K] | undefined): void => {
    if (v !== undefined && v !== 0) out[k] = v;
  };
  set('maxConnections', cp.tcp?.maxConnections);
  set('connectTimeoutMs', ms(cp.tcp?.connectTimeout));
  set('http1MaxPendingRequests', cp.http?.http1MaxPendingRequests);
  set('http2MaxRequests', cp.http?.http2MaxRequests);
  set('maxRequestsPerConnection', cp.http?.maxRequestsPerConnection);
  set('maxRetries', cp.http?.maxRetries);
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * `outlierDetection` with the reference's defaults: 5 consecutive 5xx, gateway errors off,
 * interval 10s, base ejection 30s, at most 10% ejected, panic threshold (minHealthPercent) 0.
 * The deprecated `consecutiveErrors` counted gateway errors only (istio/api#617).
 */
export function toOutlier(od: OutlierDetection | undefined): OutlierPolicy | undefined {
  if (!od) return undefined;
  let consecutive5xxErrors = od.consecutive5xxErrors ?? 5;
  let consecutiveGatewayErrors = od.consecutiveGatewayErrors ?? 0;
  if (od.consecutiveErrors !== undefined && od.consecutiveErrors > 0 && od.consecutive5xxErrors === undefined && od.consecutiveGatewayErrors === undefined) {
    consecutive5xxErrors = 0;
    consecutiveGatewayErrors = od.consecutiveErrors;
  }
  return {
    consecutive5xxErrors,
    consecutiveGatewayErrors,
    intervalMs: ms(od.interval) ?? 10_000,
    baseEjectionTimeMs: ms(od.baseEjectionTime) ?? 30_000,
    maxEjectionPercent: od.maxEjectionPercent !== undefined && od.maxEjectionPercent > 0 ? od.maxEjectionPercent : 10,
    minHealthPercent: od.minHealthPercent ?? 0,
  };
}
