/**
 * Outlier detection, as Envoy's consecutive-5xx and consecutive-gateway-error
 * detectors: an endpoint failing N times in a row is ejected from its cluster
 * for baseEjectionTime × (times ejected), within maxEjectionPercent, and never
 * when fewer than minHealthPercent of the endpoints would remain healthy.
 */
import type { EndpointConfig } from '../config/snapshot.js';
import type { Cluster } from './policy.js';

interface HostState {
  consecutive5xx: number;
  consecutiveGateway: number;
  ejections: number;
  timer?: NodeJS.Timeout;
}

/** Envoy caps an ejection at max_ejection_time, 300 s by default. */
const MAX_EJECTION_MS = 300_000;

export const endpointKey = (ep: Pick<EndpointConfig, 'address' | 'port'>): string => `${ep.address}:${ep.port}`;

export class OutlierDetector {
  private readonly hosts = new WeakMap<Cluster, Map<string, HostState>>();

  /** Records one answer from ep: a status code, or 503 for a connect failure / 504 for a timeout. */
  record(cluster: Cluster, ep: EndpointConfig, status: number): void {
    const policy = cluster.outlier;
    if (!policy) return;
    let states = this.hosts.get(cluster);
    if (!states) {
      states = new Map();
      this.hosts.set(cluster, states);
    }
    const key = endpointKey(ep);
    let st = states.get(key);
    if (!st) {
      st = { consecutive5xx: 0, consecutiveGateway: 0, ejections: 0 };
      states.set(key, st);
    }
    if (status >= 500) {
      st.consecutive5xx++;
      if (status === 502 || status === 503 || status === 504) st.consecutiveGateway++;
      else st.consecutiveGateway = 0;
    } else {
      st.consecutive5xx = 0;
      st.consecutiveGateway = 0;
      return;
    }
    const by5xx = policy.consecutive5xxErrors > 0 && st.consecutive5xx >= policy.consecutive5xxErrors;
    const byGateway = policy.consecutiveGatewayErrors > 0 && st.consecutiveGateway >= policy.consecutiveGatewayErrors;
    if ((by5xx || byGateway) && !cluster.ejected.has(key)) this.eject(cluster, key, st);
  }

  private eject(cluster: Cluster, key: string, st: HostState): void {
    const policy = cluster.outlier!;
    const total = cluster.endpoints.length;
    if (total === 0) return;
    const ejectedNow = cluster.ejected.size;
    // Envoy always allows one ejection, otherwise maxEjectionPercent bounds it.
    const allowed = Math.max(1, Math.floor((total * policy.maxEjectionPercent) / 100));
    if (ejectedNow >= allowed) return;
    const healthyAfter = ((total - ejectedNow - 1) / total) * 100;
    if (policy.minHealthPercent > 0 && healthyAfter < policy.minHealthPercent) return;
    st.ejections++;
    st.consecutive5xx = 0;
    st.consecutiveGateway = 0;
    cluster.ejected.add(key);
    const ms = Math.min(MAX_EJECTION_MS, policy.baseEjectionTimeMs * st.ejections);
    clearTimeout(st.timer);
    st.timer = setTimeout(() => cluster.ejected.delete(key), ms);
    st.timer.unref();
  }
}
