/**
 * The router interface the proxy core sees: given what a request asks for and
 * where it came from, decide what happens to it. The proxy core knows nothing
 * of Istio; the concrete router is chosen in one place (`compileRouter`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Cluster, DirectAction, RedirectAction, RouteAction } from './policy.js';

/** Where a request entered the proxy. */
export type Source =
  | { kind: 'gateway' }
  | { kind: 'outbound'; project: string; workload: string; labels: Record<string, string> };

export interface RouteRequest {
  source: Source;
  /** Authority as the client sent it (`reviews:9080`, `productpage.demo-project.localhost:8080`). */
  authority: string;
  /** Authority without port, lowercase. */
  host: string;
  /** Destination port: the authority's, else 80. */
  port: number;
  method: string;
  /** Path with query string. */
  path: string;
  scheme: string;
  headers: IncomingHttpHeaders;
  /** The client's address (consistentHash useSourceIp). */
  remoteAddress: string;
}

/** A request answered by the proxy itself without a route (no route: 404 NR). */
export interface RespondDecision {
  kind: 'respond';
  status: number;
  body: string;
  /** Envoy response flag, e.g. NR (no route). */
  flags: string;
  /** Why, for the access log's response code details (Envoy's snake_case), when the flag alone does not say. */
  details?: string;
  /** The route and cluster it stands for (`block_all`, `BlackHoleCluster`), for the access log. */
  routeName?: string;
  cluster?: string;
}

/** A request to a host outside the mesh, sent where it names (Istio's ALLOW_ANY passthrough). */
export interface PassthroughDecision {
  kind: 'passthrough';
  address: string;
  port: number;
}

export type RouteDecision = RouteAction | RedirectAction | DirectAction | RespondDecision | PassthroughDecision;

/** A CONNECT to a host the caller may reach: a cluster of the mesh or a ServiceEntry, tunnelled to one of its endpoints. */
export interface TunnelDecision {
  kind: 'tunnel';
  cluster: Cluster;
  /** The VirtualService tcp rule that chose the cluster (`ns/name.tcp[0]`); absent: the host's default route. */
  routeName?: string;
}

/** A connection to one of the gateway's TCP ports (a Gateway server with `protocol: TCP`). */
export interface TcpConnection {
  /** The Gateway server's port number as written (31400), which `tcp` matches see. */
  port: number;
  remoteAddress: string;
}

/** Where a connection to a gateway TCP port goes. */
export type TcpDecision = TunnelDecision | RespondDecision;

/** Where a CONNECT (`CONNECT host:port`, as HTTPS_PROXY clients send) goes: a declared host, any host (ALLOW_ANY), or refused. */
export type ConnectDecision = TunnelDecision | PassthroughDecision | RespondDecision;

export interface Router {
  route(req: RouteRequest): RouteDecision;
  /** A workload's CONNECT to `req.host:req.port`; a router without it refuses every CONNECT. */
  connect?(req: RouteRequest): ConnectDecision;
  /** A connection to a gateway TCP port; a router without it refuses every one. */
  tcp?(conn: TcpConnection): TcpDecision;
}
