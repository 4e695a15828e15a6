/**
 * The router interface the proxy core sees: given what a request asks for and
 * where it came from, decide where it goes. The proxy core knows nothing of
 * Istio; the concrete router is chosen in one place (`compileRouter`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { EndpointConfig } from '../config/snapshot.js';
import type { MeshService } from './service-registry.js';

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
}

/** A request forwarded to a service's endpoints. */
export interface UpstreamDecision {
  kind: 'upstream';
  service: MeshService;
  /** Envoy-style cluster name, e.g. `outbound|9080|v1|reviews.demo-project.svc.cluster.local`. */
  cluster: string;
  /** Picks the endpoint for one attempt; undefined when none is healthy. */
  pick(exclude?: EndpointConfig): EndpointConfig | undefined;
}

/** A request answered by the proxy itself. */
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

export type RouteDecision = UpstreamDecision | RespondDecision | PassthroughDecision;

export interface Router {
  route(req: RouteRequest): RouteDecision;
}
