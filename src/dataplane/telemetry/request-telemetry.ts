/**
 * What the proxy core asks of telemetry while a request runs. The executor
 * calls these at fixed points; the finished record then goes to the record
 * sinks (metrics, spans, access log). Without a RequestTelemetry the proxy
 * forwards trace headers untouched and records no trace fields.
 */
import type { ConfigSnapshot, EndpointConfig } from '../../config/snapshot.js';
import type { HeaderMap } from '../hop-by-hop.js';
import type { RequestRecord } from '../request-record.js';
import type { RouteDecision, RouteRequest } from '../router.js';
import type { TunnelMeter } from '../tunnel.js';

export interface RequestTelemetry {
  /** Once, as the request arrives and is routed: the source peer, and the trace context (continued or started, sampled or not). */
  begin(rec: RequestRecord, rr: RouteRequest, decision: RouteDecision): void;
  /** Writes the trace headers the upstream (and any mirror) receives, before the request is forwarded. */
  inject(headers: HeaderMap, rec: RequestRecord): void;
  /** An attempt to `ep` starts: the destination peer and the upstream start time. */
  attempt(rec: RequestRecord, ep: EndpointConfig): void;
  /** The request switched protocols (status 101 in `rec`): what counts the bytes of its tunnel. */
  tunnel?(rec: RequestRecord): TunnelMeter;
}

/** Telemetry as the node proxy wires it: the request hooks, a sink for finished records, and every snapshot the proxy accepted. */
export interface ProxyTelemetryHooks extends RequestTelemetry {
  readonly sink: (rec: RequestRecord) => void;
  apply(snapshot: ConfigSnapshot): void;
}
