/**
 * The sampling decision of one hop.
 *
 * Head decision, when the request arrives:
 *
 * - A decision the caller made travels with the trace and is kept (B3 debug
 *   forces sampling). This is how a trace begun at the gateway, or by an
 *   application's own SDK, continues through every hop.
 * - Without one, a new trace starts only when application governance is on
 *   for the project the request enters: at the gateway that is the
 *   destination's project, at a workload's outbound listener the workload's
 *   own project (its "sidecar"). With governance off no new trace starts
 *   anywhere in the project, so turning it off stops new traces, while
 *   traces already begun continue.
 * - A new trace is sampled at the configured rate (Istio's
 *   `meshConfig.defaultConfig.tracing.sampling`, 100% by default), for up to
 *   `perSecond` new traces per second per service at this proxy (a token
 *   bucket holding one second's worth); beyond that budget, at
 *   `fallbackPercent` (1%), or the configured rate when it is lower. So at a
 *   person's or a tutorial's rates every trace is kept, and under load the
 *   span path costs a bounded amount whatever the request rate.
 *
 * Tail decision, when the response has ended: a hop whose request was not
 * sampled still keeps its spans when it failed (5xx, or an Envoy response
 * flag: no upstream, no route, reset, timeout, injected fault)
 * or took at least `slowMs`, unless its project does not trace (governance
 * off and no caller's context). The proxy sees status and duration before it
 * builds a span, so this costs nothing for the requests it drops; every hop
 * that saw the failure or the delay keeps its part of the trace.
 *
 * A request that is not sampled still carries a context downstream, with
 * the sampled flag off (as Envoy sends `x-b3-sampled: 0`), so later hops
 * respect the edge's decision instead of starting traces mid-way.
 */

/** The rate from GRAYMESH_TRACE_SAMPLING (0-100, default 100); malformed values fall back to the default. */
export function samplingFromEnv(value: string | undefined, fallback = 100): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? clampPercent(n) : fallback;
}

/** A non-negative number from the environment (GRAYMESH_TRACE_RATE_LIMIT, GRAYMESH_TRACE_SLOW_MS); malformed values fall back. */
export function nonNegativeFromEnv(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function clampPercent(n: number): number {
  return Math.min(100, Math.max(0, n));
}

/**
 * Whether this hop's spans are sampled. `incoming` is the caller's decision
 * (undefined when deferred or absent), `governed` whether governance is on
 * for the project, `percent` the rate, `random` a number in [0, 1).
 */
export function decideSampling(incoming: boolean | undefined, debug: boolean | undefined, governed: boolean, percent: number, random: number = Math.random()): boolean {
  if (debug) return true;
  if (incoming !== undefined) return incoming;
  if (!governed || percent <= 0) return false;
  return percent >= 100 || random * 100 < percent;
}

export interface TraceBudgetOptions {
  /** New traces per second per service kept at the configured rate; 0: no budget (the rate alone decides). */
  perSecond: number;
  /** The rate beyond the budget, 0-100 (1). */
  fallbackPercent?: number;
  /** The clock, ms (performance.now). */
  now?: () => number;
}

/** Default budget: new traces per second per service (GRAYMESH_TRACE_RATE_LIMIT). */
export const DEFAULT_TRACES_PER_SECOND = 100;
/** Default slow-request threshold for the tail decision, ms (GRAYMESH_TRACE_SLOW_MS). */
export const DEFAULT_SLOW_MS = 1000;

interface Bucket {
  tokens: number;
  atMs: number;
}

/** The per-service budget of new traces: a token bucket per service, refilled at `perSecond`, holding one second's worth. */
export class TraceBudget {
  private readonly buckets = new Map<unknown, Bucket>();
  private readonly fallback: number;
  private readonly now: () => number;

  constructor(private readonly opts: TraceBudgetOptions) {
    this.fallback = clampPercent(opts.fallbackPercent ?? 1);
    this.now = opts.now ?? (() => performance.now());
  }

  /**
   * Whether a new trace of `service` (any key: the routed service's config, or a host) is sampled at the configured `percent`:
   * at the rate within the budget, beyond it at the fallback (or the rate when lower).
   */
  sample(service: unknown, percent: number, random: number = Math.random()): boolean {
    if (percent <= 0 || (percent < 100 && random * 100 >= percent)) return false;
    const limit = this.opts.perSecond;
    if (limit <= 0) return true;
    const t = this.now();
    let b = this.buckets.get(service);
    if (b === undefined) {
      if (this.buckets.size >= 10_000) this.buckets.clear();
      b = { tokens: limit, atMs: t };
      this.buckets.set(service, b);
    } else {
      b.tokens = Math.min(limit, b.tokens + ((t - b.atMs) * limit) / 1000);
      b.atMs = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    // Beyond the budget: min(percent, fallback) of all new traces, given that `percent` already let this one through.
    return Math.random() * percent < Math.min(percent, this.fallback);
  }

  /** Forgets every service's bucket (a new snapshot names its services anew). */
  reset(): void {
    this.buckets.clear();
  }
}

/** The tail decision: whether an unsampled hop keeps its spans, from how it ended (status, Envoy's response flags, duration). */
export function keepAtTail(status: number, flags: string, durationMs: number, slowMs: number): boolean {
  return status >= 500 || flags !== '-' || (slowMs > 0 && durationMs >= slowMs);
}
