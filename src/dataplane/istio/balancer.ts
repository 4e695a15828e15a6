/**
 * The load balancers of a DestinationRule's `loadBalancer`
 * (https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings),
 * each picking among a cluster's endpoints minus those outlier detection ejected.
 */
import type { EndpointConfig } from '../../config/snapshot.js';
import { RingHash } from './ring-hash.js';
import type { LoadBalancerSettings } from './types.js';

export type BalancerKind = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH';

/** What a Cluster delegates to its balancer. */
export interface Balancer {
  pick(hashKey: string | undefined, exclude?: EndpointConfig): EndpointConfig | undefined;
}

/** The endpoints a balancer serves and the cluster's shared state, which the proxy core keeps. */
export interface BalancerInput {
  endpoints: EndpointConfig[];
  /** `address:port` of ejected endpoints, written by the proxy core's outlier detection. */
  ejected: Set<string>;
  /** Requests in flight per `address:port`, counted by the proxy core around each attempt. */
  active: Map<string, number>;
  /** Envoy's panic threshold: below this share of healthy endpoints, ejections are ignored. */
  minHealthPercent: number;
}

export const endpointKey = (ep: Pick<EndpointConfig, 'address' | 'port'>): string => `${ep.address}:${ep.port}`;

/**
 * The balancer a `loadBalancer` asks for. Istio's default (simple unset) is LEAST_REQUEST;
 * graymesh uses ROUND_ROBIN there so plain splits stay deterministic and testable.
 * LEAST_CONN is the deprecated name of LEAST_REQUEST; PASSTHROUGH has no meaning without
 * original-destination addresses, so it balances round-robin too.
 */
export function balancerKind(lb: LoadBalancerSettings | undefined): BalancerKind {
  if (lb?.consistentHash) return 'RING_HASH';
  switch (lb?.simple) {
    case 'LEAST_REQUEST':
    case 'LEAST_CONN':
      return 'LEAST_REQUEST';
    case 'RANDOM':
      return 'RANDOM';
    default:
      return 'ROUND_ROBIN';
  }
}

export function createBalancer(kind: BalancerKind, input: BalancerInput, ringSize = 1024): Balancer {
  switch (kind) {
    case 'LEAST_REQUEST':
      return new LeastRequest(input);
    case 'RANDOM':
      return new RandomPick(input);
    case 'RING_HASH':
      return new RingHashPick(input, ringSize);
    default:
      return new RoundRobinPick(input);
  }
}

/** The endpoints to pick from: all but the ejected, unless fewer than minHealthPercent remain (panic). */
export function candidates({ endpoints, ejected, minHealthPercent }: BalancerInput): EndpointConfig[] {
  if (ejected.size === 0) return endpoints;
  const healthy = endpoints.filter((e) => !ejected.has(endpointKey(e)));
  if (minHealthPercent > 0 && healthy.length * 100 < minHealthPercent * endpoints.length) return endpoints;
  return healthy;
}

const same = (a: EndpointConfig, b: EndpointConfig | undefined): boolean =>
  b !== undefined && a.address === b.address && a.port === b.port;

class RoundRobinPick implements Balancer {
  private next = 0;

  constructor(private readonly input: BalancerInput) {}

  pick(_key: string | undefined, exclude?: EndpointConfig): EndpointConfig | undefined {
    const list = candidates(this.input);
    const n = list.length;
    for (let i = 0; i < n; i++) {
      const ep = list[this.next++ % n] as EndpointConfig;
      if (n === 1 || !same(ep, exclude)) return ep;
    }
    return undefined;
  }
}

/**
 * LEAST_REQUEST as Envoy does it with equal weights, power of two choices: of two endpoints take
 * the one with fewer requests in flight (the cluster's `active` counts). Envoy draws the two at
 * random; here they are the next two in round-robin order (only RANDOM is random), so an idle
 * cluster is plain round-robin.
 */
class LeastRequest implements Balancer {
  private next = 0;

  constructor(private readonly input: BalancerInput) {}

  pick(_key: string | undefined, exclude?: EndpointConfig): EndpointConfig | undefined {
    const list = candidates(this.input);
    const n = list.length;
    if (n <= 1) return list[0];
    const c = this.next++;
    let a = list[c % n] as EndpointConfig;
    let b = list[(c + 1) % n] as EndpointConfig;
    if (same(a, exclude)) a = b;
    else if (same(b, exclude)) b = a;
    return this.load(b) < this.load(a) ? b : a;
  }

  private load(ep: EndpointConfig): number {
    return this.input.active.get(endpointKey(ep)) ?? 0;
  }
}

class RandomPick implements Balancer {
  constructor(private readonly input: BalancerInput) {}

  pick(_key: string | undefined, exclude?: EndpointConfig): EndpointConfig | undefined {
    const list = candidates(this.input);
    const n = list.length;
    if (n === 0) return undefined;
    const i = Math.floor(Math.random() * n);
    const ep = list[i] as EndpointConfig;
    return n > 1 && same(ep, exclude) ? (list[(i + 1) % n] as EndpointConfig) : ep;
  }
}

/**
 * consistentHash: the key's point on a ring of the cluster's endpoints (Envoy RING_HASH),
 * walking on past ejected ones. Without a key (header or cookie absent) it falls back to
 * round-robin. A retry stays on the hashed endpoint, as Istio's retry policy for hashed routes
 * has no previous-hosts predicate, so `exclude` is not avoided.
 */
class RingHashPick implements Balancer {
  private readonly ring: RingHash;
  private readonly fallback: RoundRobinPick;

  constructor(private readonly input: BalancerInput, ringSize: number) {
    this.ring = new RingHash(input.endpoints, ringSize);
    this.fallback = new RoundRobinPick(input);
  }

  pick(key: string | undefined, exclude?: EndpointConfig): EndpointConfig | undefined {
    if (key === undefined) return this.fallback.pick(undefined, exclude);
    const { ejected } = this.input;
    const panic = candidates(this.input) === this.input.endpoints;
    return this.ring.lookup(key, panic ? undefined : (ep) => !ejected.has(endpointKey(ep)));
  }
}
