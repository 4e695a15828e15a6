/**
 * The retry state of one request, after Envoy's RetryStateImpl: how many
 * tries it may make (1 + retries.attempts when its body can be sent again),
 * each try's timeout (perTryTimeout within what is left of the route's
 * timeout), whether an answer is retried (Envoy's retry-on conditions and
 * the cluster's retry budget), the backoff before the next try, and outlier
 * detection told of every answer.
 */
import type { EndpointConfig } from '../../config/snapshot.js';
import { GRPC_RETRY_ON } from '../grpc/status.js';
import type { OutlierDetector } from '../outlier.js';
import type { Cluster, RetryPolicy } from '../policy.js';
import type { AttemptFailure } from '../upstream-attempt.js';

/** Try again, after the backoff. */
export const RETRY = 0;
/** Pass this answer on. */
export const ANSWER = 1;
/** Pass it on: it was retriable but no tries are left (flag URX). */
export const EXHAUSTED = 2;
/** Pass it on: the cluster's retry budget cannot take one more retry (flag UO). */
export const OVERFLOW = 3;
export type Verdict = typeof RETRY | typeof ANSWER | typeof EXHAUSTED | typeof OVERFLOW;

/** Retries in flight per cluster, held to its connectionPool maxRetries (Envoy's retry circuit breaker). */
export class RetryBudget {
  private readonly inFlight = new WeakMap<Cluster, number>();

  add(c: Cluster): void {
    this.inFlight.set(c, (this.inFlight.get(c) ?? 0) + 1);
  }

  remove(c: Cluster): void {
    this.inFlight.set(c, (this.inFlight.get(c) ?? 1) - 1);
  }

  full(c: Cluster): boolean {
    return (this.inFlight.get(c) ?? 0) >= (c.connectionPool?.maxRetries ?? Infinity);
  }
}

export class RetryState {
  /** Tries started so far. */
  tries = 0;
  readonly maxTries: number;

  constructor(
    private readonly policy: RetryPolicy | undefined,
    private readonly cluster: Cluster,
    private readonly budget: RetryBudget,
    private readonly outlier: OutlierDetector,
    replayable: boolean,
    /** The route's deadline, epoch ms (Infinity without a timeout). */
    private readonly deadline: number,
  ) {
    this.maxTries = 1 + (replayable ? (policy?.attempts ?? 0) : 0);
  }

  /** The next try's timeout, ms: the per-try timeout within what is left of the route's; 0 or less once that has run out. */
  tryTimeout(now: number): number {
    const remaining = this.deadline - now;
    if (remaining <= 0) return remaining;
    return Math.min(this.policy?.perTryTimeoutMs ?? Infinity, remaining);
  }

  /** A try starts; a retry counts against the cluster's budget until it settles. */
  begin(): void {
    if (this.tries > 0) this.budget.add(this.cluster);
    this.tries++;
  }

  /** The try to `ep` settled with `status` (the answer's, or a local failure's 503/504): outlier detection hears of it. */
  settle(ep: EndpointConfig, status: number): void {
    if (this.tries > 1) this.budget.remove(this.cluster);
    this.outlier.record(this.cluster, ep, status);
  }

  /**
   * What becomes of the settled try's answer, decided before it is drained since it may be
   * the one sent (Envoy's RetryStateImpl::shouldRetry).
   */
  verdict(status: number, failure: AttemptFailure | undefined, grpcStatus?: number): Verdict {
    const policy = this.policy;
    if (this.maxTries === 1 || policy === undefined || !shouldRetry(policy, status, failure, grpcStatus)) return ANSWER;
    if (this.tries >= this.maxTries) return EXHAUSTED;
    if (this.budget.full(this.cluster)) return OVERFLOW;
    return RETRY;
  }

  /** Another try may follow an answer whose grpc-status retryOn names (a gRPC condition is on, tries are left). */
  get retriesOnGrpc(): boolean {
    const on = this.policy?.retryOn;
    if (on === undefined || this.tries >= this.maxTries) return false;
    for (const condition of GRPC_RETRY_ON.keys()) if (on.has(condition)) return true;
    return false;
  }

  /** The wait before the next try: 25 ms doubling per retry up to 250 ms (Envoy's default base and cap), times 0.5-1.5 for jitter. */
  backoffMs(random = Math.random()): number {
    return Math.min(250, 25 * 2 ** (this.tries - 1)) * (0.5 + random);
  }
}

/**
 * Envoy's retry-on conditions (x-envoy-retry-on and x-envoy-retry-grpc-on), as Istio passes retryOn
 * through: for an answer's status, its grpc-status (read from the head, a trailers-only answer, as
 * Envoy reads it: trailers come after the head has gone to the client), or a local failure.
 */
export function shouldRetry(
  p: Pick<RetryPolicy, 'retryOn' | 'retriableStatusCodes'>,
  status: number,
  failure: Pick<AttemptFailure, 'kind'> | undefined,
  grpcStatus?: number,
): boolean {
  const on = p.retryOn;
  if (failure) {
    const k = failure.kind;
    if (on.has('5xx') || on.has('gateway-error')) return true;
    if (k === 'connect' && (on.has('connect-failure') || on.has('reset'))) return true;
    if (k === 'reset' && on.has('reset')) return true;
    if (k === 'timeout' && on.has('reset')) return true;
    return false;
  }
  if (grpcStatus !== undefined) {
    for (const [condition, code] of GRPC_RETRY_ON) if (code === grpcStatus && on.has(condition)) return true;
  }
  if (on.has('5xx') && status >= 500) return true;
  if (on.has('gateway-error') && (status === 502 || status === 503 || status === 504)) return true;
  if (on.has('retriable-4xx') && status === 409) return true;
  if (p.retriableStatusCodes.has(status) && (on.has('retriable-status-codes') || p.retriableStatusCodes.size > 0)) return true;
  return false;
}
