/**
 * One request on its way through the pipeline: what it came with, what the
 * stages decided for it (upstream headers, hash key, body, the answer to
 * send), and where in the pipeline it is. One object per request with every
 * field set in the constructor, so all exchanges share one shape.
 */
import type { EndpointConfig } from '../../config/snapshot.js';
import type { HeaderMap } from '../hop-by-hop.js';
import type { BodySource, DownstreamRequest, DownstreamResponse } from '../downstream.js';
import type { Cluster, RouteAction } from '../policy.js';
import type { RequestRecord } from '../request-record.js';
import type { RouteRequest } from '../router.js';
import type { AttemptHead, UpstreamAttempt } from '../upstream-attempt.js';
import { localReply } from './local-reply.js';
import type { Pipeline } from './stage.js';

export class Exchange {
  /** The stage running, or the one that stopped and will resume the pipeline. */
  at = 0;
  /** The route's cluster, once the destination stage found one. */
  cluster: Cluster | undefined = undefined;
  /** The request's Origin when the route's CORS policy allows it: the answer carries allow-origin. */
  corsOrigin: string | undefined = undefined;
  /** The request's fields as the upstream (and any mirror) receives them. */
  headers: HeaderMap | undefined = undefined;
  /** The path (with query) the upstream receives: the request's, or the route's rewrite. */
  path: string;
  /** The consistent-hash key, when the cluster's load balancer hashes. */
  hashKey: string | undefined = undefined;
  /** A Set-Cookie for the answer: the hash cookie made for a client that had none. */
  setCookie: string | undefined = undefined;
  /** The body to send: none, the whole of it buffered (it can be sent again), or the request itself (streamed once). */
  body: Buffer | BodySource | null = null;
  /** The body can be sent more than once: retries and mirrors need that. */
  replayable = true;
  /** The route's overall deadline (epoch ms; Infinity without a timeout); it bounds the answer's body too. */
  deadline = Infinity;
  /** When the first attempt started (epoch ms). */
  upstreamStart = 0;
  /** The attempt in progress, then the one whose answer is sent. */
  attempt: UpstreamAttempt | undefined = undefined;
  /** What the attempt sent on learned: its answer's head or a local failure; undefined when the route's timeout ran out first. */
  head: AttemptHead | undefined = undefined;
  /** The endpoint of the attempt sent on. */
  upstream: EndpointConfig | undefined = undefined;
  /** The client went away before its answer was finished. */
  clientGone = false;

  constructor(
    readonly req: DownstreamRequest,
    readonly res: DownstreamResponse,
    readonly rr: RouteRequest,
    readonly rec: RequestRecord,
    readonly action: RouteAction,
    private readonly pipeline: Pipeline,
  ) {
    this.path = rr.path;
  }

  /** Runs the pipeline from the stage after the one that stopped. */
  resume(): void {
    this.pipeline.run(this, this.at + 1);
  }

  /** The client's connection closed: an attempt in progress is stopped. */
  clientClosed(): void {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.attempt?.abort();
  }

  /** Something went wrong in a stage: a 500 when nothing was answered yet, else the client's connection is cut. */
  fail(err: Error): void {
    const res = this.res;
    if (res.writableFinished || res.destroyed) return;
    if (res.headersSent) return res.destroy();
    localReply(res, this.rec, 500, `proxy error: ${err.message}\n`);
  }
}
