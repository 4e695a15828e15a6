/**
 * What a matched Istio HTTP route asks the proxy core to do with a request,
 * compiled once per config version. The router produces these; the proxy
 * core executes them (timeouts, retries, faults, mirrors, header changes).
 * Field semantics follow Istio's VirtualService and DestinationRule reference.
 */
import type { EndpointConfig } from '../config/snapshot.js';
import type { MeshService } from './service-registry.js';
import type { UpstreamTls } from './upstream-tls.js';

/** Header operations (Istio `Headers.HeaderOperations`). */
export interface HeaderOps {
  set?: [string, string][];
  add?: [string, string][];
  remove?: string[];
}

/** `retries` (Istio HTTPRetry), durations in ms. */
export interface RetryPolicy {
  attempts: number;
  perTryTimeoutMs?: number;
  /** Envoy retry-on conditions: 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, ... */
  retryOn: Set<string>;
  /** Numeric codes listed in retryOn. */
  retriableStatusCodes: Set<number>;
  retryRemoteLocalities?: boolean;
}

/**
 * Istio's default retry policy for HTTP routes without `retries`: two retries on
 * connect-failure, refused-stream, unavailable, cancelled and retriable-status-codes (503).
 */
export const ISTIO_DEFAULT_RETRY: RetryPolicy = {
  attempts: 2,
  retryOn: new Set(['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes']),
  retriableStatusCodes: new Set([503]),
};

/** `fault` (Istio HTTPFaultInjection); percentages 0-100. */
export interface FaultPolicy {
  delayMs?: number;
  delayPercent?: number;
  abortStatus?: number;
  /** `abort.grpcStatus` as its number: answered HTTP 200 with that grpc-status, trailers-only. */
  abortGrpcStatus?: number;
  abortPercent?: number;
}

/** `connectionPool` of a DestinationRule traffic policy; Envoy answers overflow with 503 and flag UO. */
export interface ConnectionPoolPolicy {
  maxConnections?: number;
  connectTimeoutMs?: number;
  http1MaxPendingRequests?: number;
  http2MaxRequests?: number;
  maxRequestsPerConnection?: number;
  maxRetries?: number;
}

/** `outlierDetection` with Istio's defaults filled in. */
export interface OutlierPolicy {
  consecutive5xxErrors: number;
  consecutiveGatewayErrors: number;
  intervalMs: number;
  baseEjectionTimeMs: number;
  maxEjectionPercent: number;
  minHealthPercent: number;
}

/** `corsPolicy`. */
export interface CorsPolicy {
  allowOrigins: ((origin: string) => boolean)[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAgeSeconds?: number;
  allowCredentials?: boolean;
}

/** What the proxy speaks to a cluster's endpoints: HTTP/1.1, or HTTP/2 (cleartext, prior knowledge). */
export type UpstreamProtocol = 'http1' | 'http2';

/** One upstream cluster (service + subset) with its traffic policy; shared by every route that sends to it. */
export interface Cluster {
  /** Envoy-style name, `outbound|9080|v1|reviews.demo-project.svc.cluster.local`. */
  name: string;
  /** The protocol of its service port, by Istio's protocol selection (absent: HTTP/1.1). */
  protocol?: UpstreamProtocol;
  service: MeshService;
  subset?: string;
  /** Ready endpoints of the subset. */
  endpoints: EndpointConfig[];
  connectionPool?: ConnectionPoolPolicy;
  outlier?: OutlierPolicy;
  /** TLS the proxy originates to the endpoints (DestinationRule `tls.mode: SIMPLE`); absent: plain connections. */
  tls?: UpstreamTls;
  /**
   * Picks an endpoint for one attempt by the cluster's load balancer; `hashKey`
   * is the consistent-hash input when the policy has one. `exclude` is avoided
   * when another endpoint exists (retries go elsewhere).
   */
  pick(hashKey: string | undefined, exclude?: EndpointConfig): EndpointConfig | undefined;
  /**
   * Endpoints ejected by outlier detection, by `address:port`; pick() skips
   * them. The proxy core adds and removes entries.
   */
  ejected: Set<string>;
  /** In-flight requests per endpoint, by `address:port`; LEAST_REQUEST reads it, the proxy core keeps it. */
  active: Map<string, number>;
  /** How to compute the consistent-hash key, when the policy is consistentHash. */
  hashOn?: { header?: string; cookie?: { name: string; ttlSeconds?: number; path?: string }; sourceIp?: boolean; queryParameter?: string };
  /** Called by the proxy core when an attempt to `ep` starts (LEAST_REQUEST balances on these in-flight counts). */
  onStart?(ep: EndpointConfig): void;
  /** Called by the proxy core when that attempt ends: response finished, failed or aborted. */
  onEnd?(ep: EndpointConfig): void;
}

/** A copy of the request to send fire-and-forget. */
export interface Mirror {
  cluster: Cluster;
  /** 0-100; absent means 100. */
  percent: number;
}

/** A matched route with a destination. */
export interface RouteAction {
  kind: 'route';
  /** The chosen destination's cluster (weights already applied), or undefined when its subset is not defined. */
  cluster: Cluster | undefined;
  /** Why there is no cluster (a subset no DestinationRule defines): Envoy answers 503 with flag NR. */
  missing?: string;
  /** Envoy response flag to answer `missing` with: NR (subset not defined) or UH (host neither a service nor a ServiceEntry). */
  missingFlag?: 'NR' | 'UH';
  /** VirtualService name and rule name, for logs. */
  routeName: string;
  timeoutMs?: number;
  retries?: RetryPolicy;
  fault?: FaultPolicy;
  mirrors: Mirror[];
  /** Request header operations: the rule's then the destination's. */
  requestHeaders?: HeaderOps;
  responseHeaders?: HeaderOps;
  /** Rewritten path (with query), when `rewrite.uri` applies. */
  rewritePath?: string;
  rewriteAuthority?: string;
  cors?: CorsPolicy;
  /** A `Set-Cookie` to add to the response: a sticky release's cookie for a client that had none (graymesh extension). */
  setCookie?: string;
}

/** `redirect`: answer 301 (or redirectCode) with a Location. */
export interface RedirectAction {
  kind: 'redirect';
  status: number;
  location: string;
  routeName: string;
  responseHeaders?: HeaderOps;
}

/** `directResponse`: answer from the proxy. */
export interface DirectAction {
  kind: 'direct';
  status: number;
  body: string;
  routeName: string;
  responseHeaders?: HeaderOps;
}
