/**
 * The benchmarks of `npm run bench`. Each returns figures beside a baseline
 * measured in the same run on the same machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../src/runtime/ports.js';
import { compileRouter } from '../src/dataplane/compile-router.js';
import type { RouteRequest } from '../src/dataplane/router.js';
import { BASELINE_ROOT, CLI, proxy, script, upstream } from './lib/env.js';
import { fig, median, type Figure } from './lib/figures.js';
import type { OpenLoopOptions, OpenLoopResult } from './lib/open-loop.js';
import { cpuSeconds, rssMb, runJson, startReady } from './lib/processes.js';
import { manySnapshot, PROJECT, rulesSnapshot, serviceSnapshot, weightedSnapshot } from './lib/snapshots.js';

export { regex } from './regex.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function openLoop(o: Partial<OpenLoopOptions> & { port: number; host: string }): Promise<OpenLoopResult> {
  const opts: OpenLoopOptions = { path: '/', rate: 1000, connections: 16, durationMs: SECONDS * 1000, bodyBytes: 1024, warmupMs: 500, ...o };
  return runJson<OpenLoopResult>(script('open-loop'), [JSON.stringify(opts)]);
}

/** 1. Latency the mesh adds at 1000 rps (Istio's method), and the proxy's CPU and memory at that rate. */
export async function latency(): Promise<Figure[]> {
  const up = await upstream();
  const { proc, cp, gatewayPort } = await proxy();
  const listenerPort = await freePort();
  await cp.publish(serviceSnapshot(1, gatewayPort, { v1: up.port }, listenerPort));
  // Before/after a change in one run: the baseline build's proxy on the same upstream, measured in turn with this one.
  const before = BASELINE_ROOT ? await proxy({}, BASELINE_ROOT) : undefined;
  const beforeListener = before ? await freePort() : 0;
  if (before) await before.cp.publish(serviceSnapshot(1, before.gatewayPort, { v1: up.port }, beforeListener));
  const paths: Record<string, { port: number; host: string; absolute?: boolean }> = {
    direct: { port: up.port, host: 'upstream' },
    gateway: { port: gatewayPort, host: `upstream.${PROJECT}.localhost` },
    outbound: { port: listenerPort, host: 'upstream:80', absolute: true },
    ...(before
      ? {
          'gateway, baseline build': { port: before.gatewayPort, host: `upstream.${PROJECT}.localhost` },
          'outbound, baseline build': { port: beforeListener, host: 'upstream:80', absolute: true },
        }
      : {}),
  };
  const results: Record<string, OpenLoopResult[]> = {};
  /** vCPU of each build's proxy while it served the gateway runs. */
  const cpu: Record<string, number[]> = { gateway: [], 'gateway, baseline build': [] };
  for (let r = 0; r < REPS; r++) {
    for (const [name, p] of Object.entries(paths)) {
      const pid = name.endsWith('baseline build') ? before!.proc.pid : proc.pid;
      const c0 = cpuSeconds(pid);
      const t0 = Date.now();
      (results[name] ??= []).push(await openLoop(p));
      cpu[name]?.push((cpuSeconds(pid) - c0) / ((Date.now() - t0) / 1000));
    }
  }
  const rss = rssMb(proc.pid);
  await Promise.all([proc.stop(), up.stop(), before?.proc.stop()]);
  cp.close();
  before?.cp.close();
  const out: Figure[] = [];
  const q = (name: string, k: 'p50' | 'p90' | 'p99'): number[] => results[name]!.map((x) => x[k] / 1000);
  const added = (path: string, k: 'p50' | 'p90' | 'p99'): number[] => q(path, k).map((v, i) => v - (q('direct', k)[i] ?? 0));
  for (const k of ['p50', 'p90', 'p99'] as const) {
    const base = median(q('direct', k));
    for (const path of ['gateway', 'outbound']) {
      const goal = k === 'p90' ? 0.2 : k === 'p99' ? 0.3 : undefined;
      out.push(
        fig('latency', `${path} adds ${k} @1000rps`, added(path, k), 'ms', {
          baseline: { name: `direct ${k}`, value: base },
          ...(goal !== undefined ? { goal: `≤ ${goal} ms (Istio 1.20 two sidecars: ${k === 'p90' ? '0.228' : '0.298'})`, met: median(added(path, k)) <= goal } : {}),
        }),
      );
    }
  }
  if (before) {
    for (const k of ['p50', 'p90', 'p99'] as const) {
      for (const path of ['gateway', 'outbound']) {
        out.push(fig('latency', `${path} adds ${k} @1000rps, this build vs BENCH_BASELINE build`, added(path, k), 'ms', { baseline: { name: 'baseline build', value: median(added(`${path}, baseline build`, k)) } }));
      }
    }
  }
  const errors = Object.values(results).flat().reduce((a, r) => a + r.errors, 0);
  const clientCpu = median(results.direct!.map((r) => r.clientCpu));
  out.push(fig('latency', 'load generator CPU @1000rps (not the bottleneck)', [clientCpu], 'vCPU', { note: `errors ${errors}; achieved ${median(results.gateway!.map((r) => r.rate)).toFixed(0)} rps` }));
  const vcpu = mean(cpu.gateway!);
  out.push(fig('resources', 'node proxy CPU per 1000 rps', [vcpu], 'vCPU', { baseline: { name: 'Istio 1.24 sidecar', value: 0.2 }, goal: '≤ 0.15', met: vcpu <= 0.15 }));
  if (before) out.push(fig('resources', 'node proxy CPU per 1000 rps, this build vs BENCH_BASELINE build', [vcpu], 'vCPU', { baseline: { name: 'baseline build', value: mean(cpu['gateway, baseline build']!) } }));
  out.push(fig('resources', 'node proxy RSS after 1000 rps', [rss], 'MB', { baseline: { name: 'Istio 1.24 sidecar', value: 60 }, goal: '≤ 60', met: rss <= 60 }));
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function wrk(port: number, host: string, seconds = SECONDS, connections = 32): number {
  const r = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-H', `Host: ${host}`, `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  if (r.error) throw new Error('wrk is not installed (Debian package wrk)');
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk: ${r.stdout}${r.stderr}`);
  if (non2xx) throw new Error(`wrk saw ${non2xx[1]} error responses from port ${port}`);
  return Number(m[1]);
}

/** 2. Maximum throughput through one proxy hop, against direct and two Node proxies, same upstream, same run. */
export async function throughput(): Promise<Figure[]> {
  const up = await upstream();
  const { proc, cp, gatewayPort } = await proxy();
  await cp.publish(serviceSnapshot(1, gatewayPort, { v1: up.port }, await freePort()));
  // Before/after a change in one run: the baseline build's proxy on the same upstream.
  const before = BASELINE_ROOT ? await proxy({}, BASELINE_ROOT) : undefined;
  if (before) await before.cp.publish(serviceSnapshot(1, before.gatewayPort, { v1: up.port }, await freePort()));
  const fastify = await startReady(script('peers'), ['fastify', String(await freePort()), String(up.port)]);
  const httpProxy = await startReady(script('peers'), ['http-proxy', String(await freePort()), String(up.port)]);
  const targets: Record<string, [number, string]> = {
    direct: [up.port, 'upstream'],
    graymesh: [gatewayPort, `upstream.${PROJECT}.localhost`],
    'fastify-http-proxy': [fastify.port, 'upstream'],
    'http-proxy': [httpProxy.port, 'upstream'],
    ...(before ? { 'graymesh baseline build': [before.gatewayPort, `upstream.${PROJECT}.localhost`] as [number, string] } : {}),
  };
  const rps: Record<string, number[]> = {};
  for (const k of Object.keys(targets)) wrk(targets[k]![0], targets[k]![1], 1); // warm-up
  for (let r = 0; r < REPS; r++) for (const [k, [port, host]] of Object.entries(targets)) (rps[k] ??= []).push(wrk(port, host));
  await Promise.all([proc.stop(), up.stop(), fastify.stop(), httpProxy.stop(), before?.proc.stop()]);
  cp.close();
  before?.cp.close();
  const d = median(rps.direct!);
  const f = median(rps['fastify-http-proxy']!);
  const g = median(rps.graymesh!);
  return [
    fig('throughput', 'direct (no proxy)', rps.direct!, 'req/s'),
    fig('throughput', 'graymesh gateway hop', rps.graymesh!, 'req/s', { baseline: { name: 'direct', value: d }, goal: '≥ 45% of direct', met: g / d >= 0.45 }),
    fig('throughput', 'graymesh vs @fastify/http-proxy', rps.graymesh!, 'req/s', { baseline: { name: '@fastify/http-proxy', value: f }, goal: '≥ 1.6×', met: g / f >= 1.6 }),
    fig('throughput', '@fastify/http-proxy hop', rps['fastify-http-proxy']!, 'req/s', { baseline: { name: 'direct', value: d } }),
    fig('throughput', 'http-proxy (keep-alive agent) hop', rps['http-proxy']!, 'req/s', { baseline: { name: 'direct', value: d } }),
    ...(before
      ? [fig('throughput', 'graymesh hop, this build vs BENCH_BASELINE build', rps.graymesh!, 'req/s', { baseline: { name: 'baseline build', value: median(rps['graymesh baseline build']!) } })]
      : []),
  ];
}

/** 2b. Throughput with tracing at 100% against tracing off, through the gateway. */
export async function tracing(): Promise<Figure[]> {
  const up = await upstream();
  const runs: Record<string, number[]> = {};
  for (const [label, sampling] of [['off', '0'], ['100%', '100']] as const) {
    const { proc, cp, gatewayPort } = await proxy({ GRAYMESH_TRACE_SAMPLING: sampling });
    await cp.publish(serviceSnapshot(1, gatewayPort, { v1: up.port }, await freePort()));
    wrk(gatewayPort, `upstream.${PROJECT}.localhost`, 1);
    for (let r = 0; r < REPS; r++) (runs[label] ??= []).push(wrk(gatewayPort, `upstream.${PROJECT}.localhost`));
    await proc.stop();
    cp.close();
  }
  await up.stop();
  const off = median(runs.off!);
  const on = median(runs['100%']!);
  return [fig('telemetry', 'throughput with tracing at 100%', runs['100%']!, 'req/s', { baseline: { name: 'tracing off', value: off }, goal: '≥ 0.85 of off', met: on / off >= 0.85 })];
}

/** 3b. Memory the proxy adds per workload (one outbound listener and its endpoints each). */
export async function memory(): Promise<Figure[]> {
  const { proc, cp, gatewayPort } = await proxy();
  const out: Figure[] = [];
  await cp.publish(manySnapshot(1, gatewayPort, 0, 1, []));
  await sleep(1500);
  const base = rssMb(proc.pid);
  let version = 2;
  for (const n of [10, 100, 1000]) {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) ports.push(await freePort());
    await cp.publish(manySnapshot(version++, gatewayPort, n, 1, ports));
    await sleep(1500);
    const per = (rssMb(proc.pid) - base) / n;
    out.push(fig('resources', `memory per workload at ${n} workloads`, [per], 'MB', { baseline: { name: 'proxy RSS with none', value: base }, goal: '≤ 2 MB', met: per <= 2 }));
  }
  await proc.stop();
  cp.close();
  return out;
}

/** 4. Config convergence: 1,000 services × 2 versions into a real proxy; snapshot size. */
export async function convergence(): Promise<Figure[]> {
  const { proc, cp, gatewayPort } = await proxy();
  const ports: number[] = [];
  for (let i = 0; i < 2000; i++) ports.push(await freePort());
  const first = await cp.publish(manySnapshot(1, gatewayPort, 1000, 2, ports));
  const times: number[] = [];
  for (let v = 2; v < 22; v++) times.push((await cp.publish(manySnapshot(v, gatewayPort, 1000, 2, ports))).ms);
  await proc.stop();
  cp.close();
  times.sort((a, b) => a - b);
  const p99 = times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] as number;
  return [
    fig('convergence', '1,000 services × 2 versions: first snapshot (2,000 listeners opened)', [first.ms], 'ms'),
    fig('convergence', '1,000 services × 2 versions: change to ACK p50', [median(times)], 'ms'),
    fig('convergence', '1,000 services × 2 versions: change to ACK p99', [p99], 'ms', { goal: '≤ 1000 ms', met: p99 <= 1000 }),
    fig('convergence', '1,000 services × 2 versions: snapshot size', [first.bytes / 1024], 'KiB'),
  ];
}

/** 4b and 7. A real instance: `up` to Bookinfo serving, and API change to every proxy enforcing it. */
export async function instance(): Promise<Figure[]> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'graymesh-bench-home-'));
  const port = await freePort();
  const gw = await freePort();
  const env = { ...process.env, GRAYMESH_HOME: home };
  const t0 = Date.now();
  spawnSync(process.execPath, [CLI, 'up', '--detach', '--port', String(port), '--gateway-port', String(gw)], { env, encoding: 'utf8' });
  let startup = NaN;
  for (let i = 0; i < 600; i++) {
    const body = await get(gw, '/productpage', `productpage.demo-project.localhost`).catch(() => '');
    if (body.includes('Reviews served by')) {
      startup = Date.now() - t0;
      break;
    }
    await sleep(50);
  }
  // Baseline: one bare Node process to its first answer.
  const b0 = Date.now();
  const bare = await startReady(script('upstream'), ['0']);
  await get(bare.port, '/', 'x');
  const bareMs = Date.now() - b0;
  await bare.stop();
  const token = /token:\s*(\S+)/.exec(spawnSync('cat', [path.join(home, 'admin-credentials')], { encoding: 'utf8' }).stdout)?.[1] ?? '';
  const api = async (method: string, p: string, body?: unknown): Promise<number> => {
    const t = process.hrtime.bigint();
    const res = await fetch(`http://127.0.0.1:${port}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    await res.text();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const conv: number[] = [];
  const reads: number[] = [];
  for (let i = 0; i < 20; i++) {
    const w = i % 2 === 0 ? 90 : 10;
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'details', namespace: 'demo-project' },
      spec: { hosts: ['details'], http: [{ route: [{ destination: { host: 'details' }, weight: 100 }], timeout: `${w}s` }] },
    };
    conv.push(await api('POST', '/api/v1/apply', { objects: [vs] }));
    reads.push(await api('GET', '/api/v1/status'));
  }
  spawnSync(process.execPath, [CLI, 'down'], { env });
  rmSync(home, { recursive: true, force: true });
  conv.sort((a, b) => a - b);
  const p99 = conv[Math.min(conv.length - 1, Math.floor(conv.length * 0.99))] as number;
  return [
    fig('startup', 'graymesh up to Bookinfo serving', [startup], 'ms', { baseline: { name: 'bare Node process to first answer', value: bareMs } }),
    fig('convergence', 'Bookinfo: API change accepted to every proxy enforcing it, p50', [median(conv)], 'ms', { baseline: { name: 'API read round trip', value: median(reads) } }),
    fig('convergence', 'Bookinfo: API change to enforced, p99', [p99], 'ms', { baseline: { name: 'API read round trip', value: median(reads) }, goal: '≤ 50 ms', met: p99 <= 50 }),
  ];
}

function get(port: number, p: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers: { host }, agent: false }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => (b += c.toString()));
      res.on('end', () => resolve(b));
    });
    req.on('error', reject);
  });
}

/** 5. Split accuracy: observed against configured shares over 1,000 requests. */
export async function split(): Promise<Figure[]> {
  const v1 = await upstream('v1');
  const v2 = await upstream('v2');
  const { proc, cp, gatewayPort } = await proxy();
  const listenerPort = await freePort();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out: Figure[] = [];
  let version = 1;
  for (const [a, b] of [[50, 50], [90, 10], [1, 99]] as const) {
    await cp.publish(weightedSnapshot(version++, gatewayPort, { v1: v1.port, v2: v2.port }, listenerPort, { v1: a, v2: b }));
    let seenV1 = 0;
    for (let i = 0; i < 1000; i++) {
      const served = await new Promise<string>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: listenerPort, path: 'http://upstream:80/', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.headers['x-served-by'])));
        });
        req.on('error', reject);
      });
      if (served === 'v1') seenV1++;
    }
    out.push(fig('split', `${a}/${b}: observed v1 share`, [seenV1 / 10], '%', { baseline: { name: 'configured', value: a } }));
  }
  agent.destroy();
  await Promise.all([proc.stop(), v1.stop(), v2.stop()]);
  cp.close();
  return out;
}

/** Per-request matching cost with 1, 10 and 100 rules on a host (compiled once per config). */
export async function matching(): Promise<Figure[]> {
  const req = (): RouteRequest => ({
    source: { kind: 'outbound', project: PROJECT, workload: 'client-v1', labels: { app: 'client', version: 'v1' } },
    authority: 'upstream:80',
    host: 'upstream',
    port: 80,
    method: 'GET',
    path: '/reviews/0',
    scheme: 'http',
    headers: { 'x-user': 'nobody', 'user-agent': 'bench' },
    remoteAddress: '127.0.0.1',
  });
  const cost = (rules: number): number => {
    const router = compileRouter(rules === 0 ? serviceSnapshot(1, 0, { v1: 1 }, 2) : rulesSnapshot(1, 1, 2, rules));
    const r = req();
    for (let i = 0; i < 20_000; i++) router.route(r);
    const n = 200_000;
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) router.route(r);
    return Number(process.hrtime.bigint() - t) / n;
  };
  const none = [cost(0), cost(0), cost(0)];
  const base = median(none);
  const out = [fig('matching', 'route, host without rules', none, 'ns/request')];
  for (const n of [1, 10, 100]) {
    out.push(fig('matching', `route, ${n} rule${n > 1 ? 's' : ''} on the host (last matches)`, [cost(n), cost(n), cost(n)], 'ns/request', { baseline: { name: 'no rules', value: base } }));
  }
  return out;
}

/** Figures other parts of graymesh provide (telemetry store, console), when present. */
export async function external(): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const [mod, fn, group] of [['./telemetry.js', 'benchTelemetry', 'telemetry'], ['./console.js', 'benchConsole', 'console']] as const) {
    let m: Record<string, unknown>;
    try {
      m = (await import(mod)) as Record<string, unknown>;
    } catch {
      continue;
    }
    const run = m[fn] as (() => Promise<{ name: string; value: number; unit: string; baseline?: number; ratio?: number }[]>) | undefined;
    if (!run) continue;
    for (const r of await run()) {
      out.push(fig(group, r.name, [r.value], r.unit, r.baseline !== undefined ? { baseline: { name: 'baseline', value: r.baseline } } : {}));
    }
  }
  return out;
}

