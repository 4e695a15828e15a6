/**
 * Istio's standard metrics, counted by the proxy for every request it
 * handles, at both reporters (https://istio.io/latest/docs/reference/config/metrics/):
 *
 * - `source`: the outbound side, for every request — including those that
 *   never reached an upstream (no route, no healthy upstream, fault abort,
 *   overflow), whose destination labels come from the route and whose
 *   destination workload is "unknown", as Istio reports them.
 * - `destination`: the pod that served it, for requests an upstream answered,
 *   with the upstream's status and the time from forwarding to the last byte.
 *
 * Per request the work is a few Map lookups on objects resolved once per
 * listener and endpoint (source peer → destination peer → service →
 * status/flags) and in-place updates of counters and bucket arrays. A series
 * is created, with its labels and pre-rendered label text, the first time its
 * label set is seen; series are keyed by that text, so two routes to the same
 * labels share one.
 *
 * A mirror's copy of a request counts at the destination reporter only: the
 * caller's proxy reports the request it answered, the mirror's pod the copy.
 *
 * A gRPC series also counts the messages of its requests in each direction
 * (istio_request_messages_total, istio_response_messages_total), from the
 * counts the request path keeps in the record.
 *
 * Every byte stream is counted here, the one TCP recorder: a connection that
 * switched protocols (a WebSocket: one request with status 101 first), a
 * CONNECT tunnel (one request with status 200 first), and a TCP service's
 * connection (a gateway TCP port; no request at all). Its bytes are Istio's
 * TCP metrics (`istio_tcp_sent_bytes_total` upstream to client,
 * `..._received_bytes_total` client to upstream, connections opened and
 * closed), at both reporters, with Istio's TCP labels
 * (`request_protocol="tcp"`, no response code).
 */
import { ISTIO_DURATION_BUCKETS_MS, ISTIO_SIZE_BUCKETS, type IstioLabel, type StatSeries, type TcpStatSeries } from '../../telemetry/stats.js';
import { MESH_CLUSTER, UNKNOWN, UNKNOWN_PEER, type PeerMeta } from '../../telemetry/peer.js';
import { labelPairs } from '../../telemetry/prometheus-text.js';
import type { RequestRecord } from '../request-record.js';
import type { TunnelMeter } from '../tunnel.js';
import { CLUSTER_DOMAIN, parseGatewayHost, ServiceRegistry, stripPort } from '../service-registry.js';
import type { Peers } from './peers.js';

type Reporter = 'source' | 'destination';

/** Index of the bucket `v` falls in: the first bound ≥ v, else +Inf (bounds.length). */
export function bucketIndex(bounds: readonly number[], v: number): number {
  for (let i = 0; i < bounds.length; i++) if (v <= (bounds[i] as number)) return i;
  return bounds.length;
}

function cumulative(counts: Float64Array): number[] {
  const out = new Array<number>(counts.length);
  let sum = 0;
  for (let i = 0; i < counts.length; i++) out[i] = sum += counts[i] as number;
  return out;
}

/** One series: its labels, counters and per-bucket (non-cumulative) counts. */
class Series {
  requests = 0;
  durationSum = 0;
  requestBytesSum = 0;
  responseBytesSum = 0;
  requestMessages = 0;
  responseMessages = 0;
  readonly duration = new Float64Array(ISTIO_DURATION_BUCKETS_MS.length + 1);
  readonly requestBytes = new Float64Array(ISTIO_SIZE_BUCKETS.length + 1);
  readonly responseBytes = new Float64Array(ISTIO_SIZE_BUCKETS.length + 1);

  constructor(
    readonly labels: Partial<Record<IstioLabel, string>>,
    /** `name="value",...` as Prometheus prints them. */
    readonly labelText: string,
  ) {}

  observe(durationMs: number, rec: RequestRecord): void {
    const requestBytes = rec.bytesReceived;
    const responseBytes = rec.bytesSent;
    this.requests += 1;
    this.requestMessages += rec.requestMessages;
    this.responseMessages += rec.responseMessages;
    this.durationSum += durationMs;
    this.requestBytesSum += requestBytes;
    this.responseBytesSum += responseBytes;
    (this.duration[bucketIndex(ISTIO_DURATION_BUCKETS_MS, durationMs)] as number) += 1;
    (this.requestBytes[bucketIndex(ISTIO_SIZE_BUCKETS, requestBytes)] as number) += 1;
    (this.responseBytes[bucketIndex(ISTIO_SIZE_BUCKETS, responseBytes)] as number) += 1;
  }

  toStat(): StatSeries {
    return {
      labels: { ...this.labels },
      requests: this.requests,
      durationBuckets: cumulative(this.duration),
      durationSum: this.durationSum,
      requestBytesSum: this.requestBytesSum,
      responseBytesSum: this.responseBytesSum,
      requestBytesBuckets: cumulative(this.requestBytes),
      responseBytesBuckets: cumulative(this.responseBytes),
      ...(this.labels.request_protocol === 'grpc' ? { requestMessages: this.requestMessages, responseMessages: this.responseMessages } : {}),
    };
  }
}

/** The TCP counters of one label set. */
class TcpSeries {
  sentBytes = 0;
  receivedBytes = 0;
  opened = 0;
  closed = 0;

  constructor(
    readonly labels: Partial<Record<IstioLabel, string>>,
    readonly labelText: string,
  ) {}

  toStat(): TcpStatSeries {
    return { labels: { ...this.labels }, sentBytes: this.sentBytes, receivedBytes: this.receivedBytes, connectionsOpened: this.opened, connectionsClosed: this.closed };
  }
}

/** Counts one tunnel into its series at each reporter. */
class TcpMeter implements TunnelMeter {
  constructor(private readonly at: TcpSeries[]) {
    for (const s of at) s.opened += 1;
  }

  sent(bytes: number): void {
    for (const s of this.at) s.sentBytes += bytes;
  }

  received(bytes: number): void {
    for (const s of this.at) s.receivedBytes += bytes;
  }

  closed(): void {
    for (const s of this.at) s.closed += 1;
  }
}

/** Per destination service, per status and flags. */
type ByService = Map<string, Map<number, Series>>;

/** The destination service labels of a request that had no cluster: the host it asked for, qualified as Kubernetes DNS would. */
function serviceOfHost(rec: RequestRecord): [fqdn: string, name: string, namespace: string] {
  const host = stripPort(rec.authority).toLowerCase();
  const gw = rec.source.kind === 'gateway' ? parseGatewayHost(host) : undefined;
  const fqdn = gw ? `${gw[0]}.${gw[1]}.${CLUSTER_DOMAIN}` : rec.source.kind === 'outbound' ? ServiceRegistry.qualify(host, rec.source.project) : host;
  if (!fqdn.endsWith(`.${CLUSTER_DOMAIN}`)) return [fqdn || UNKNOWN, fqdn || UNKNOWN, UNKNOWN];
  const [name, ns] = fqdn.split('.');
  return [fqdn, name ?? UNKNOWN, ns ?? UNKNOWN];
}

export class IstioMetrics {
  /** Every series, by label text. */
  private readonly series = new Map<string, Series>();
  /** TCP series (byte streams), by label text. */
  private readonly tcpSeries = new Map<string, TcpSeries>();
  private readonly hot: Record<Reporter, WeakMap<PeerMeta, WeakMap<PeerMeta, ByService>>> = { source: new WeakMap(), destination: new WeakMap() };
  private readonly flagIds = new Map<string, number>();

  constructor(private readonly peers: Peers) {}

  /** Counts one finished request at both reporters (a RecordSink). */
  readonly record = (rec: RequestRecord): void => {
    const src = rec.sourcePeer ?? this.peers.source(rec.source);
    const dst = rec.destinationPeer ?? UNKNOWN_PEER;
    if (!rec.mirror) this.seriesFor('source', src, dst, rec, rec.status, rec.flags).observe(rec.durationMs, rec);
    if (rec.upstreamStatus !== undefined && dst !== UNKNOWN_PEER) {
      // The pod's own proxy would have seen none of the source side's flags but a downstream disconnect.
      const flags = rec.flags !== '-' && rec.flags.split(',').includes('DC') ? 'DC' : '-';
      const ms = rec.durationMs - (rec.upstreamStartMs ?? 0);
      this.seriesFor('destination', src, dst, rec, rec.upstreamStatus, flags).observe(ms, rec);
    }
  };

  /** A byte stream (switched protocols, a tunnel, a TCP service): its bytes counted at the source reporter, and at the destination's (the pod that took it). */
  tcp(rec: RequestRecord): TunnelMeter {
    const src = rec.sourcePeer ?? this.peers.source(rec.source);
    const dst = rec.destinationPeer ?? UNKNOWN_PEER;
    const at = [this.tcpSeriesFor('source', src, dst, rec)];
    if (dst !== UNKNOWN_PEER) at.push(this.tcpSeriesFor('destination', src, dst, rec));
    return new TcpMeter(at);
  }

  /** The TCP series, cumulative since start. */
  tcpStats(): TcpStatSeries[] {
    return [...this.tcpSeries.values()].map((s) => s.toStat());
  }

  /** Every series, cumulative since start, as `/stats/json` reports them. */
  stats(): StatSeries[] {
    return [...this.series.values()].map((s) => s.toStat());
  }

  /** Every series with its pre-rendered label text, for the Prometheus printer. */
  statsWithLabels(): { stats: StatSeries[]; labelText: (s: StatSeries) => string } {
    const texts = new Map<StatSeries, string>();
    const stats: StatSeries[] = [];
    for (const s of this.series.values()) {
      const st = s.toStat();
      texts.set(st, s.labelText);
      stats.push(st);
    }
    return { stats, labelText: (s) => texts.get(s) ?? labelPairs(s.labels) };
  }

  private seriesFor(reporter: Reporter, src: PeerMeta, dst: PeerMeta, rec: RequestRecord, status: number, flags: string): Series {
    let byDst = this.hot[reporter].get(src);
    if (!byDst) this.hot[reporter].set(src, (byDst = new WeakMap()));
    let bySvc = byDst.get(dst);
    if (!bySvc) byDst.set(dst, (bySvc = new Map()));
    // Without a cluster the service is the host asked for (a rare path: no route, missing subset).
    const svcKey = rec.destinationService ?? `\u0000${rec.authority}`;
    let byOutcome = bySvc.get(svcKey);
    if (!byOutcome) bySvc.set(svcKey, (byOutcome = new Map()));
    let flagId = this.flagIds.get(flags);
    if (flagId === undefined) this.flagIds.set(flags, (flagId = this.flagIds.size));
    // gRPC requests apart, by their grpc-status (17 values, and none).
    const grpc = rec.grpc ? (rec.grpcStatus ?? 17) + 1 : 0;
    const outcome = (status * 1_000_000 + flagId) * 32 + grpc;
    let s = byOutcome.get(outcome);
    if (!s) {
      s = this.create(reporter, src, dst, rec, status, flags);
      byOutcome.set(outcome, s);
    }
    return s;
  }

  private create(reporter: Reporter, src: PeerMeta, dst: PeerMeta, rec: RequestRecord, status: number, flags: string): Series {
    const labels = this.labels(reporter, src, dst, rec, rec.grpc ? 'grpc' : 'http', flags);
    labels.response_code = String(status);
    labels.grpc_response_status = rec.grpc && rec.grpcStatus !== undefined ? String(rec.grpcStatus) : '';
    const text = labelPairs(labels);
    let s = this.series.get(text);
    if (!s) this.series.set(text, (s = new Series(labels, text)));
    return s;
  }

  private tcpSeriesFor(reporter: Reporter, src: PeerMeta, dst: PeerMeta, rec: RequestRecord): TcpSeries {
    const labels = this.labels(reporter, src, dst, rec, 'tcp', '-');
    const text = labelPairs(labels);
    let s = this.tcpSeries.get(text);
    if (!s) this.tcpSeries.set(text, (s = new TcpSeries(labels, text)));
    return s;
  }

  /** The labels every series has: reporter, peers, destination service, protocol, flags and security policy. */
  private labels(reporter: Reporter, src: PeerMeta, dst: PeerMeta, rec: RequestRecord, protocol: string, flags: string): Partial<Record<IstioLabel, string>> {
    let fqdn = rec.destinationService;
    let name = rec.destinationServiceName;
    let ns = rec.destinationProject;
    if (fqdn === undefined) [fqdn, name, ns] = serviceOfHost(rec);
    const known = dst !== UNKNOWN_PEER;
    const labels: Partial<Record<IstioLabel, string>> = {
      reporter,
      source_workload: src.workload,
      source_workload_namespace: src.namespace,
      source_principal: UNKNOWN,
      source_app: src.app,
      source_version: src.version,
      source_cluster: MESH_CLUSTER,
      destination_workload: dst.workload,
      destination_workload_namespace: dst.namespace,
      destination_principal: UNKNOWN,
      destination_app: dst.app,
      destination_version: dst.version,
      destination_service: fqdn,
      destination_service_name: name ?? UNKNOWN,
      destination_service_namespace: ns || UNKNOWN,
      destination_cluster: known ? MESH_CLUSTER : UNKNOWN,
      request_protocol: protocol,
      response_flags: flags,
      // No mTLS between proxy and pods: Istio reports "none" at the destination and "unknown" at the source.
      connection_security_policy: reporter === 'destination' ? 'none' : UNKNOWN,
    };
    return labels;
  }
}
