/**
 * The local engine's own telemetry routes, over the stores it keeps: span ingest (OTLP/HTTP
 * JSON and protobuf at /v1/traces, Zipkin v2 at /api/v2/spans), the Jaeger query API
 * (/api/services, /api/traces, ...) for Jaeger UI and Grafana, and /metrics for Prometheus. On a
 * cluster Jaeger and Prometheus serve these themselves. Graph, charts and trace search are the
 * shared routes (src/apiserver/routes/telemetry-queries.ts) over the same stores.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { badRequest } from '../../api/errors.js';
import type { OpenApi } from '../../apiserver/openapi.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { spansFromOtlp, type OtlpTraceRequest } from '../telemetry/otlp-json.js';
import { decodeOtlpProto } from '../telemetry/otlp-proto.js';
import { spansFromZipkin } from '../telemetry/zipkin.js';
import { envelope, jaegerTrace } from '../../telemetry/query/jaeger.js';
import { durations, limitOf, many, normalizeTraceId, one, rangeOf, tagsOf, type Query } from '../../telemetry/query/params.js';

/** What the routes need of the control plane. */
export interface TelemetryHost {
  telemetry: Telemetry;
}

const PROTOBUF = 'application/x-protobuf';

/** Decompresses gzip or deflate bodies (OTLP exporters may compress) and keeps Fastify's length check on the encoded bytes. */
function decompress(req: FastifyRequest, payload: Readable): Readable {
  const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (enc !== 'gzip' && enc !== 'deflate') return payload;
  const out = enc === 'gzip' ? createGunzip() : createInflate();
  let n = 0;
  payload.on('data', (c: Buffer) => {
    n += c.length;
    (out as unknown as { receivedEncodedLength: number }).receivedEncodedLength = n;
  });
  payload.on('error', (err) => out.destroy(err));
  return payload.pipe(out);
}

export function registerTelemetryRoutes(app: FastifyInstance, api: OpenApi, cp: TelemetryHost): void {
  const t = cp.telemetry;
  if (!app.hasContentTypeParser(PROTOBUF)) {
    app.addContentTypeParser(PROTOBUF, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  }

  // Ingest.
  app.post('/v1/traces', { preParsing: async (req, _reply, payload) => decompress(req, payload) }, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    const isProto = type === PROTOBUF;
    const body = isProto ? decodeOtlpProto(req.body as Buffer) : (req.body as OtlpTraceRequest);
    if (!isProto && type !== 'application/json') throw badRequest(`content-type ${type || '(none)'}: send application/json or ${PROTOBUF}`);
    await t.collector.ingest(spansFromOtlp(body));
    // ExportTraceServiceResponse: an empty message means full success.
    if (isProto) return reply.type(PROTOBUF).send(Buffer.alloc(0));
    return reply.type('application/json').send({ partialSuccess: {} });
  });
  api.add('post', '/v1/traces', 'OTLP/HTTP trace ingest (application/json or application/x-protobuf, gzip accepted)');

  app.post('/api/v2/spans', { preParsing: async (req, _reply, payload) => decompress(req, payload) }, async (req, reply) => {
    await t.collector.ingest(spansFromZipkin(req.body));
    return reply.status(202).send();
  });
  api.add('post', '/api/v2/spans', 'Zipkin v2 JSON span ingest');

  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await t.prometheusText()));
  api.add('get', '/metrics', "Every proxy's Istio metrics in Prometheus text format, for a Prometheus to scrape");

  // Jaeger's query API.
  app.get('/api/services', async () => {
    const services = t.spans.services();
    return envelope(services, services.length);
  });
  api.add('get', '/api/services', 'Jaeger query API: services with spans');

  app.get('/api/services/:service/operations', async (req) => {
    const ops = [...new Set(t.spans.operations((req.params as { service: string }).service).map((o) => o.name))];
    return envelope(ops, ops.length);
  });
  api.add('get', '/api/services/:service/operations', "Jaeger query API: a service's operation names");

  app.get('/api/operations', async (req) => {
    const q = req.query as Query;
    const service = one(q, 'service');
    if (!service) throw badRequest('service: required');
    const kind = one(q, 'spanKind');
    const ops = t.spans
      .operations(service)
      .filter((o) => !kind || o.kind === kind)
      .map((o) => ({ name: o.name, spanKind: o.kind === 'unspecified' ? '' : o.kind }));
    return envelope(ops, ops.length);
  });
  api.add('get', '/api/operations', "Jaeger query API: a service's operations with span kinds", true, ['service', 'spanKind']);

  app.get('/api/dependencies', async (req) => {
    const q = req.query as Query;
    const lookback = Number(one(q, 'lookback') ?? 3_600_000);
    if (!Number.isFinite(lookback) || lookback <= 0) throw badRequest('lookback: milliseconds, e.g. 3600000');
    const deps = await t.dependencies(lookback);
    return envelope(deps, deps.length);
  });
  api.add('get', '/api/dependencies', 'Jaeger query API: calls between services (System Architecture)', true, ['endTs', 'lookback']);

  app.get('/api/traces', async (req) => {
    const q = req.query as Query;
    const service = one(q, 'service');
    const operation = one(q, 'operation');
    const tagsJson = one(q, 'tags');
    let tags: Record<string, string> = tagsOf(many(q, 'tag'), ':');
    if (tagsJson) {
      try {
        const parsed = JSON.parse(tagsJson) as Record<string, unknown>;
        tags = { ...tags, ...Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)])) };
      } catch {
        throw badRequest(`tags: ${tagsJson} is not a JSON object like {"error":"true"}`);
      }
    }
    const limit = limitOf(q, 20);
    const ids = t.spans.findTraceIds({
      ...(service ? { service } : {}),
      ...(operation ? { operation } : {}),
      tags,
      ...durations(q),
      ...rangeOf(q),
      limit,
    });
    const traces = t.spans.traces(ids);
    const data = ids.map((id) => jaegerTrace(id, traces.get(id) ?? []));
    return envelope(data, data.length, limit);
  });
  api.add('get', '/api/traces', 'Jaeger query API: trace search', true, ['service', 'operation', 'tags', 'minDuration', 'maxDuration', 'start', 'end', 'lookback', 'limit']);

  app.get('/api/traces/:id', async (req, reply) => {
    const id = normalizeTraceId((req.params as { id: string }).id);
    const spans = t.spans.trace(id);
    if (spans.length === 0) return reply.status(404).send({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
    return envelope([jaegerTrace(id, spans)], 1);
  });
  api.add('get', '/api/traces/:id', 'Jaeger query API: one trace');
}
