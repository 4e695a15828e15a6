/**
 * Resolves the two sides of a request to telemetry's PeerMeta, once per
 * listener and once per endpoint (cached on the config objects, which a new
 * snapshot replaces), so a request costs a WeakMap lookup.
 *
 * A workload's outbound listener does not say which of its pods is calling.
 * The proxy learns it from the trace: the call carries the span id of the
 * server span under which the proxy delivered the pod its own request, and
 * `remember` keeps which pod got which server span. Failing that, a workload
 * with a single pod names that pod.
 */
import type { ConfigSnapshot, EndpointConfig } from '../../config/snapshot.js';
import { GATEWAY_NAMESPACE, GATEWAY_WORKLOAD, UNKNOWN, UNKNOWN_PEER, type PeerMeta } from '../../telemetry/peer.js';
import type { Source } from '../router.js';

/** Server spans remembered per generation; two generations are kept (at most twice this many entries). */
const ATTRIBUTION_GENERATION = 8192;

export class Peers {
  /** The gateway as a peer: Istio's ingress gateway, served by this process. */
  readonly gateway: PeerMeta;
  private readonly bySource = new WeakMap<Source, PeerMeta>();
  private readonly byEndpoint = new WeakMap<EndpointConfig, PeerMeta>();
  private podsByWorkload = new Map<string, EndpointConfig[]>();
  private current = new Map<string, EndpointConfig>();
  private previous = new Map<string, EndpointConfig>();

  constructor(proxyName: string, pid: number = process.pid) {
    this.gateway = Object.freeze({ workload: GATEWAY_WORKLOAD, namespace: GATEWAY_NAMESPACE, app: GATEWAY_WORKLOAD, version: UNKNOWN, pod: proxyName, pid });
  }

  /** Indexes the snapshot's pods by workload (for single-pod attribution). */
  apply(snapshot: Pick<ConfigSnapshot, 'endpoints'>): void {
    const pods = new Map<string, EndpointConfig[]>();
    for (const ep of snapshot.endpoints) {
      const key = `${ep.project}/${ep.workload}`;
      const list = pods.get(key);
      if (list) list.push(ep);
      else pods.set(key, [ep]);
    }
    this.podsByWorkload = pods;
  }

  /** The workload behind a listener (or the gateway). */
  source(source: Source): PeerMeta {
    if (source.kind === 'gateway') return this.gateway;
    let peer = this.bySource.get(source);
    if (!peer) {
      const pods = this.podsByWorkload.get(`${source.project}/${source.workload}`);
      peer =
        pods?.length === 1
          ? this.endpoint(pods[0] as EndpointConfig)
          : { workload: source.workload, namespace: source.project, app: source.labels.app ?? UNKNOWN, version: source.labels.version ?? UNKNOWN };
      this.bySource.set(source, peer);
    }
    return peer;
  }

  /**
   * The calling pod of a request from `source` whose caller span is `parentSpanId`,
   * when the proxy delivered that span to one of the workload's pods; else source().
   */
  sourceOf(source: Source, parentSpanId: string | undefined): PeerMeta {
    if (source.kind === 'outbound' && parentSpanId !== undefined) {
      const ep = this.current.get(parentSpanId) ?? this.previous.get(parentSpanId);
      if (ep && ep.workload === source.workload && ep.project === source.project) return this.endpoint(ep);
    }
    return this.source(source);
  }

  /** The pod behind an endpoint; a passthrough destination (no pod) is unknown. */
  endpoint(ep: EndpointConfig): PeerMeta {
    if (!ep.pod) return UNKNOWN_PEER;
    let peer = this.byEndpoint.get(ep);
    if (!peer) {
      peer = { workload: ep.workload || UNKNOWN, namespace: ep.project || UNKNOWN, app: ep.labels.app ?? UNKNOWN, version: ep.labels.version ?? UNKNOWN, pod: ep.pod, pid: ep.pid };
      this.byEndpoint.set(ep, peer);
    }
    return peer;
  }

  /** Remembers that the server span `spanId` was delivered to `ep`. */
  remember(spanId: string, ep: EndpointConfig): void {
    if (this.current.size >= ATTRIBUTION_GENERATION) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(spanId, ep);
  }
}
