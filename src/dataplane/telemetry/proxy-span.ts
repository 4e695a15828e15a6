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
  readonly traceId: string;
  /** The client span's id and parent (the caller's span), and the server span's id. */
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly serverSpanId: string | undefined;
  /** The operation name of both spans. */
  readonly name: string;
  /** When the response ended, epoch ms: both spans end then. */
  readonly endMs: number;
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
  /** httpTags() of the last status asked. */
  private httpStatus = NaN;
  private httpText = '';
  /** requestTags(), once written. */
  private requestText: string | undefined;

  constructor(rec: RequestRecord, traceId: string, spanId: string, name: string) {
    this.traceId = traceId;
    this.spanId = spanId;
    this.parentSpanId = rec.parentSpanId;
    this.serverSpanId = rec.serverSpanId;
    this.name = name;
    this.endMs = rec.startTime + rec.durationMs;
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

  /**
   * Whether JSON writes every string here (ids, name, request fields) as it
   * is and every size is an integer: then the spans are written by templates.
   */
  plain(): boolean {
    if (this.plainText === undefined) {
      const { traceId, spanId, name, method, authority, path, protocol, flags, cluster, upstreamAddress, downstreamRemote } = this;
      const parentSpanId = this.parentSpanId ?? '';
      const serverSpanId = this.serverSpanId ?? '';
      const requestId = this.requestId ?? '';
      const userAgent = this.userAgent ?? '';
      const strings = [traceId, spanId, parentSpanId, serverSpanId, name, method, authority, path, protocol, flags, cluster, upstreamAddress, downstreamRemote, requestId, userAgent];
      this.plainText =
        strings.every((v) => typeof v === 'string') && Number.isInteger(this.requestSize) && Number.isInteger(this.responseSize) && isPlainJsonString(strings.join(''));
    }
    return this.plainText;
  }

  /**
   * The tags from http.method to component for `status`, each with a leading
   * comma, as JSON: written once for both spans of the hop (they share it
   * unless the upstream's status differs from the response's). Only when plain().
   */
  httpTags(status: number): string {
    if (status !== this.httpStatus) {
      this.httpText = flat(
        `,{"key":"http.method","value":{"stringValue":"${this.method}"}},{"key":"http.url","value":{"stringValue":"http://${this.authority}${this.path}"}},` +
          `{"key":"http.protocol","value":{"stringValue":"${this.protocol}"}},{"key":"http.status_code","value":{"intValue":"${status}"}},` +
          `{"key":"response_flags","value":{"stringValue":"${this.flags}"}},{"key":"request_size","value":{"intValue":"${this.requestSize}"}},` +
          `{"key":"response_size","value":{"intValue":"${this.responseSize}"}},{"key":"component","value":{"stringValue":"proxy"}}`,
      );
      this.httpStatus = status;
    }
    return this.httpText;
  }

  /** The x-request-id and user agent tags, when there are, each with a leading comma, as JSON. Only when plain(). */
  requestTags(): string {
    if (this.requestText === undefined) {
      this.requestText = flat(
        (this.requestId !== undefined ? `,{"key":"guid:x-request-id","value":{"stringValue":"${this.requestId}"}}` : '') +
          (this.userAgent !== undefined ? `,{"key":"user_agent","value":{"stringValue":"${this.userAgent}"}}` : ''),
      );
    }
    return this.requestText;
  }
}

/**
 * `s`, flattened: a string built by concatenation is a tree of its pieces
 * until something reads it as a whole; reading one character (V8) makes it one
 * piece, so the text shared by two spans is copied whole into each, not
 * walked piece by piece twice.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/**
 * A client span (the source side of a hop) or a server span (the pod's side).
 * Its attributes are Envoy's span tags, in this order: the peer's head, the
 * request's http tags, component, the peer's pod and pid, x-request-id, user
 * agent, error, upstream_cluster and peer.address.
 */
export class ProxySpan implements Span, OtlpJsonAttributes {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly endMs: number;
  readonly resource: SpanResource;
  readonly error: boolean;

  constructor(
    readonly kind: typeof SpanKind.CLIENT | typeof SpanKind.SERVER,
    private readonly hop: ProxyHop,
    readonly startMs: number,
    private readonly peerSpans: PeerSpans,
    /** http.status_code: the response's, or for a server span the upstream's. */
    private readonly status: number,
  ) {
    this.traceId = hop.traceId;
    if (kind === SpanKind.CLIENT) {
      this.spanId = hop.spanId;
      this.parentSpanId = hop.parentSpanId;
    } else {
      this.spanId = hop.serverSpanId as string;
      this.parentSpanId = hop.spanId;
    }
    this.name = hop.name;
    this.endMs = hop.endMs;
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

  otlpJsonAttributes(): string | undefined {
    const h = this.hop;
    if (!Number.isInteger(this.status) || !h.plain()) return undefined;
    // The same text keyValuesJson(this.attributes) gives, in as few pieces as possible.
    const p = this.peerSpans;
    const address = this.peerAddress;
    return (
      `${p.head}${h.httpTags(this.status)}${p.tail}${h.requestTags()}${this.error ? ',{"key":"error","value":{"boolValue":true}}' : ''}` +
      `,{"key":"upstream_cluster","value":{"stringValue":"${this.upstreamCluster}"}}` +
      (address !== undefined ? `,{"key":"peer.address","value":{"stringValue":"${address}"}}` : '')
    );
  }
}
