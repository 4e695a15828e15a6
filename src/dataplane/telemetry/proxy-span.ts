/**
 * The spans the proxy emits, as the request left them: finish() copies the
 * few fields a span needs from the RequestRecord, and Envoy's span tags are
 * built only when the batch is encoded (OtlpJsonAttributes), off the request
 * path. The tags of one peer (node, workload, version, namespace, app, pod,
 * pid) are written once per peer and shared by all its spans.
 */
import { isPlainJsonString, keyValuesJson, type OtlpJsonAttributes } from '../../telemetry/otlp-json.js';
import type { PeerMeta } from '../../telemetry/peer.js';
import { SpanKind, type AttributeValue, type Span, type SpanResource } from '../../telemetry/span.js';
import type { RequestRecord } from '../request-record.js';

/** One peer as its spans show it: the resource, and its tags pre-written as OTLP JSON. */
export class PeerSpans {
  /** node, workload, version, istio.namespace, istio.canonical_service. */
  readonly head: string;
  /** pod and pid, when known, each with a leading comma. */
  readonly tail: string;

  constructor(
    readonly node: string,
    readonly peer: PeerMeta,
    readonly resource: SpanResource,
  ) {
    this.head = keyValuesJson({ node, workload: peer.workload, version: peer.version, 'istio.namespace': peer.namespace, 'istio.canonical_service': peer.app });
    const tail: Record<string, AttributeValue> = {};
    if (peer.pod !== undefined) tail.pod = peer.pod;
    if (peer.pid !== undefined) tail.pid = peer.pid;
    const t = keyValuesJson(tail);
    this.tail = t === '' ? '' : `,${t}`;
  }
}

/**
 * The request's fields its spans show, copied once from the finished
 * RequestRecord and shared by the hop's client and server span.
 */
export class ProxyHop {
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  readonly protocol: string;
  readonly flags: string;
  readonly requestSize: number;
  readonly responseSize: number;
  readonly requestId: string | undefined;
  readonly userAgent: string | undefined;
  /** The client span's upstream_cluster. */
  readonly cluster: string;
  /** Whether an upstream answered: its address and port. */
  readonly upstream: boolean;
  readonly upstreamAddress: string;
  readonly upstreamPort: number;
  readonly downstreamRemote: string;
  /** plain(), once known. */
  private plainText: boolean | undefined;

  constructor(rec: RequestRecord) {
    this.method = rec.method;
    this.authority = rec.authority;
    this.path = rec.path;
    this.protocol = rec.protocol;
    this.flags = rec.flags;
    this.requestSize = rec.bytesReceived;
    this.responseSize = rec.bytesSent;
    this.requestId = rec.requestId;
    this.userAgent = rec.userAgent;
    this.cluster = rec.upstreamCluster ?? '-';
    const up = rec.upstream;
    this.upstream = up !== undefined;
    this.upstreamAddress = up ? up.address : '';
    this.upstreamPort = up ? up.port : 0;
    this.downstreamRemote = rec.downstreamRemote;
  }

  /** Whether every string here is written by JSON as it is and every size is an integer: the spans' fast path. */
  plain(): boolean {
    if (this.plainText === undefined) {
      const { method, authority, path, protocol, flags, cluster, upstreamAddress, downstreamRemote } = this;
      const requestId = this.requestId ?? '';
      const userAgent = this.userAgent ?? '';
      this.plainText =
        typeof method === 'string' &&
        typeof authority === 'string' &&
        typeof path === 'string' &&
        typeof protocol === 'string' &&
        typeof flags === 'string' &&
        typeof requestId === 'string' &&
        typeof userAgent === 'string' &&
        typeof cluster === 'string' &&
        typeof upstreamAddress === 'string' &&
        typeof downstreamRemote === 'string' &&
        Number.isInteger(this.requestSize) &&
        Number.isInteger(this.responseSize) &&
        isPlainJsonString(`${method}${authority}${path}${protocol}${flags}${requestId}${userAgent}${cluster}${upstreamAddress}${downstreamRemote}`);
    }
    return this.plainText;
  }
}

/**
 * A client span (the source side of a hop) or a server span (the pod's side).
 * Its attributes are Envoy's span tags, in this order: the peer's head, the
 * request's http tags, component, the peer's pod and pid, x-request-id, user
 * agent, error, upstream_cluster and peer.address.
 */
export class ProxySpan implements Span, OtlpJsonAttributes {
  readonly resource: SpanResource;
  readonly error: boolean;

  constructor(
    readonly kind: SpanKind,
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | undefined,
    readonly name: string,
    readonly startMs: number,
    readonly endMs: number,
    private readonly peerSpans: PeerSpans,
    /** http.status_code: the response's, or for a server span the upstream's. */
    private readonly status: number,
    private readonly hop: ProxyHop,
  ) {
    this.resource = peerSpans.resource;
    this.error = status >= 500;
  }

  /** upstream_cluster: the route's cluster for a client span, `inbound|<port>||` for a server span. */
  private get upstreamCluster(): string {
    return this.kind === SpanKind.CLIENT ? this.hop.cluster : `inbound|${this.hop.upstreamPort}||`;
  }

  /** peer.address: the upstream's for a client span (when one answered), the caller's for a server span. */
  private get peerAddress(): string | undefined {
    const h = this.hop;
    if (this.kind !== SpanKind.CLIENT) return h.downstreamRemote;
    return h.upstream ? `${h.upstreamAddress}:${h.upstreamPort}` : undefined;
  }

  /** The tags as an object (what otlpJsonAttributes() writes). */
  get attributes(): Record<string, AttributeValue> {
    const peer = this.peerSpans.peer;
    const h = this.hop;
    const t: Record<string, AttributeValue> = {
      node: this.peerSpans.node,
      workload: peer.workload,
      version: peer.version,
      'istio.namespace': peer.namespace,
      'istio.canonical_service': peer.app,
      'http.method': h.method,
      'http.url': `http://${h.authority}${h.path}`,
      'http.protocol': h.protocol,
      'http.status_code': this.status,
      response_flags: h.flags,
      request_size: h.requestSize,
      response_size: h.responseSize,
      component: 'proxy',
    };
    if (peer.pod !== undefined) t.pod = peer.pod;
    if (peer.pid !== undefined) t.pid = peer.pid;
    if (h.requestId !== undefined) t['guid:x-request-id'] = h.requestId;
    if (h.userAgent !== undefined) t.user_agent = h.userAgent;
    if (this.error) t.error = true;
    t.upstream_cluster = this.upstreamCluster;
    const address = this.peerAddress;
    if (address !== undefined) t['peer.address'] = address;
    return t;
  }

  otlpJsonAttributes(): string {
    const h = this.hop;
    if (!Number.isInteger(this.status) || !h.plain()) return keyValuesJson(this.attributes);
    // The same text keyValuesJson(this.attributes) gives, in as few pieces as possible.
    const p = this.peerSpans;
    const address = this.peerAddress;
    return (
      `${p.head},{"key":"http.method","value":{"stringValue":"${h.method}"}},{"key":"http.url","value":{"stringValue":"http://${h.authority}${h.path}"}},` +
      `{"key":"http.protocol","value":{"stringValue":"${h.protocol}"}},{"key":"http.status_code","value":{"intValue":"${this.status}"}},` +
      `{"key":"response_flags","value":{"stringValue":"${h.flags}"}},{"key":"request_size","value":{"intValue":"${h.requestSize}"}},` +
      `{"key":"response_size","value":{"intValue":"${h.responseSize}"}},{"key":"component","value":{"stringValue":"proxy"}}${p.tail}` +
      (h.requestId !== undefined ? `,{"key":"guid:x-request-id","value":{"stringValue":"${h.requestId}"}}` : '') +
      (h.userAgent !== undefined ? `,{"key":"user_agent","value":{"stringValue":"${h.userAgent}"}}` : '') +
      (this.error ? ',{"key":"error","value":{"boolValue":true}}' : '') +
      `,{"key":"upstream_cluster","value":{"stringValue":"${this.upstreamCluster}"}}` +
      (address !== undefined ? `,{"key":"peer.address","value":{"stringValue":"${address}"}}` : '')
    );
  }
}
