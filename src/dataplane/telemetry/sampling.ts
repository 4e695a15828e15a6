/**
 * The sampling decision of one hop, as Istio's proxies make it:
 *
 * - A decision the caller made travels with the trace and is kept (B3 debug
 *   forces sampling). This is how a trace begun at the gateway, or by an
 *   application's own SDK, continues through every hop.
 * - Without one, this hop decides at the configured rate (Istio's
 *   `meshConfig.defaultConfig.tracing.sampling`, 100% here by default) — but
 *   only when application governance is on for the project the request
 *   enters: at the gateway that is the destination's project, at a
 *   workload's outbound listener the workload's own project (its "sidecar").
 *   With governance off no new trace starts anywhere in the project, so
 *   turning it off stops new traces, while traces already begun continue.
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
