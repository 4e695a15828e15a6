/**
 * Headers a workload copies from its incoming request onto every outbound call.
 *
 * The mesh proxies emit the spans, but only the application can tie an inbound
 * request to the outbound calls it causes, so it must pass these along (Istio,
 * "Trace context propagation":
 * https://istio.io/latest/docs/tasks/observability/distributed-tracing/overview/).
 * end-user, user-agent and cookie are forwarded so routing rules that match on
 * them (Bookinfo's `end-user: jason`) keep working at every hop.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Lower-case names of the headers every sample service forwards. */
export const FORWARDED_HEADERS = [
  'x-request-id',
  'traceparent',
  'tracestate',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'b3',
  'x-ot-span-context',
  'end-user',
  'user-agent',
  'cookie',
] as const;

/** Picks the forwarded headers present on `incoming` (repeated values joined as RFC 9110 §5.3 allows). */
export function forwardHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = incoming[name];
    if (value === undefined) continue;
    // Cookie lines are joined with "; " (RFC 6265 §5.4), everything else with ", ".
    out[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  }
  return out;
}
