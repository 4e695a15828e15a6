/**
 * The router interface the proxy core sees: given what a request asks for and
 * where it came from, decide what happens to it. The proxy core knows nothing
 * of Istio; the concrete router is chosen in one place (`compileRouter`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { DirectAction, RedirectAction, RouteAction } from './policy.js';

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
}

/** A request to a host outside the mesh, sent where it names (Istio's ALLOW_ANY passthrough). */
export interface PassthroughDecision {
  kind: 'passthrough';
  address: string;
  port: number;
}

export type RouteDecision = RouteAction | RedirectAction | DirectAction | RespondDecision | PassthroughDecision;

export interface Router {
  route(req: RouteRequest): RouteDecision;
}
