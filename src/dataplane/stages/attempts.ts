/**
 * The attempts, as Envoy's router makes them: each try picks an endpoint by
 * the cluster's load balancer (a retry avoids the endpoint that failed),
 * counts as in flight on it (LEAST_REQUEST, circuit breaking) until its
 * answer has ended, and is sent with its timeout; the request's RetryState
 * decides whether the answer is passed on or retried after a backoff. The
 * answer passed on (or the local failure, or none when the route's timeout
 * ran out) goes to the next stage; no endpoint left is 503 UH; a client gone
 * meanwhile ends it all. A gRPC request's grpc-timeout bounds it as the
 * route's timeout does (the sooner of the two), and its answers are retried
 * on their grpc-status as retryOn says (cancelled, unavailable, ...): a
 * trailers-only answer's at once, a unary-shaped call's from its trailers,
 * the answer held back until they come (grpc/trailer-hold.ts). An
 * upgrade request goes over HTTP/1.1 on a connection of its own, outside the
 * endpoint's pool; a 101 ends the attempt (the endpoint counts it in flight
 * no more) and hands its socket on.
 */
import type { EndpointConfig } from '../../config/snapshot.js';
import { grpcStatusOf, grpcTimeoutMs } from '../grpc/status.js';
import { holdForTrailers } from '../grpc/trailer-hold.js';
import { endpointKey, type OutlierDetector } from '../outlier.js';
import type { Cluster } from '../policy.js';
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';
import { UpstreamAttempt } from '../upstream-attempt.js';
import type { UpstreamPools } from '../upstream.js';
import type { Exchange } from './exchange.js';
import { localReply } from './local-reply.js';
import { addFlag } from './response-flags.js';
import { ANSWER, EXHAUSTED, OVERFLOW, RETRY, RetryBudget, RetryState, type Verdict } from './retry-state.js';
import { STOP, type Next, type Stage } from './stage.js';
import { TeeBody } from './tee-body.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Attempts implements Stage {
  readonly name = 'attempts';
  private readonly budget = new RetryBudget();

  constructor(
    private readonly pools: UpstreamPools,
    private readonly outlier: OutlierDetector,
    private readonly telemetry: RequestTelemetry | undefined,
  ) {}

  run(x: Exchange): Next {
    void this.tryUntilAnswered(x);
    return STOP;
  }

  private async tryUntilAnswered(x: Exchange): Promise<void> {
    try {
      const cluster = x.cluster!;
      const retry = this.retryState(x);
      let exclude: EndpointConfig | undefined;
      for (;;) {
        const ep = cluster.pick(x.hashKey, exclude);
        if (!ep) {
          x.rec.flags = 'UH';
          localReply(x.res, x.rec, 503, 'no healthy upstream\n');
          return;
        }
        const timeout = retry.tryTimeout(Date.now());
        // The route timeout ran out during the backoff: Envoy answers 504 UT, not the drained answer.
        if (timeout <= 0) break;
        const key = endpointKey(ep);
        const attempt = this.start(x, retry, ep, key, timeout);
        const head = await attempt.head;
        const status = head.status ?? head.failure!.status;
        retry.settle(ep, status);
        if (x.clientGone) {
          release(cluster, ep, key);
          attempt.abort();
          return;
        }
        const grpc = x.rec.grpc ? grpcStatusOf(head.headers) : undefined;
        let verdict = retry.verdict(status, head.failure, grpc);
        const tee = x.body instanceof TeeBody ? x.body : undefined;
        if (verdict === ANSWER && grpc === undefined && status === 200 && heldForTrailers(x, retry)) {
          verdict = await this.trailerVerdict(attempt, retry);
          if (x.clientGone) {
            release(cluster, ep, key);
            attempt.abort();
            return;
          }
        }
        // A streamed body grown past what is kept for a retry cannot be sent again.
        if (verdict === RETRY && tee?.overflowed) verdict = ANSWER;
        if (verdict !== RETRY) {
          if (verdict === EXHAUSTED) x.rec.flags = addFlag(x.rec.flags, 'URX');
          else if (verdict === OVERFLOW) x.rec.flags = addFlag(x.rec.flags, 'UO');
          attempt.whenEnded(() => release(cluster, ep, key));
          x.head = head;
          x.upstream = ep;
          break;
        }
        release(cluster, ep, key);
        attempt.discard();
        tee?.detach();
        exclude = ep;
        await sleep(retry.backoffMs());
      }
      x.resume();
    } catch (err) {
      x.fail(err as Error);
    }
  }

  /** What becomes of a gRPC answer held back until its trailers (grpc/trailer-hold.ts): retried on their grpc-status, or passed on. */
  private async trailerVerdict(attempt: UpstreamAttempt, retry: RetryState): Promise<Verdict> {
    if (!(await holdForTrailers(attempt))) return ANSWER;
    const late = grpcStatusOf(attempt.trailerFields);
    return late === undefined ? ANSWER : retry.verdict(200, undefined, late);
  }

  /** The request's retry state; the route's deadline starts now: its timeout, or a gRPC client's grpc-timeout when that is sooner. */
  private retryState(x: Exchange): RetryState {
    const now = Date.now();
    const action = x.action;
    const grpcMs = x.rec.grpc ? grpcTimeoutMs(x.req.headers['grpc-timeout']) : undefined;
    const timeoutMs = Math.min(action.timeoutMs || Infinity, grpcMs ?? Infinity);
    x.deadline = now + timeoutMs;
    x.upstreamStart = now;
    return new RetryState(action.retries, x.cluster!, this.budget, this.outlier, x.replayable || x.body instanceof TeeBody, x.deadline);
  }

  /** Sends one try to `ep`, counted in flight there from now on. */
  private start(x: Exchange, retry: RetryState, ep: EndpointConfig, key: string, timeout: number): UpstreamAttempt {
    const cluster = x.cluster!;
    retry.begin();
    x.rec.attempts = retry.tries;
    cluster.active.set(key, (cluster.active.get(key) ?? 0) + 1);
    cluster.onStart?.(ep);
    this.telemetry?.attempt(x.rec, ep);
    const attempt = new UpstreamAttempt(timeout);
    x.attempt = attempt;
    const upgrade = x.req.upgrade !== undefined;
    const pool = this.pools.get(ep.address, ep.port, upgrade ? 'http1' : cluster.protocol, cluster.tls);
    pool.dispatch({ method: x.rr.method, path: x.path, headers: x.headers!, body: x.body, upgrade }, attempt);
    return attempt;
  }
}

/**
 * A gRPC call whose answer is held for its trailers: its route retries on a gRPC status with tries
 * left, and the call is unary-shaped (the client sent one message and ended, so it can be sent again).
 */
function heldForTrailers(x: Exchange, retry: RetryState): boolean {
  if (!x.rec.grpc || x.rec.requestMessages !== 1 || !retry.retriesOnGrpc) return false;
  const body = x.body;
  return body instanceof TeeBody ? body.complete && !body.overflowed : x.replayable;
}

/** The try to `ep` is over: no longer in flight there. */
function release(cluster: Cluster, ep: EndpointConfig, key: string): void {
  cluster.onEnd?.(ep);
  const n = (cluster.active.get(key) ?? 1) - 1;
  if (n <= 0) cluster.active.delete(key);
  else cluster.active.set(key, n);
}
