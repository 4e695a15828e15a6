/**
 * The node proxy's per-request telemetry work, in-process: Bookinfo-shaped
 * requests (a gateway request to productpage, then productpage → details,
 * productpage → reviews, reviews → ratings through outbound listeners, trace
 * headers forwarded as Bookinfo does, tracing at 100%) fed through the
 * ProxyTelemetry hooks in the executor's order, the record sink, the span
 * exporter's batch encoding and the access log (the line alone, and the
 * sink with its batching and file writes). Prints ns per request for each
 * part.
 *
 *   npm run build && node dist/bench/telemetry-hot.js [--baseline DIR] [--rounds N] [--reps N] [--chunks N]
 *
 * Each round measures each implementation in a process of its own (`--child`,
 * which also serves to profile one: `node --cpu-prof dist/bench/telemetry-hot.js
 * --child`), `--reps` repetitions of `--chunks` chunks of 1024 requests after
 * a warm-up; figures are the median over the rounds of each round's median.
 * `--baseline DIR` measures another checkout's implementation (its dist/, or
 * its src/ when this runs from source under tsx) beside this one, the rounds
 * alternating which goes first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConfigSnapshot, EndpointConfig } from '../src/config/snapshot.js';
import { compileRouter } from '../src/dataplane/compile-router.js';
import type { HeaderMap } from '../src/dataplane/hop-by-hop.js';
import type { RequestRecord } from '../src/dataplane/request-record.js';
import type { RouteDecision, RouteRequest, Source } from '../src/dataplane/router.js';
import * as currentAccessLog from '../src/dataplane/access-log.js';
import * as currentRecord from '../src/dataplane/request-record.js';
import * as currentTelemetry from '../src/dataplane/telemetry/proxy-telemetry.js';

interface Impl {
  label: string;
  ProxyTelemetry: typeof currentTelemetry.ProxyTelemetry;
  formatAccessLog: typeof currentRecord.formatAccessLog;
  AccessLog: typeof currentAccessLog.AccessLog;
}

const PROJECT = 'demo';
const PROXY = 'node-1';
/** Requests per chunk: one span batch (≈ 2 spans a request). */
const CHUNK = 1024;

interface Options {
  baseline?: string;
  rounds: number;
  reps: number;
  chunks: number;
  /** Child mode: measure one implementation (this tree, or the checkout named) and print its figures as JSON. */
  child?: string;
}

function args(): Options {
  const a = process.argv.slice(2);
  const val = (name: string): string | undefined => {
    const i = a.indexOf(name);
    return i >= 0 ? a[i + 1] : undefined;
  };
  const baseline = val('--baseline');
  const child = a.includes('--child') ? (val('--child') ?? '') : undefined;
  return {
    ...(baseline ? { baseline: path.resolve(baseline) } : {}),
    ...(child !== undefined ? { child: child.startsWith('--') ? '' : child } : {}),
    rounds: Number(val('--rounds') ?? 5),
    reps: Number(val('--reps') ?? 5),
    chunks: Number(val('--chunks') ?? 20),
  };
}

async function load(dir: string): Promise<Impl> {
  if (dir === '') return { label: 'this tree', ProxyTelemetry: currentTelemetry.ProxyTelemetry, formatAccessLog: currentRecord.formatAccessLog, AccessLog: currentAccessLog.AccessLog };
  const ts = fileURLToPath(import.meta.url).endsWith('.ts');
  const file = (rel: string): string => pathToFileURL(ts ? path.join(dir, 'src', `${rel}.ts`) : path.join(dir, 'dist', 'src', `${rel}.js`)).href;
  const t = (await import(file('dataplane/telemetry/proxy-telemetry'))) as typeof currentTelemetry;
  const r = (await import(file('dataplane/request-record'))) as typeof currentRecord;
  const a = (await import(file('dataplane/access-log'))) as typeof currentAccessLog;
  return { label: 'baseline', ProxyTelemetry: t.ProxyTelemetry, formatAccessLog: r.formatAccessLog, AccessLog: a.AccessLog };
}

function pod(app: string, version: string, i: number, pid: number): EndpointConfig {
  return { pod: `${app}-${version}-5d8f7c9b6-${'abcdefgh'[i]}x${i}k2`, project: PROJECT, workload: `${app}-${version}`, labels: { app, version }, address: '127.0.0.1', port: 31000 + pid, ready: true, pid };
}

function snapshot(): ConfigSnapshot {
  const endpoints = [
    pod('productpage', 'v1', 0, 101),
    pod('details', 'v1', 0, 102),
    pod('reviews', 'v1', 0, 103),
    pod('reviews', 'v2', 0, 104),
    pod('reviews', 'v2', 1, 105),
    pod('reviews', 'v3', 0, 106),
    pod('ratings', 'v1', 0, 107),
  ];
  const svc = (name: string): ConfigSnapshot['services'][number] => ({ project: PROJECT, name, ports: [{ name: 'http', port: 9080 }], selector: { app: name } });
  const listener = (app: string, version: string, port: number): ConfigSnapshot['listeners'][number] => ({ project: PROJECT, workload: `${app}-${version}`, labels: { app, version }, port });
  return {
    version: 1,
    gatewayPort: 8080,
    projects: [{ name: PROJECT, governance: true }],
    services: ['productpage', 'details', 'reviews', 'ratings'].map(svc),
    endpoints,
    listeners: [listener('productpage', 'v1', 15001), listener('reviews', 'v1', 15002), listener('reviews', 'v2', 15003), listener('reviews', 'v3', 15004)],
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    serviceEntries: [],
  };
}

/** One request of the workload: its routing (fixed at set-up), its outcome, and the header objects it reads and writes. */
interface Slot {
  rr: RouteRequest;
  decision: RouteDecision;
  ep: EndpointConfig | undefined;
  /** The headers the upstream receives (inject writes them); the next hop of the page reads them. */
  out: HeaderMap;
  status: number;
  upstreamStatus: number | undefined;
  flags: string;
  bytesSent: number;
  remotePort: number;
}

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

function workload(snap: ConfigSnapshot): Slot[] {
  const router = compileRouter(snap);
  const source = (app: string, version: string): Source => ({ kind: 'outbound', project: PROJECT, workload: `${app}-${version}`, labels: { app, version } });
  const gateway: Source = { kind: 'gateway' };
  const slots: Slot[] = [];
  let n = 0;
  const add = (src: Source, authority: string, p: string, headers: HeaderMap, i: number): Slot => {
    const host = authority.split(':')[0] as string;
    const rr: RouteRequest = { source: src, authority, host, port: Number(authority.split(':')[1] ?? 80), method: 'GET', path: p, scheme: 'http', headers, remoteAddress: '127.0.0.1' };
    const decision = router.route(rr);
    const cluster = decision.kind === 'route' ? decision.cluster : undefined;
    const ep = cluster?.endpoints[i % cluster.endpoints.length];
    const failing = n % 64 === 63;
    const noRoute = decision.kind !== 'route';
    const s: Slot = {
      rr,
      decision,
      ep: noRoute ? undefined : ep,
      // What the upstream receives: the request's headers, then the trace context inject writes.
      out: { ...headers },
      status: noRoute ? 404 : failing ? 503 : 200,
      upstreamStatus: noRoute ? undefined : failing ? 503 : 200,
      flags: noRoute ? 'NR' : failing ? 'URX' : '-',
      bytesSent: noRoute ? 0 : 1200 + ((n * 7919) % 4000),
      remotePort: 40000 + (n % 20000),
    };
    n++;
    slots.push(s);
    return s;
  };
  for (let i = 0; slots.length < CHUNK; i++) {
    const gw = add(gateway, `productpage.${PROJECT}.localhost:8080`, i % 97 === 5 ? '/nowhere' : '/productpage', { 'user-agent': UA, 'x-request-id': `0b6c9a4e-${i}-4c2e-9f1a-7d3e2b1c0a${i % 10}` }, i);
    // productpage forwards what it received (x-request-id, user-agent and the trace headers) on its calls.
    add(source('productpage', 'v1'), 'details:9080', `/details/${i % 10}`, gw.out, i);
    const reviews = add(source('productpage', 'v1'), 'reviews:9080', `/reviews/${i % 10}`, gw.out, i);
    const version = reviews.ep?.labels.version ?? 'v1';
    if (version !== 'v1') add(source('reviews', version), 'ratings:9080', `/ratings/${i % 10}`, reviews.out, i);
  }
  return slots.slice(0, CHUNK);
}

/** A record as the executor makes it (every field present, absent ones undefined), then filled as the request is routed and answered. */
function newRecord(s: Slot): RequestRecord {
  const h = s.rr.headers;
  const cl = h['content-length'];
  return {
    startTime: Date.now(), hrStart: performance.now(), durationMs: 0, upstreamStartMs: undefined, upstreamStatus: undefined,
    traceId: undefined, parentSpanId: undefined, sampled: undefined, debug: undefined, tracestate: undefined, traced: false, spanId: undefined, serverSpanId: undefined,
    sourcePeer: undefined, destinationPeer: undefined, upstreamMs: undefined,
    method: s.rr.method, path: s.rr.path, protocol: 'HTTP/1.1', grpc: false, grpcStatus: undefined, requestMessages: 0, responseMessages: 0, status: 0, flags: '-', bytesReceived: cl === undefined ? 0 : Number(cl) || 0, bytesSent: 0,
    authority: s.rr.authority, userAgent: h['user-agent'], requestId: h['x-request-id'] as string | undefined, forwardedFor: h['x-forwarded-for'] as string | undefined,
    source: s.rr.source, destinationService: undefined, destinationServiceName: undefined, destinationProject: undefined, upstream: undefined, upstreamCluster: undefined,
    routeName: undefined, attempts: 0, mirror: false,
    downstreamRemote: `127.0.0.1:${s.remotePort}`,
    downstreamLocal: s.rr.source.kind === 'gateway' ? '127.0.0.1:8080' : '127.0.0.1:15001',
  };
}

function routed(rec: RequestRecord, s: Slot): void {
  const d = s.decision;
  if (d.kind !== 'route' || !d.cluster) {
    if (d.kind === 'route' || d.kind === 'redirect' || d.kind === 'direct') rec.routeName = d.routeName;
    return;
  }
  rec.routeName = d.routeName;
  rec.upstreamCluster = d.cluster.name;
  rec.destinationService = d.cluster.service.fqdn;
  rec.destinationServiceName = d.cluster.service.name;
  rec.destinationProject = d.cluster.service.project;
}

function answered(rec: RequestRecord, s: Slot): void {
  rec.status = s.status;
  rec.flags = s.flags;
  if (s.ep) {
    rec.attempts = s.flags === 'URX' ? 3 : 1;
    rec.upstream = s.ep;
    rec.upstreamMs = 2;
    rec.upstreamStatus = s.upstreamStatus;
  }
  rec.bytesSent = s.bytesSent;
  rec.durationMs = performance.now() - rec.hrStart + 1.5;
}

/** A collector stand-in: reads every export and answers 200. */
async function collector(): Promise<{ url: string; bytes: () => number; close: () => Promise<void> }> {
  let bytes = 0;
  const server = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    bytes: () => bytes,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const PARTS = [
  'begin',
  'inject+attempt',
  'finish (spans)',
  'tracer total',
  'metrics sink',
  'span encoding (per request)',
  'access log line',
  'access log sink (line, batching, writes)',
  'all telemetry',
  'span encoding (per span)',
] as const;
type Part = (typeof PARTS)[number];

/** One telemetry instance per implementation, fed `chunks` chunks; ns per request per part. */
class Runner {
  private readonly telemetry: InstanceType<Impl['ProxyTelemetry']>;
  private readonly recs: RequestRecord[] = new Array<RequestRecord>(CHUNK);
  private readonly logDir = mkdtempSync(path.join(os.tmpdir(), 'gm-telemetry-hot-'));
  private readonly accessLog: InstanceType<Impl['AccessLog']>;
  spans = 0;
  sink = 0;

  constructor(
    readonly impl: Impl,
    private readonly slots: Slot[],
    snap: ConfigSnapshot,
    url: string,
  ) {
    this.telemetry = new impl.ProxyTelemetry({ proxyName: PROXY, samplingPercent: 100, export: { url, intervalMs: 1e9, batchSize: 1e9, maxBatch: 1e6, maxQueue: 1 << 16 } });
    this.telemetry.apply(snap);
    this.accessLog = new impl.AccessLog(this.logDir);
  }

  async run(chunks: number): Promise<Record<Part, number>> {
    const t = { begin: 0, inject: 0, finish: 0, metrics: 0, encode: 0, log: 0, logSink: 0 };
    const { telemetry, slots, recs } = this;
    const exporter = telemetry.exporter!;
    const spans0 = this.spans;
    for (let c = 0; c < chunks; c++) {
      for (let i = 0; i < CHUNK; i++) recs[i] = newRecord(slots[i] as Slot);
      let t0 = performance.now();
      for (let i = 0; i < CHUNK; i++) {
        const s = slots[i] as Slot;
        telemetry.begin(recs[i] as RequestRecord, s.rr, s.decision);
      }
      t.begin += performance.now() - t0;
      for (let i = 0; i < CHUNK; i++) routed(recs[i] as RequestRecord, slots[i] as Slot);
      t0 = performance.now();
      for (let i = 0; i < CHUNK; i++) {
        const s = slots[i] as Slot;
        if (!s.ep) continue;
        const rec = recs[i] as RequestRecord;
        telemetry.inject(s.out, rec);
        telemetry.attempt(rec, s.ep);
      }
      t.inject += performance.now() - t0;
      for (let i = 0; i < CHUNK; i++) answered(recs[i] as RequestRecord, slots[i] as Slot);
      t0 = performance.now();
      for (let i = 0; i < CHUNK; i++) telemetry.tracer.finish(recs[i] as RequestRecord);
      t.finish += performance.now() - t0;
      t0 = performance.now();
      for (let i = 0; i < CHUNK; i++) telemetry.metrics.record(recs[i] as RequestRecord);
      t.metrics += performance.now() - t0;
      const fmt = this.impl.formatAccessLog;
      let len = 0;
      t0 = performance.now();
      for (let i = 0; i < CHUNK; i++) len += fmt(recs[i] as RequestRecord).length;
      t.log += performance.now() - t0;
      this.sink += len;
      const logSink = this.accessLog.sink;
      t0 = performance.now();
      for (let i = 0; i < CHUNK; i++) logSink(recs[i] as RequestRecord);
      this.accessLog.flush();
      t.logSink += performance.now() - t0;
      const before = exporter.stats.exported + exporter.stats.dropped;
      this.spans += exporter.queued;
      t0 = performance.now();
      exporter.flush();
      t.encode += performance.now() - t0;
      while (exporter.stats.exported + exporter.stats.dropped === before) await new Promise((r) => setImmediate(r));
      if (exporter.stats.failedExports > 0) throw new Error('span export failed');
    }
    const per = (ms: number): number => (ms * 1e6) / (chunks * CHUNK);
    const tracer = t.begin + t.inject + t.finish;
    return {
      begin: per(t.begin),
      'inject+attempt': per(t.inject),
      'finish (spans)': per(t.finish),
      'tracer total': per(tracer),
      'metrics sink': per(t.metrics),
      'span encoding (per request)': per(t.encode),
      'access log line': per(t.log),
      'access log sink (line, batching, writes)': per(t.logSink),
      'all telemetry': per(tracer + t.metrics + t.encode + t.logSink),
      'span encoding (per span)': (t.encode * 1e6) / Math.max(1, this.spans - spans0),
    };
  }

  async close(): Promise<void> {
    await this.telemetry.close();
    this.accessLog.close();
    rmSync(this.logDir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/** One implementation in this process: a warm-up, then `reps` repetitions; the median of each part. */
async function measure(o: Options, dir: string): Promise<{ parts: Record<Part, number>; spansPerRequest: number; bytesPerSpan: number }> {
  const col = await collector();
  const snap = snapshot();
  const runner = new Runner(await load(dir), workload(snap), snap, col.url);
  await runner.run(Math.max(5, Math.floor(o.chunks / 2)));
  const bytes0 = col.bytes();
  const spans0 = runner.spans;
  const results: Record<Part, number>[] = [];
  for (let rep = 0; rep < o.reps; rep++) results.push(await runner.run(o.chunks));
  const spans = runner.spans - spans0;
  const parts = Object.fromEntries(PARTS.map((p) => [p, median(results.map((r) => r[p]))])) as Record<Part, number>;
  await runner.close();
  const bytesPerSpan = (col.bytes() - bytes0) / spans;
  await col.close();
  return { parts, spansPerRequest: spans / (o.reps * o.chunks * CHUNK), bytesPerSpan };
}

async function main(): Promise<void> {
  const o = args();
  if (o.child !== undefined) {
    process.stdout.write(`${JSON.stringify(await measure(o, o.child))}\n`);
    return;
  }
  const impls = o.baseline ? [o.baseline, ''] : [''];
  const results = impls.map(() => [] as Record<Part, number>[]);
  let last: { spansPerRequest: number; bytesPerSpan: number } | undefined;
  for (let round = 0; round < o.rounds; round++) {
    for (let k = 0; k < impls.length; k++) {
      const i = (round + k) % impls.length;
      const argv = [...process.execArgv, fileURLToPath(import.meta.url), '--child', impls[i] as string, '--reps', String(o.reps), '--chunks', String(o.chunks)];
      const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`telemetry-hot child failed: ${r.stderr}`);
      const got = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Awaited<ReturnType<typeof measure>>;
      results[i]!.push(got.parts);
      last = got;
    }
  }
  const labels = o.baseline ? ['baseline', 'this tree'] : ['this tree'];
  const w = Math.max(...PARTS.map((p) => p.length));
  const lines = [`${'ns'.padEnd(w)}  ${labels.map((l) => l.padStart(10)).join('  ')}${labels.length > 1 ? '       ratio' : ''}`];
  for (const p of PARTS) {
    const v = results.map((rs) => median(rs.map((r) => r[p])));
    const ratio = v.length > 1 ? `  ${((v[1] as number) / (v[0] as number)).toFixed(2).padStart(10)}` : '';
    lines.push(`${p.padEnd(w)}  ${v.map((x) => x.toFixed(0).padStart(10)).join('  ')}${ratio}`);
  }
  lines.push('');
  lines.push(
    `Per request unless said; ${o.rounds} rounds, a process per implementation each, of ${o.reps} repetitions × ${o.chunks} chunks × ${CHUNK} requests; medians. ` +
      `Spans per request ${last?.spansPerRequest.toFixed(2)}, OTLP bytes per span ${last?.bytesPerSpan.toFixed(0)}.`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
