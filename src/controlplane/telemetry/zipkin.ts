/**
 * Zipkin v2 JSON spans (zipkin.io/zipkin-api, POST /api/v2/spans): a list of
 * spans with µs timestamps, localEndpoint.serviceName, string tags and
 * annotations. A 64-bit trace id is widened to 128 bits with leading zeros,
 * as Jaeger does, so it can share a trace with W3C ids.
 */
import { badRequest } from '../../api/errors.js';
import { namespaceOf, type Span, type SpanKind, type TagValue } from '../../telemetry/query/span.js';

export interface ZipkinSpan {
  traceId?: string;
  id?: string;
  parentId?: string;
  name?: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  timestamp?: number;
  duration?: number;
  localEndpoint?: { serviceName?: string; ipv4?: string; ipv6?: string; port?: number };
  remoteEndpoint?: { serviceName?: string; ipv4?: string; ipv6?: string; port?: number };
  tags?: Record<string, string>;
  annotations?: { timestamp?: number; value?: string }[];
  shared?: boolean;
  debug?: boolean;
}

function hexId(v: string | undefined, sizes: number[], what: string): string {
  if (!v) return '';
  const id = v.toLowerCase();
  if (!/^[0-9a-f]+$/.test(id) || id.length > (sizes.at(-1) as number)) throw badRequest(`${what}: "${v}" is not a hex id`);
  const size = sizes.find((s) => id.length <= s) as number;
  return id.padStart(size, '0');
}

export function spansFromZipkin(body: unknown): Span[] {
  if (!Array.isArray(body)) throw badRequest('body: a JSON array of Zipkin v2 spans is required');
  return (body as ZipkinSpan[]).map((z, i) => {
    if (!z || typeof z !== 'object') throw badRequest(`[${i}]: a span object is required`);
    const traceId = hexId(z.traceId, [32], `[${i}].traceId`).padStart(32, '0');
    const spanId = hexId(z.id, [16], `[${i}].id`);
    if (!traceId || !spanId) throw badRequest(`[${i}]: traceId and id are required`);
    const tags: Record<string, TagValue> = { ...(z.tags ?? {}) };
    // Zipkin marks a failed span with an `error` tag whatever its value.
    const error = z.tags?.error !== undefined;
    if (error) tags.error = true;
    if (z.remoteEndpoint?.serviceName) tags['peer.service'] = z.remoteEndpoint.serviceName;
    if (z.remoteEndpoint?.ipv4) tags['net.peer.ip'] = z.remoteEndpoint.ipv4;
    if (z.remoteEndpoint?.port) tags['net.peer.port'] = z.remoteEndpoint.port;
    const resource: Record<string, TagValue> = {};
    const service = z.localEndpoint?.serviceName || 'unknown_service';
    resource['service.name'] = service;
    if (z.localEndpoint?.ipv4) resource.ip = z.localEndpoint.ipv4;
    const kind: SpanKind = z.kind ? (z.kind.toLowerCase() as SpanKind) : 'unspecified';
    return {
      traceId,
      spanId,
      parentSpanId: hexId(z.parentId, [16], `[${i}].parentId`),
      service,
      operation: z.name ?? '',
      kind,
      startUs: Math.round(z.timestamp ?? 0),
      durationUs: Math.round(z.duration ?? 0),
      tags,
      resource,
      namespace: namespaceOf(tags, resource),
      error,
      events: (z.annotations ?? []).map((a) => ({ timeUs: Math.round(a.timestamp ?? 0), name: a.value ?? '', attributes: {} })),
    };
  });
}
