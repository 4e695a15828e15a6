/**
 * The parts of Istio's networking.istio.io/v1 specs the router reads, as the validator leaves
 * them (https://istio.io/latest/docs/reference/config/networking/). Field names are the proto
 * JSON names; deprecated fields Istio still honours are listed where the router honours them.
 */

/** `StringMatch`: one of exact, prefix, regex (RE2, full match); empty means "present". */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface HTTPMatchRequest {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  ignoreUriCase?: boolean;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
  port?: number;
}

export interface Destination {
  host: string;
  subset?: string;
  port?: { number?: number };
}

export interface HeaderOperations {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface Headers {
  request?: HeaderOperations;
  response?: HeaderOperations;
}

export interface HTTPRouteDestination {
  destination: Destination;
  weight?: number;
  headers?: Headers;
}

export interface Percent {
  value?: number;
}

export interface HTTPRedirect {
  uri?: string;
  authority?: string;
  scheme?: string;
  port?: number;
  derivePort?: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT';
  redirectCode?: number;
}

export interface HTTPDirectResponse {
  status: number;
  body?: { string?: string; bytes?: string };
}

export interface HTTPRewrite {
  uri?: string;
  authority?: string;
  uriRegexRewrite?: { match?: string; rewrite?: string };
}

export interface HTTPRetry {
  attempts?: number;
  perTryTimeout?: string;
  retryOn?: string;
  retryRemoteLocalities?: boolean;
}

export interface HTTPFaultInjection {
  delay?: { fixedDelay?: string; percentage?: Percent; percent?: number };
  abort?: { httpStatus?: number; grpcStatus?: string; percentage?: Percent };
}

export interface CorsPolicy {
  allowOrigins?: StringMatch[];
  /** Deprecated exact origins. */
  allowOrigin?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: string;
  allowCredentials?: boolean;
}

export interface HTTPRoute {
  name?: string;
  match?: HTTPMatchRequest[];
  route?: HTTPRouteDestination[];
  redirect?: HTTPRedirect;
  directResponse?: HTTPDirectResponse;
  delegate?: { name?: string; namespace?: string };
  rewrite?: HTTPRewrite;
  timeout?: string;
  retries?: HTTPRetry;
  fault?: HTTPFaultInjection;
  mirror?: Destination;
  mirrorPercentage?: Percent;
  /** Deprecated integer percentage of `mirror`. */
  mirrorPercent?: number;
  mirrors?: { destination: Destination; percentage?: Percent }[];
  corsPolicy?: CorsPolicy;
  headers?: Headers;
}

export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HTTPRoute[];
  tcp?: TCPRoute[];
}

/** One match of a `tcp` rule: every field given must hold. */
export interface L4MatchAttributes {
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
}

export interface RouteDestination {
  destination: Destination;
  weight?: number;
}

/** A VirtualService `tcp` rule: the first whose match holds picks a weighted destination per connection. */
export interface TCPRoute {
  match?: L4MatchAttributes[];
  route?: RouteDestination[];
}

export interface LoadBalancerSettings {
  simple?: string;
  consistentHash?: {
    httpHeaderName?: string;
    httpCookie?: { name: string; path?: string; ttl?: string };
    useSourceIp?: boolean;
    httpQueryParameterName?: string;
    ringHash?: { minimumRingSize?: number };
    /** Deprecated form of ringHash.minimumRingSize. */
    minimumRingSize?: number;
  };
}

export interface ConnectionPoolSettings {
  tcp?: { maxConnections?: number; connectTimeout?: string };
  http?: { http1MaxPendingRequests?: number; http2MaxRequests?: number; maxRequestsPerConnection?: number; maxRetries?: number };
}

export interface OutlierDetection {
  consecutive5xxErrors?: number;
  consecutiveGatewayErrors?: number;
  /** Deprecated: counted gateway errors (Istio's translation before consecutiveGatewayErrors existed). */
  consecutiveErrors?: number;
  interval?: string;
  baseEjectionTime?: string;
  maxEjectionPercent?: number;
  minHealthPercent?: number;
}

/** `tls` of a traffic policy (Istio ClientTLSSettings): how the proxy speaks TLS to the endpoints. */
export interface ClientTlsSettings {
  /** DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL. */
  mode?: string;
  /** PEM files the proxy reads. */
  caCertificates?: string;
  clientCertificate?: string;
  privateKey?: string;
  /** A Secret holding the credentials instead of files. */
  credentialName?: string;
  sni?: string;
  subjectAltNames?: string[];
  insecureSkipVerify?: boolean;
}

export interface PortTrafficPolicy {
  port?: { number?: number };
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTlsSettings;
}

export interface TrafficPolicy {
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTlsSettings;
  portLevelSettings?: PortTrafficPolicy[];
}

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  trafficPolicy?: TrafficPolicy;
}

export interface DestinationRuleSpec {
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets?: Subset[];
}

export interface GatewayServer {
  hosts?: string[];
  port?: { number?: number; name?: string; protocol?: string };
}

export interface GatewaySpec {
  servers?: GatewayServer[];
}

export interface ServiceEntrySpec {
  hosts?: string[];
  ports?: { number: number; name?: string; protocol?: string; targetPort?: number }[];
  endpoints?: { address?: string; ports?: Record<string, number>; labels?: Record<string, string> }[];
  resolution?: string;
}
