/**
 * Tracing at one hop, as Envoy sidecars at both ends of a call do it: read the
 * caller's context (W3C or B3), decide sampling (sampling.ts), give the hop a
 * client span (the source side: the calling workload, or the ingress gateway)
 * and a server span (the destination pod, child of the client span), and send
 * the server span's id upstream in every format. Spans are built from the
 * finished RequestRecord with Istio's span tags, written when the batch is
 * encoded (proxy-span.ts).
 */
import { performance } from 'node:perf_hooks';
import type { ConfigSnapshot, EndpointConfig } from '../../config/snapshot.js';
import { newSpanId, newTraceId } from '../../telemetry/ids.js';
import { UNKNOWN_PEER, type PeerMeta } from '../../telemetry/peer.js';
import { SpanKind, type AttributeValue, type Span } from '../../telemetry/span.js';
import { readTraceContext, writeTraceContext, type OutgoingTrace } from '../../telemetry/trace-context.js';
import type { HeaderMap } from '../hop-by-hop.js';
import type { RequestRecord } from '../request-record.js';
import type { RouteDecision, RouteRequest } from '../router.js';
import { parseGatewayHost } from '../service-registry.js';
import type { Peers } from './peers.js';
import { PeerSpans, ProxyHop, ProxySpan } from './proxy-span.js';
import type { RequestTelemetry } from './request-telemetry.js';
import { clampPercent, decideSampling, DEFAULT_SLOW_MS, DEFAULT_TRACES_PER_SECOND, keepAtTail, TraceBudget } from './sampling.js';

/** Whether Envoy's comma-separated response flags include `flag`. */
function hasFlag(flags: string, flag: string): boolean {
  return flags === flag || flags.split(',').includes(flag);
}

export interface TracerOptions {
  /** The node proxy's name: the `node` tag and `host.name`. */
  proxyName: string;
  peers: Peers;
  /** Sampling rate for new traces, 0-100, unless the snapshot sets one. */
  samplingPercent: number;
  /** New traces per second per service sampled at that rate, beyond which 1% are (sampling.ts); 0: no budget. Default 100. */
  tracesPerSecond?: number;
  /** An unsampled request that took this long (ms) keeps its spans; 0: none for being slow. Default 1000. */
  slowMs?: number;
  /** Receives the finished spans of sampled requests. */
  emit(span: Span): void;
}

export class Tracer implements RequestTelemetry {
  private governance = new Map<string, boolean>();
  private percent: number;
  private readonly budget: TraceBudget;
  private readonly slowMs: number;
  private readonly peers = new WeakMap<PeerMeta, PeerSpans>();
  private operations = new Map<string, string>();
  /** Reused for every injection: the proxy is single-threaded and writeTraceContext keeps no reference. */
  private readonly out: OutgoingTrace = { traceId: '', spanId: '', sampled: false };

  constructor(private readonly opts: TracerOptions) {
    this.percent = clampPercent(opts.samplingPercent);
    this.budget = new TraceBudget({ perSecond: opts.tracesPerSecond ?? DEFAULT_TRACES_PER_SECOND });
    this.slowMs = opts.slowMs ?? DEFAULT_SLOW_MS;
  }

  /** The sampling rate in force, 0-100. */
  get samplingPercent(): number {
    return this.percent;
  }

  /** Takes governance per project and the snapshot's sampling rate (the environment's when it sets none). */
  apply(snapshot: Pick<ConfigSnapshot, 'projects' | 'tracing'>): void {
    this.governance = new Map(snapshot.projects.map((p) => [p.name, p.governance]));
    const s = snapshot.tracing?.sampling;
    this.percent = clampPercent(typeof s === 'number' && Number.isFinite(s) ? s : this.opts.samplingPercent);
    this.operations = new Map();
    this.budget.reset();
  }

  begin(rec: RequestRecord, rr: RouteRequest, decision: RouteDecision): void {
    readTraceContext(rr.headers, rec);
    rec.sourcePeer = this.opts.peers.sourceOf(rr.source, rec.parentSpanId);
    if (rec.traceId === undefined) rec.traceId = newTraceId();
    const incoming = rec.sampled;
    const governed = this.governed(rr, decision);
    rec.traced = governed || incoming !== undefined || rec.debug === true;
    rec.sampled =
      incoming === undefined && !rec.debug && governed
        ? this.budget.sample(decision.kind === 'route' && decision.cluster ? decision.cluster.service : rr.host, this.percent)
        : decideSampling(incoming, rec.debug, governed, this.percent);
    rec.spanId = newSpanId();
    rec.serverSpanId = newSpanId();
  }

  inject(headers: HeaderMap, rec: RequestRecord): void {
    if (rec.traceId === undefined || rec.serverSpanId === undefined) return;
    const o = this.out;
    o.traceId = rec.traceId;
    o.spanId = rec.serverSpanId;
    o.parentSpanId = rec.spanId;
    o.sampled = rec.sampled === true;
    o.debug = rec.debug;
    o.tracestate = rec.tracestate;
    writeTraceContext(headers, o);
  }

  attempt(rec: RequestRecord, ep: EndpointConfig): void {
    if (rec.upstreamStartMs === undefined) rec.upstreamStartMs = performance.now() - rec.hrStart;
    rec.destinationPeer = this.opts.peers.endpoint(ep);
    if (rec.sampled && rec.serverSpanId !== undefined && ep.pod) this.opts.peers.remember(rec.serverSpanId, ep);
  }

  /**
   * Emits the spans of a finished request that was sampled, or that its project traces and that failed or was
   * slow (the tail decision): a client span, and a server span when an upstream pod got it.
   * The spans keep the record's fields (one ProxyHop); their tags are written when the batch is encoded.
   */
  finish(rec: RequestRecord): void {
    if (rec.traceId === undefined || rec.spanId === undefined) return;
    if (!rec.sampled && !(rec.traced && keepAtTail(rec.status, rec.flags, rec.durationMs, this.slowMs))) return;
    const hop = new ProxyHop(rec, rec.traceId, rec.spanId, this.operation(rec));
    const status = rec.status;
    this.opts.emit(new ProxySpan(SpanKind.CLIENT, hop, rec.startTime, this.peerSpans(rec.sourcePeer ?? UNKNOWN_PEER), status));
    const dest = rec.destinationPeer;
    // The destination's sidecar sees the request only if an attempt reached a pod (not a connect failure).
    if (!dest || dest === UNKNOWN_PEER || rec.upstreamStartMs === undefined || rec.serverSpanId === undefined || !rec.upstream) return;
    if (rec.upstreamStatus === undefined && hasFlag(rec.flags, 'UF')) return;
    this.opts.emit(new ProxySpan(SpanKind.SERVER, hop, rec.startTime + rec.upstreamStartMs, this.peerSpans(dest), rec.upstreamStatus ?? status));
  }

  /** Governance of the project the request enters: the calling workload's, or at the gateway the destination's. */
  private governed(rr: RouteRequest, decision: RouteDecision): boolean {
    if (rr.source.kind === 'outbound') return this.governance.get(rr.source.project) === true;
    const project = decision.kind === 'route' && decision.cluster ? decision.cluster.service.project : parseGatewayHost(rr.host)?.[1];
    return project !== undefined && this.governance.get(project) === true;
  }

  /** Istio's default operation name for proxy spans: `<service fqdn>:<port>/*`. */
  private operation(rec: RequestRecord): string {
    const cluster = rec.upstreamCluster;
    if (cluster === undefined || !cluster.startsWith('outbound|')) return `${rec.authority}/*`;
    let op = this.operations.get(cluster);
    if (op === undefined) {
      const parts = cluster.split('|');
      op = `${parts[3] ?? rec.destinationService ?? rec.authority}:${parts[1] ?? ''}/*`;
      this.operations.set(cluster, op);
    }
    return op;
  }

  /** One resource per peer (OpenTelemetry semantic conventions) and its span tags, shared by all its spans. */
  private peerSpans(peer: PeerMeta): PeerSpans {
    let p = this.peers.get(peer);
    if (!p) {
      const a: Record<string, AttributeValue> = {
        'service.name': peer.app !== UNKNOWN_PEER.app ? peer.app : peer.workload,
        'service.version': peer.version,
        'k8s.namespace.name': peer.namespace,
        'k8s.deployment.name': peer.workload,
        'host.name': this.opts.proxyName,
      };
      if (peer.pod !== undefined) a['k8s.pod.name'] = peer.pod;
      if (peer.pid !== undefined) a['process.pid'] = peer.pid;
      p = new PeerSpans(this.opts.proxyName, peer, { attributes: a });
      this.peers.set(peer, p);
    }
    return p;
  }
}
