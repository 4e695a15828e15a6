/**
 * Spans from the real OpenTelemetry JS SDK (NodeTracerProvider with the
 * OTLP/HTTP JSON exporter and the protobuf one) arrive at the collector over
 * a real socket and join a trace the proxy started: the application
 * continues the `traceparent` the proxy sent it.
 *
 * @opentelemetry/api and @opentelemetry/resources come with the SDK (its peer
 * and its dependency); only the SDK and the exporters are dev dependencies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT, SpanKind, propagation, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { Store } from '../../src/controlplane/store.js';
import { Distributor } from '../../src/controlplane/distributor.js';
import { OpenApi } from '../../src/apiserver/openapi.js';
import { Telemetry } from '../../src/controlplane/telemetry/telemetry.js';
import { registerTelemetryRoutes } from '../../src/controlplane/routes/telemetry.js';

const TOKEN = 'test-token';

describe('spans from the OpenTelemetry SDK', () => {
  let dir: string;
  let store: Store;
  let telemetry: Telemetry;
  let app: FastifyInstance;
  let url = '';
  const distributor = new Distributor();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gm-otel-'));
    store = new Store(path.join(dir, 'graymesh.db'));
    store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'demo' }, spec: { ports: [{ port: 9080 }] } });
    telemetry = new Telemetry({ homeDir: dir, store, distributor, pollMs: 60_000, log: () => undefined });
    app = Fastify();
    // The server's bearer check, as buildServer installs it.
    app.addHook('onRequest', async (req, reply) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply.status(401).send({ error: { code: 'GM_ERR_UNAUTHORIZED', message: 'no' } });
    });
    registerTelemetryRoutes(app, new OpenApi(), { telemetry });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/traces`;
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });

  afterAll(async () => {
    await app.close();
    await telemetry.close();
    distributor.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The proxy's server span for the request that reached the application. */
  async function proxySpan(traceId: string, spanId: string): Promise<void> {
    const now = BigInt(Date.now()) * 1_000_000n;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'reviews' } }, { key: 'k8s.pod.name', value: { stringValue: 'reviews-v1-aaaaa-bbbbb' } }] },
            scopeSpans: [{ spans: [{ traceId, spanId, name: 'reviews.demo.svc.cluster.local:9080/*', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 9_000_000n) }] }],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
  }

  for (const [name, Exporter] of [
    ['OTLP/HTTP JSON', JsonExporter],
    ['OTLP/HTTP protobuf', ProtoExporter],
  ] as const) {
    it(`${name}: the application's span joins the proxy's trace`, async () => {
      const traceId = name.includes('JSON') ? '0af7651916cd43dd8448eb211c80319c' : '1af7651916cd43dd8448eb211c80319d';
      const proxySpanId = 'b7ad6b7169203331';
      await proxySpan(traceId, proxySpanId);

      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'reviews', 'service.version': 'v1', 'k8s.namespace.name': 'demo' }),
        spanProcessors: [new SimpleSpanProcessor(new Exporter({ url, headers: { Authorization: `Bearer ${TOKEN}` } }))],
      });
      const tracer = provider.getTracer('reviews-app');
      // What the application received from the proxy.
      const ctx = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${traceId}-${proxySpanId}-01` });
      const work = tracer.startSpan('load-reviews', { kind: SpanKind.INTERNAL, attributes: { 'db.rows': 3, cached: false } }, ctx);
      const child = tracer.startSpan('query', { kind: SpanKind.CLIENT }, trace.setSpan(ctx, work));
      child.end();
      work.end();
      await provider.forceFlush();
      await provider.shutdown();

      const spans = telemetry.spans.trace(traceId);
      expect(spans).toHaveLength(3);
      const app = spans.find((s) => s.operation === 'load-reviews');
      expect(app).toMatchObject({ parentSpanId: proxySpanId, service: 'reviews', kind: 'internal', namespace: 'demo' });
      expect(app?.tags).toMatchObject({ 'db.rows': 3, cached: false });
      expect(app?.resource['service.version']).toBe('v1');
      expect(spans.find((s) => s.operation === 'query')).toMatchObject({ parentSpanId: app?.spanId, kind: 'client' });
      // And it is found by the project's search, as one trace.
      const ids = telemetry.spans.findTraceIds({ namespace: 'demo', service: 'reviews', operation: 'load-reviews' });
      expect(ids).toContain(traceId);
    });
  }
});
