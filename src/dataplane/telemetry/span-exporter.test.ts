import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpTraceRequest } from '../../telemetry/otlp-json.js';
import { SpanKind, type Span } from '../../telemetry/span.js';
import { SpanExporter } from './span-exporter.js';

const resource = { attributes: { 'service.name': 'reviews' } };

function span(i: number): Span {
  const id = (i + 1).toString(16).padStart(16, '0');
  return { traceId: `${id}${id}`, spanId: id, name: 'op', kind: SpanKind.SERVER, startMs: 1, endMs: 2, attributes: {}, error: false, resource };
}

interface Received {
  headers: IncomingHttpHeaders;
  body: OtlpTraceRequest;
}

const servers: Server[] = [];
const exporters: SpanExporter[] = [];

afterEach(async () => {
  await Promise.all(exporters.splice(0).map((e) => e.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A collector stand-in answering `status` to every POST. */
async function collector(status = 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraceRequest });
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, received };
}

function spansIn(received: Received[]): number {
  return received.reduce((n, r) => n + (r.body.resourceSpans ?? []).reduce((m, rs) => m + (rs.scopeSpans?.[0]?.spans?.length ?? 0), 0), 0);
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function exporter(opts: ConstructorParameters<typeof SpanExporter>[0]): SpanExporter {
  const e = new SpanExporter(opts);
  exporters.push(e);
  return e;
}

describe('SpanExporter', () => {
  it('sends a full batch at once, with the bearer token, without waiting for the interval', async () => {
    const c = await collector();
    const e = exporter({ url: c.url, token: 'secret', intervalMs: 60_000, batchSize: 4 });
    for (let i = 0; i < 4; i++) e.push(span(i));
    // The collector has the body before the exporter has read the answer: wait for the exporter's count.
    await until(() => e.stats.exported === 4, 'the batch');
    expect(spansIn(c.received)).toBe(4);
    expect(c.received[0]?.headers.authorization).toBe('Bearer secret');
    expect(c.received[0]?.headers['content-type']).toBe('application/json');
    expect(e.stats).toEqual({ exported: 4, dropped: 0, failedExports: 0 });
  });

  it('sends a partial batch on the interval', async () => {
    const c = await collector();
    const e = exporter({ url: c.url, intervalMs: 20, batchSize: 100 });
    e.push(span(0));
    await until(() => spansIn(c.received) === 1, 'the interval flush');
    expect(e.queued).toBe(0);
  });

  it('drops the oldest spans when the queue is full, and counts them', async () => {
    const c = await collector();
    const e = exporter({ url: c.url, intervalMs: 60_000, batchSize: 100, maxQueue: 3 });
    for (let i = 0; i < 5; i++) e.push(span(i));
    expect(e.stats.dropped).toBe(2);
    e.flush();
    await until(() => spansIn(c.received) === 3, 'the batch');
    const ids = c.received[0]?.body.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.map((s) => s.spanId);
    expect(ids).toEqual([span(2).spanId, span(3).spanId, span(4).spanId]);
  });

  it('counts failed exports (refused connection, non-2xx) and keeps going', async () => {
    const down = exporter({ url: 'http://127.0.0.1:1/v1/traces', intervalMs: 60_000, batchSize: 100 });
    down.push(span(0));
    down.flush();
    await until(() => down.stats.failedExports === 1, 'the failure');
    expect(down.stats).toEqual({ exported: 0, dropped: 1, failedExports: 1 });

    const c = await collector(500);
    const refusing = exporter({ url: c.url, intervalMs: 60_000, batchSize: 100 });
    refusing.push(span(0));
    refusing.flush();
    await until(() => refusing.stats.failedExports === 1, 'the 500');
    refusing.push(span(1));
    refusing.flush();
    await until(() => refusing.stats.failedExports === 2, 'the second 500');
  });

  it('sends batches of different sizes one after another, each whole and alone', async () => {
    const c = await collector();
    const e = exporter({ url: c.url, intervalMs: 60_000, batchSize: 1000 });
    const sizes = [40, 3, 40, 1, 200];
    let next = 0;
    for (const [k, n] of sizes.entries()) {
      const first = next;
      for (let i = 0; i < n; i++) e.push(span(next++));
      e.flush();
      await until(() => c.received.length === k + 1 && e.stats.exported === next, `batch ${k}`);
      const ids = c.received[k]?.body.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.map((s) => s.spanId);
      expect(ids).toEqual(Array.from({ length: n }, (_, i) => span(first + i).spanId));
    }
  });

  it('flushes what is queued on close', async () => {
    const c = await collector();
    const e = new SpanExporter({ url: c.url, intervalMs: 60_000, batchSize: 100 });
    e.push(span(0));
    e.push(span(1));
    await e.close();
    expect(spansIn(c.received)).toBe(2);
  });
});
