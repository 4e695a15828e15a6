/**
 * One finished request as the proxy saw it: what the access log prints and
 * what telemetry counts. Built once per request by the proxy core and handed
 * to every sink.
 */
import type { EndpointConfig } from '../config/snapshot.js';
import type { Source } from './router.js';

export interface RequestRecord {
  startTime: number;
  /** Duration from first byte in to last byte out, ms. */
  durationMs: number;
  /** Upstream service time (first attempt start to response headers), ms. */
  upstreamMs?: number;
  method: string;
  path: string;
  protocol: string;
  status: number;
  /** Envoy response flags: '-' or e.g. UH, UF, UO, NR, UT, FI, DI, URX. */
  flags: string;
  bytesReceived: number;
  bytesSent: number;
  authority: string;
  userAgent?: string;
  requestId?: string;
  forwardedFor?: string;
  source: Source;
  /** Destination service fqdn, when one was routed to. */
  destinationService?: string;
  destinationServiceName?: string;
  destinationProject?: string;
  /** The endpoint that answered (last attempt). */
  upstream?: EndpointConfig;
  upstreamCluster?: string;
  routeName?: string;
  attempts: number;
  downstreamRemote: string;
  downstreamLocal: string;
}

/** Envoy's / Istio's default text access-log line (Istio's `TEXT` format). */
export function formatAccessLog(r: RequestRecord): string {
  const q = (v: string | undefined): string => `"${v ?? '-'}"`;
  const upstreamHost = r.upstream ? `${r.upstream.address}:${r.upstream.port}` : '-';
  return (
    `[${new Date(r.startTime).toISOString()}] "${r.method} ${r.path} ${r.protocol}" ${r.status} ${r.flags} - ` +
    `${q(undefined)} ${r.bytesReceived} ${r.bytesSent} ${Math.round(r.durationMs)} ${r.upstreamMs !== undefined ? Math.round(r.upstreamMs) : '-'} ` +
    `${q(r.forwardedFor)} ${q(r.userAgent)} ${q(r.requestId)} ${q(r.authority)} ${q(upstreamHost)} ${r.upstreamCluster ?? '-'} - ` +
    `${r.downstreamLocal} ${r.downstreamRemote} - ${r.routeName ?? '-'}\n`
  );
}
