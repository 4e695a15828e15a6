/**
 * The data plane's telemetry over real sockets: a NodeProxy with its
 * ProxyTelemetry, real workload pods (productpage calling reviews through its
 * outbound listener and forwarding the trace headers, as Bookinfo does), a
 * tiny HTTP server standing in for the control plane's OTLP collector, and
 * the admin stats endpoints.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/objects.js';
import type { ConfigSnapshot, EndpointConfig } from '../../src/config/snapshot.js';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import { handleStatsRequest } from '../../src/dataplane/telemetry/admin-stats.js';
import { ProxyTelemetry } from '../../src/dataplane/telemetry/proxy-telemetry.js';
import type { OtlpAnyValue, OtlpTraceRequest } from '../../src/telemetry/otlp-json.js';
import type { StatsSnapshot } from '../../src/telemetry/stats.js';
import { forwardHeaders } from '../../samples/lib/forward-headers.js';
import { freePort } from '../helpers/instance.js';
import { hasPromtool, parseExposition, promtoolCheck, samples } from '../helpers/prometheus-text.js';

const PROJECT = 'demo';
const PROXY = 'node-1';
const TOKEN = 'test-token';

/** A span as the collector stand-in received it, flattened. */
interface Got {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  service: string;
  tags: Record<string, string | number | boolean>;
  resource: Record<string, string | number | boolean>;
  start: number;
  end: number;
  error: boolean;
}

const closers: (() => Promise<void>)[] = [];
const spans: Got[] = [];
const authorizations = new Set<string | undefined>();
let proxy: NodeProxy;
let telemetry: ProxyTelemetry;
let adminPort: number;
let listenerPort: number;
const pods: Record<string, EndpointConfig> = {};

function value(v: OtlpAnyValue): string | number | boolean {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.doubleValue ?? '';
}

function attrs(kvs: { key: string; value: OtlpAnyValue }[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((kvs ?? []).map((kv) => [kv.key, value(kv.value)]));
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server: Server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return (server.address() as AddressInfo).port;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** GET through a proxy port; `absolute` sends the absolute-form target an HTTP_PROXY client sends. */
function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      void readBody(res).then((body) => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What a reviews pod answers: who it is and the trace headers it got. */
interface ReviewsReply {
  pod: string;
  headers: IncomingHttpHeaders;
}

interface PageReply {
  pod: string;
  reviews: ReviewsReply;
}

function endpoint(pod: string, app: string, port: number, pid: number): EndpointConfig {
  const ep: EndpointConfig = { pod, project: PROJECT, workload: `${app}-v1`, labels: { app, version: 'v1' }, address: '127.0.0.1', port, ready: true, pid };
  pods[pod] = ep;
  return ep;
}

const faultVs: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'ratings', namespace: PROJECT, creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: {
    hosts: ['ratings'],
    http: [
      { match: [{ headers: { 'x-fault': { exact: 'abort' } } }], fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }, route: [{ destination: { host: 'ratings' } }] },
      { route: [{ destination: { host: 'ratings' } }] },
    ],
  },
};

let endpoints: EndpointConfig[] = [];

function snapshot(version: number, governance: boolean): ConfigSnapshot {
  return {
    version,
    gatewayPort: 0,
    projects: [{ name: PROJECT, governance }],
    services: ['productpage', 'reviews', 'ratings'].map((name) => ({ project: PROJECT, name, ports: [{ name: 'http', port: 9080 }], selector: { app: name } })),
    endpoints,
    listeners: [{ project: PROJECT, workload: 'productpage-v1', labels: { app: 'productpage', version: 'v1' }, port: listenerPort }],
    virtualServices: [faultVs],
    destinationRules: [],
    gateways: [],
    serviceEntries: [],
  };
}

async function until<T>(probe: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const traceOf = (id: string): Got[] => spans.filter((s) => s.traceId === id);

/**
 * Waits until every span finished so far has reached the collector: the exporter sends its queue in order, one
 * request at a time, so once a trace begun now has arrived, anything queued before it has too.
 */
async function exportedSoFar(): Promise<void> {
  const marker = randomBytes(16).toString('hex');
  await get(listenerPort, 'http://reviews:9080/reviews/0', { host: 'reviews:9080', traceparent: `00-${marker}-${'cd'.repeat(8)}-01` });
  await until(() => (traceOf(marker).length >= 2 ? true : undefined), `the marker trace ${marker}`);
}
const page = (headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> =>
  get(proxy.gatewayPort, '/productpage', { host: `productpage.${PROJECT}.localhost`, ...headers });

beforeAll(async () => {
  // The collector stand-in: OTLP/HTTP JSON at /v1/traces.
  const collectorPort = await serve((req, res) => {
    void readBody(req).then((text) => {
      authorizations.add(req.headers.authorization);
      const body = JSON.parse(text) as OtlpTraceRequest;
      for (const rs of body.resourceSpans ?? []) {
        const resource = attrs(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId,
              name: s.name,
              kind: s.kind,
              service: String(resource['service.name']),
              tags: attrs(s.attributes),
              resource,
              start: Number(BigInt(s.startTimeUnixNano) / 1000n),
              end: Number(BigInt(s.endTimeUnixNano) / 1000n),
              error: s.status?.code === 2,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  listenerPort = await freePort();
  // reviews: answers with its pod name and the headers it received.
  const reviewsPort = await serve((req, res) => {
    void readBody(req).then(() => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pod: 'reviews-v1-r1', headers: req.headers }));
    });
  });
  // productpage: calls reviews through its outbound listener, forwarding the trace headers.
  const productpage = (pod: string) => async (req: IncomingMessage, res: ServerResponse) => {
    await readBody(req);
    const r = await get(listenerPort, 'http://reviews:9080/reviews/0', { ...forwardHeaders(req.headers), host: 'reviews:9080' });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pod, reviews: JSON.parse(r.body) as ReviewsReply }));
  };
  const ppA = await serve((req, res) => void productpage('productpage-v1-a')(req, res));
  const ppB = await serve((req, res) => void productpage('productpage-v1-b')(req, res));
  endpoints = [endpoint('productpage-v1-a', 'productpage', ppA, 1001), endpoint('productpage-v1-b', 'productpage', ppB, 1002), endpoint('reviews-v1-r1', 'reviews', reviewsPort, 2001)];

  telemetry = new ProxyTelemetry({ proxyName: PROXY, export: { url: `http://127.0.0.1:${collectorPort}/v1/traces`, token: TOKEN, intervalMs: 25 } });
  proxy = new NodeProxy({ gatewayPort: 0, telemetry });
  await proxy.start();
  await proxy.apply(snapshot(1, true));
  closers.unshift(async () => {
    await proxy.close();
    await telemetry.close();
  });
  adminPort = await serve((req, res) => {
    if (!handleStatsRequest(telemetry, req, res)) res.writeHead(404).end();
  });
});

afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('tracing through gateway → productpage → (outbound listener) → reviews', () => {
  it('yields one trace of four spans, correctly parented, each naming its pod', async () => {
    const seenPods = new Set<string>();
    // Four page loads: round-robin over both productpage pods, so the calling pod must be told apart per trace.
    for (let i = 0; i < 4; i++) {
      const r = await page();
      expect(r.status).toBe(200);
      const reply = JSON.parse(r.body) as PageReply;
      seenPods.add(reply.pod);
      const tp = String(reply.reviews.headers.traceparent);
      const traceId = tp.split('-')[1] as string;
      const trace = await until(() => (traceOf(traceId).length >= 4 ? traceOf(traceId) : undefined), `4 spans of trace ${traceId}`);
      expect(trace).toHaveLength(4);

      const root = trace.find((s) => s.parentSpanId === undefined);
      expect(root).toMatchObject({ kind: 3, service: 'istio-ingressgateway', name: `productpage.${PROJECT}.svc.cluster.local:9080/*` });
      const s1 = trace.find((s) => s.parentSpanId === root?.spanId);
      const c2 = trace.find((s) => s.parentSpanId === s1?.spanId);
      const s2 = trace.find((s) => s.parentSpanId === c2?.spanId);
      expect(s1).toMatchObject({ kind: 2, service: 'productpage' });
      expect(c2).toMatchObject({ kind: 3, service: 'productpage', name: `reviews.${PROJECT}.svc.cluster.local:9080/*` });
      expect(s2).toMatchObject({ kind: 2, service: 'reviews' });

      // Each span names its pod: the gateway is this proxy; the calling productpage pod is the one that served s1.
      expect(root?.tags).toMatchObject({ pod: PROXY, node: PROXY, workload: 'istio-ingressgateway', pid: process.pid });
      expect(s1?.tags).toMatchObject({ pod: reply.pod, pid: pods[reply.pod]?.pid, workload: 'productpage-v1', version: 'v1' });
      expect(c2?.tags).toMatchObject({ pod: reply.pod, pid: pods[reply.pod]?.pid, workload: 'productpage-v1' });
      expect(s2?.tags).toMatchObject({ pod: 'reviews-v1-r1', pid: 2001, workload: 'reviews-v1', node: PROXY });
      expect(s2?.resource).toMatchObject({ 'service.name': 'reviews', 'k8s.pod.name': 'reviews-v1-r1', 'k8s.namespace.name': PROJECT, 'process.pid': 2001 });

      // The upstream saw the server span as its parent, in every format, one trace id.
      const h = reply.reviews.headers;
      expect(h.traceparent).toBe(`00-${traceId}-${s2?.spanId}-01`);
      expect(h['x-b3-traceid']).toBe(traceId);
      expect(h['x-b3-spanid']).toBe(s2?.spanId);
      expect(h['x-b3-parentspanid']).toBe(c2?.spanId);
      expect(h['x-b3-sampled']).toBe('1');
      expect(h.b3).toBe(`${traceId}-${s2?.spanId}-1-${c2?.spanId}`);

      // Envoy's tags, and one x-request-id over the whole trace (Bookinfo forwards it).
      const guid = root?.tags['guid:x-request-id'];
      expect(guid).toMatch(/^[0-9a-f-]{36}$/);
      for (const s of trace) {
        expect(s.tags).toMatchObject({ 'guid:x-request-id': guid, component: 'proxy', 'http.method': 'GET', 'http.status_code': 200, response_flags: '-' });
        expect(s.error).toBe(false);
        expect(s.tags.error).toBeUndefined();
      }
      expect(root?.tags.upstream_cluster).toBe(`outbound|9080||productpage.${PROJECT}.svc.cluster.local`);
      expect(s2?.tags.upstream_cluster).toMatch(/^inbound\|\d+\|\|$/);
      expect(c2?.tags['http.url']).toBe('http://reviews:9080/reviews/0');
      expect(c2?.tags['peer.address']).toBe(`127.0.0.1:${pods['reviews-v1-r1']?.port}`);

      // Children start within their parents.
      expect(s1!.start).toBeGreaterThanOrEqual(root!.start);
      expect(c2!.start).toBeGreaterThanOrEqual(s1!.start);
      expect(s2!.end).toBeLessThanOrEqual(root!.end);
    }
    expect(seenPods).toEqual(new Set(['productpage-v1-a', 'productpage-v1-b']));
    expect(authorizations).toEqual(new Set([`Bearer ${TOKEN}`]));
  });

  it('records a fault abort as an errored client span with flag FI and no server span', async () => {
    const r = await get(listenerPort, 'http://ratings:9080/ratings/0', { host: 'ratings:9080', 'x-fault': 'abort', traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` });
    expect(r.status).toBe(418);
    const trace = await until(() => (traceOf('ab'.repeat(16)).length ? traceOf('ab'.repeat(16)) : undefined), 'the fault span');
    await exportedSoFar();
    expect(traceOf('ab'.repeat(16))).toHaveLength(1);
    expect(trace[0]).toMatchObject({ kind: 3, parentSpanId: 'cd'.repeat(8), service: 'productpage' });
    expect(trace[0]?.tags).toMatchObject({ response_flags: 'FI', 'http.status_code': 418 });
  });

  it('marks a 503 with no healthy upstream as an error', async () => {
    const r = await get(proxy.gatewayPort, '/', { host: `ratings.${PROJECT}.localhost`, 'x-b3-traceid': 'ef'.repeat(8), 'x-b3-spanid': '12'.repeat(8), 'x-b3-sampled': '1' });
    expect(r.status).toBe(503);
    const [span] = await until(() => (traceOf(`0000000000000000${'ef'.repeat(8)}`).length ? traceOf(`0000000000000000${'ef'.repeat(8)}`) : undefined), 'the UH span');
    expect(span).toMatchObject({ error: true, service: 'istio-ingressgateway' });
    expect(span?.tags).toMatchObject({ error: true, response_flags: 'UH', 'http.status_code': 503 });
  });

  it('starts no trace with governance off, but continues a trace already begun', async () => {
    await proxy.apply(snapshot(2, false));
    try {
      const r = await page();
      const reply = JSON.parse(r.body) as PageReply;
      const tp = String(reply.reviews.headers.traceparent);
      // Still propagated, with the decision not to sample, so no later hop starts a trace of its own.
      expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      expect(reply.reviews.headers['x-b3-sampled']).toBe('0');

      const begun = '0af7651916cd43dd8448eb211c80319c';
      await page({ traceparent: `00-${begun}-b7ad6b7169203331-01` });
      const trace = await until(() => (traceOf(begun).length >= 4 ? traceOf(begun) : undefined), 'the continued trace');
      expect(trace.find((s) => s.service === 'istio-ingressgateway')?.parentSpanId).toBe('b7ad6b7169203331');
      // The continued trace was queued after the unsampled page: had that page emitted spans, they would be here.
      expect(traceOf(tp.split('-')[1] as string)).toEqual([]);
    } finally {
      await proxy.apply(snapshot(3, true));
    }
  });

  it('samples at the snapshot’s rate: 0% starts no trace even with governance on', async () => {
    await proxy.apply({ ...snapshot(4, true), tracing: { sampling: 0 } });
    try {
      const r = await page();
      const tp = String((JSON.parse(r.body) as PageReply).reviews.headers.traceparent);
      expect(tp.endsWith('-00')).toBe(true);
    } finally {
      await proxy.apply(snapshot(5, true));
    }
  });
});

describe('metrics at the admin endpoints', () => {
  it('answers /stats/prometheus with both reporters and Istio labels, accepted by promtool', async (ctx) => {
    // Every request the earlier tests made is counted; make sure there is some traffic.
    await page();
    const r = await get(adminPort, '/stats/prometheus', {});
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const e = parseExposition(r.body);
    const edge = { source_workload: 'istio-ingressgateway', destination_workload: 'productpage-v1', response_code: '200' };
    const src = samples(e, 'istio_requests_total', { ...edge, reporter: 'source' });
    const dst = samples(e, 'istio_requests_total', { ...edge, reporter: 'destination' });
    expect(src).toHaveLength(1);
    expect(src[0]?.value).toBeGreaterThanOrEqual(8);
    expect(dst[0]?.value).toBe(src[0]?.value);
    expect(src[0]?.labels).toMatchObject({
      source_workload_namespace: 'istio-system',
      destination_service: `productpage.${PROJECT}.svc.cluster.local`,
      destination_service_name: 'productpage',
      destination_app: 'productpage',
      destination_version: 'v1',
      request_protocol: 'http',
      response_flags: '-',
      source_cluster: 'Kubernetes',
    });
    const inner = samples(e, 'istio_requests_total', { reporter: 'source', source_workload: 'productpage-v1', source_app: 'productpage', destination_workload: 'reviews-v1' });
    expect(inner[0]?.value).toBeGreaterThanOrEqual(8);
    // Requests that never reached a pod: the fault abort and no healthy upstream, destination unknown, source reporter only.
    expect(samples(e, 'istio_requests_total', { response_flags: 'FI', response_code: '418', destination_workload: 'unknown', destination_service_name: 'ratings' })).toHaveLength(1);
    expect(samples(e, 'istio_requests_total', { response_flags: 'UH', reporter: 'source', source_workload: 'istio-ingressgateway' })).toHaveLength(1);
    expect(samples(e, 'istio_requests_total', { response_flags: 'UH', reporter: 'destination' })).toHaveLength(0);
    const count = samples(e, 'istio_request_duration_milliseconds_count', { ...edge, reporter: 'source' })[0]?.value;
    expect(count).toBe(src[0]?.value);
    expect(samples(e, 'istio_request_duration_milliseconds_bucket', { ...edge, reporter: 'source', le: '+Inf' })[0]?.value).toBe(count);
    expect(samples(e, 'graymesh_proxy_spans_exported_total')[0]?.value).toBeGreaterThan(0);

    if (!hasPromtool()) {
      ctx.skip('promtool not installed: apt-get install -y prometheus to run this check');
      return;
    }
    const check = promtoolCheck(r.body);
    expect(check.code, check.output).not.toBe(1);
    expect(check.problems, check.output).toEqual([]);
  });

  it('answers /stats/json with the StatsSnapshot contract', async () => {
    const r = await get(adminPort, '/stats/json', {});
    expect(r.headers['content-type']).toBe('application/json');
    const snap = JSON.parse(r.body) as StatsSnapshot;
    expect(snap.proxy).toBe(PROXY);
    expect(snap.startMs).toBeLessThanOrEqual(snap.timeMs);
    const s = snap.series.find((x) => x.labels.reporter === 'destination' && x.labels.destination_workload === 'reviews-v1');
    expect(s?.durationBuckets).toHaveLength(20);
    expect(s?.durationBuckets.at(-1)).toBe(s?.requests);
    expect(s?.responseBytesBuckets?.at(-1)).toBe(s?.requests);
    expect(s?.responseBytesSum).toBeGreaterThan(0);
    expect(snap.tracing).toMatchObject({ dropped: 0, failedExports: 0 });
  });
});
