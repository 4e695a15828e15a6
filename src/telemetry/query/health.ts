/**
 * Request health by Kiali's default tolerances (kiali.io, "Health
 * configuration"): 5xx from 0.1% degraded and above 10% failure; 4xx from 10%
 * degraded and from 20% failure; no traffic is idle.
 */

export type Health = 'healthy' | 'degraded' | 'failure' | 'idle';

const ORDER: Health[] = ['idle', 'healthy', 'degraded', 'failure'];

export function requestHealth(rps: number, rps4xx: number, rps5xx: number): Health {
  if (!(rps > 0)) return 'idle';
  const p5 = (rps5xx / rps) * 100;
  const p4 = (rps4xx / rps) * 100;
  if (p5 > 10 || p4 >= 20) return 'failure';
  if (p5 >= 0.1 || p4 >= 10) return 'degraded';
  return 'healthy';
}

/** The worse of two healths (idle counts as the best). */
export function worst(a: Health, b: Health): Health {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

/** Non-5xx share of requests, %; null without requests. */
export function successRate(rps: number, rps5xx: number): number | null {
  return rps > 0 ? (1 - rps5xx / rps) * 100 : null;
}
