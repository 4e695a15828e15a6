/**
 * One finished request as the proxy saw it: what the access log prints and
 * what telemetry counts. Built once per request by the proxy core and handed
 * to every sink.
 */
import { performance } from 'node:perf_hooks';
import type { EndpointConfig } from '../config/snapshot.js';
import type { PeerMeta } from '../telemetry/peer.js';
import type { TraceFields } from '../telemetry/trace-context.js';
import type { DownstreamRequest } from './downstream.js';
import { isGrpc } from './grpc/status.js';
import type { RouteRequest, Source } from './router.js';

/**
 * The trace fields (TraceFields: traceId, parentSpanId = the caller's span,
 * sampled, debug, tracestate) are filled when the request arrives, before
 * anything is forwarded; the proxy's own spans get `spanId` (client, source
 * side) and `serverSpanId` (server, destination side, the id the upstream sees).
 */
export interface RequestRecord extends TraceFields {
  /** Arrival, epoch ms with a fractional part (microseconds). */
  startTime: number;
  /** Arrival on the monotonic clock (performance.now()): durations are measured from it, with sub-ms precision. */
  hrStart: number;
  /** Duration from first byte in to last byte out, ms (fractional). */
  durationMs: number;
  /** When the first upstream attempt started, ms after arrival; absent when nothing was sent upstream. */
  upstreamStartMs?: number;
  /** The status the upstream answered (last attempt); absent when no upstream answered (local reply, connect failure, timeout). */
  upstreamStatus?: number;
  /** Whether the request's project traces it (governance on, or a caller's trace context): an unsampled one is kept when it fails or is slow. */
  traced: boolean;
  /** The client span's id: the source side of this hop (the gateway or the calling workload). */
  spanId?: string;
  /** The server span's id: the destination side, child of `spanId`; the upstream sees it as its parent. */
  serverSpanId?: string;
  /** The calling side: the gateway, or the listener's workload (its pod when known). */
  sourcePeer?: PeerMeta;
  /** The pod of the last attempt's endpoint, once an attempt started. */
  destinationPeer?: PeerMeta;
  /** Upstream service time (first attempt start to response headers), ms. */
  upstreamMs?: number;
  method: string;
  path: string;
  protocol: string;
  /** A gRPC request (Content-Type application/grpc...): Istio's request_protocol "grpc". */
  grpc: boolean;
  /** The answer's grpc-status (from its head or its trailers), for a gRPC request that got one. */
  grpcStatus: number | undefined;
  /** gRPC messages (5-byte length prefixes) the client sent, and the upstream answered to it; 0 for other requests. */
  requestMessages: number;
  responseMessages: number;
  status: number;
  /** Envoy response flags: '-' or e.g. UH, UF, UO, NR, UT, FI, DI, URX. */
  flags: string;
  /** Response code details of a reply the flag alone does not explain (a REGISTRY_ONLY refusal). */
  details?: string | undefined;
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
  /** A mirror's copy of a request (Host `-shadow`): counted at the destination reporter only, as the mirror's own proxy would. */
  mirror: boolean;
  downstreamRemote: string;
  downstreamLocal: string;
}

/** %PROTOCOL% by the request's HTTP version. */
const PROTOCOLS: Record<string, string> = { '1.1': 'HTTP/1.1', '1.0': 'HTTP/1.0', '2': 'HTTP/2' };

/** The record of a request as it arrives. Every field is set here, absent ones as undefined, so all records share one shape. */
export function openRecord(req: Pick<DownstreamRequest, 'headers' | 'socket' | 'httpVersion'>, rr: RouteRequest): RequestRecord {
  const h = req.headers;
  const socket = req.socket;
  const cl = h['content-length'];
  const hr = performance.now();
  return {
    // Sub-millisecond, on the same clock as hrStart: a hop's spans start after their parent's.
    startTime: performance.timeOrigin + hr,
    hrStart: hr,
    durationMs: 0,
    upstreamStartMs: undefined,
    upstreamStatus: undefined,
    traceId: undefined,
    parentSpanId: undefined,
    sampled: undefined,
    debug: undefined,
    tracestate: undefined,
    traced: false,
    spanId: undefined,
    serverSpanId: undefined,
    sourcePeer: undefined,
    destinationPeer: undefined,
    upstreamMs: undefined,
    method: rr.method,
    path: rr.path,
    protocol: PROTOCOLS[req.httpVersion] ?? 'HTTP/1.0',
    grpc: isGrpc(h['content-type']),
    grpcStatus: undefined,
    requestMessages: 0,
    responseMessages: 0,
    status: 0,
    flags: '-',
    details: undefined,
    bytesReceived: cl === undefined ? 0 : Number(cl) || 0,
    bytesSent: 0,
    authority: rr.authority,
    userAgent: h['user-agent'],
    requestId: h['x-request-id'] as string | undefined,
    forwardedFor: h['x-forwarded-for'] as string | undefined,
    source: rr.source,
    destinationService: undefined,
    destinationServiceName: undefined,
    destinationProject: undefined,
    upstream: undefined,
    upstreamCluster: undefined,
    routeName: undefined,
    attempts: 0,
    mirror: false,
    downstreamRemote: `${socket.remoteAddress ?? '-'}:${socket.remotePort ?? 0}`,
    downstreamLocal: `${socket.localAddress ?? '-'}:${socket.localPort ?? 0}`,
  };
}

/**
 * %RESPONSE_CODE_DETAILS% by Envoy's names (StreamInfo::ResponseCodeDetails) for the replies the
 * proxy makes itself, keyed by the first response flag; an upstream's answer is `via_upstream`.
 */
const CODE_DETAILS: Record<string, string> = {
  NC: 'cluster_not_found',
  NR: 'route_not_found',
  UH: 'no_healthy_upstream',
  UT: 'response_timeout',
  UF: 'upstream_reset_before_response_started{connection_failure}',
  UC: 'upstream_reset_before_response_started{connection_termination}',
  UO: 'upstream_reset_before_response_started{overflow}',
  FI: 'fault_filter_abort',
  DC: 'downstream_remote_disconnect',
};

function responseCodeDetails(r: RequestRecord): string {
  if (r.details !== undefined) return r.details;
  const flags = r.flags;
  if (flags !== '-') {
    const comma = flags.indexOf(',');
    const local = CODE_DETAILS[comma < 0 ? flags : flags.slice(0, comma)];
    if (local && !(flags.startsWith('UO') && r.upstream)) return local;
  }
  return r.upstream && r.status > 0 ? 'via_upstream' : '-';
}

/** `000`, `001`, ... `999`: milliseconds as toISOString writes them. */
const MILLIS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** toISOString() of the last second asked, up to the milliseconds: `2024-05-01T12:00:00.`. */
let isoSecond = NaN;
let isoPrefix = '';

/** `new Date(ms).toISOString()`, with the date and time of day formatted once per second. */
function isoTime(ms: number): string {
  const t = Math.trunc(ms);
  // Outside the range of dates (or not a number) Date throws, as it did.
  if (!(Math.abs(t) <= 8.64e15)) return new Date(ms).toISOString();
  let millis = t % 1000;
  if (millis < 0) millis += 1000;
  const second = (t - millis) / 1000;
  if (second !== isoSecond) {
    isoPrefix = new Date(t - millis).toISOString().slice(0, -4);
    isoSecond = second;
  }
  return `${isoPrefix}${MILLIS[millis] as string}Z`;
}

/**
 * Istio's default text access-log line (meshConfig accessLogFormat unset: EnvoyTextLogFormat,
 * https://istio.io/latest/docs/tasks/observability/logs/access-log/#default-access-log-format).
 * Fields graymesh has no value for (connection termination details, transport failure reason,
 * upstream local address, SNI) print `-` as Envoy prints an unset field.
 */
export function formatAccessLog(r: RequestRecord): string {
  const up = r.upstream;
  return (
    `[${isoTime(r.startTime)}] "${r.method} ${r.path} ${r.protocol}" ${r.status} ${r.flags} ${responseCodeDetails(r)} - "-" ` +
    `${r.bytesReceived} ${r.bytesSent} ${Math.round(r.durationMs)} ${r.upstreamMs !== undefined ? Math.round(r.upstreamMs) : '-'} ` +
    `"${r.forwardedFor ?? '-'}" "${r.userAgent ?? '-'}" "${r.requestId ?? '-'}" "${r.authority ?? '-'}" "${up ? `${up.address}:${up.port}` : '-'}" ${r.upstreamCluster ?? '-'} - ` +
    `${r.downstreamLocal} ${r.downstreamRemote} - ${r.routeName ?? '-'}\n`
  );
}

/** Hands a finished record to every sink; a sink that throws never fails the request or connection. */
export function reportRecord(rec: RequestRecord, sinks: readonly ((r: RequestRecord) => void)[]): void {
  for (const sink of sinks) {
    try {
      sink(rec);
    } catch {
      // a sink never fails a request
    }
  }
}
