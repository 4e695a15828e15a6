/**
 * `npm run bench -- system`: the whole system as users run it, beside HAProxy,
 * nginx and @fastify/http-proxy on the same upstream, in one run.
 *
 * A real instance (`graymesh up`, defaults on: tracing, metrics, access log)
 * runs the 1 KB keep-alive upstream as a workload; the other proxies front
 * that same workload. Rounds are interleaved (the order rotates each round):
 * wrk -t1 -c32 for throughput, then the open-loop generator at 1000 rps on 16
 * connections for latency (from the send) and for CPU-seconds per 1000
 * requests of the proxy and of the control plane (/proc/PID/stat), spans
 * stored per second (the span store's row ids). Through the gateway, through
 * the workload's outbound listener, and through the gateway with the
 * project's governance off (tracing off) for the tracing cost. With
 * BENCH_BASELINE=DIR a second instance of that build runs beside this one.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../src/runtime/ports.js';
import { startCProxies, type CProxy } from './lib/c-proxies.js';
import { BASELINE_ROOT, ROOT, script } from './lib/env.js';
import { fig, median, type Figure } from './lib/figures.js';
import { GATEWAY_HOST, startInstance, type BenchInstance } from './lib/instance.js';
import type { OpenLoopOptions, OpenLoopResult } from './lib/open-loop.js';
import { cpuSeconds, runJson, startReady, memoryMb, treeCpuSeconds, treeMemoryMb, type Proc } from './lib/processes.js';
import { goalLines, hopTable, type Hop } from './system-report.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Target {
  name: string;
  port: number;
  host: string;
  absolute?: boolean;
  /** The process whose CPU and memory are the proxy's (with its children). */
  proxyPid?: number;
  instance?: BenchInstance;
  /** Measured with wrk only (the tracing-off hop). */
  wrkOnly?: boolean;
  before?(): Promise<void>;
  after?(): Promise<void>;
}

let luaDir: string | undefined;
function wrk(t: Target, seconds = SECONDS): number {
  const args = ['-t1', '-c32', `-d${seconds}s`, '-H', `Host: ${t.host}`];
  if (t.absolute) {
    luaDir ??= mkdtempSync(path.join(os.tmpdir(), 'graymesh-bench-wrk-'));
    const file = path.join(luaDir, `${t.port}.lua`);
    writeFileSync(file, `wrk.path = "http://${t.host}/"\n`);
    args.push('-s', file);
  }
  const r = spawnSync('wrk', [...args, `http://127.0.0.1:${t.port}/`], { encoding: 'utf8' });
  if (r.error) throw new Error('wrk is not installed (Debian package wrk)');
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk ${t.name}: ${r.stdout}${r.stderr}`);
  if (bad) throw new Error(`wrk saw ${bad[1]} error responses through ${t.name}`);
  return Number(m[1]);
}

function openLoop(t: Target): Promise<OpenLoopResult> {
  const opts: OpenLoopOptions = { port: t.port, host: t.host, absolute: t.absolute, path: '/', rate: 1000, connections: 16, durationMs: SECONDS * 1000, bodyBytes: 0, warmupMs: 500 };
  return runJson<OpenLoopResult>(script('open-loop'), [JSON.stringify(opts)]);
}

/** Runs `f` and returns its result with the CPU-seconds the proxy and the control plane used, and spans stored meanwhile. */
async function measured<T>(t: Target, f: () => Promise<T> | T): Promise<{ r: T; proxyCpu: number; cpCpu: number; spans: number; seconds: number }> {
  const p0 = t.proxyPid ? treeCpuSeconds(t.proxyPid) : 0;
  // The control plane's own process: its children (the proxy, the workloads) are counted apart.
  const c0 = t.instance ? cpuSeconds(t.instance.cpPid) : 0;
  const s0 = t.instance?.spansStored() ?? 0;
  const w0 = Date.now();
  const r = await f();
  const seconds = (Date.now() - w0) / 1000;
  // Spans leave the proxy in batches every 500 ms: count what this run sent.
  if (t.instance) await sleep(800);
  return {
    r,
    proxyCpu: t.proxyPid ? treeCpuSeconds(t.proxyPid) - p0 : 0,
    cpCpu: t.instance ? cpuSeconds(t.instance.cpPid) - c0 : 0,
    spans: (t.instance?.spansStored() ?? 0) - s0,
    seconds,
  };
}

function graymeshTargets(i: BenchInstance, label: string): Target[] {
  return [
    { name: `graymesh gateway${label}`, port: i.gatewayPort, host: GATEWAY_HOST, proxyPid: i.proxyPid, instance: i },
    { name: `graymesh outbound${label}`, port: i.outboundPort, host: 'upstream', absolute: true, proxyPid: i.proxyPid, instance: i },
  ];
}

export async function system(): Promise<Figure[]> {
  const notes: string[] = [];
  // The load before anything of this run started: how busy the machine was with other work.
  const load = os.loadavg()[0] ?? 0;
  const gm = await startInstance(ROOT);
  const base = BASELINE_ROOT ? await startInstance(BASELINE_ROOT) : undefined;
  const { proxies, skipped } = await startCProxies(gm.upstreamPort);
  notes.push(...skipped);
  const fastify: Proc = await startReady(script('peers'), ['fastify', String(await freePort()), String(gm.upstreamPort)]);
  const peers: (CProxy | Proc)[] = [...proxies, fastify];
  const targets: Target[] = [
    { name: 'direct', port: gm.upstreamPort, host: 'upstream' },
    ...graymeshTargets(gm, ''),
    {
      name: 'graymesh gateway, tracing off',
      port: gm.gatewayPort,
      host: GATEWAY_HOST,
      proxyPid: gm.proxyPid,
      instance: gm,
      wrkOnly: true,
      // A new snapshot makes the next seconds slower (the proxy compiles and swaps its router): warm up after each change.
      before: async () => {
        await gm.setGovernance(false);
        wrk({ name: 'warm-up', port: gm.gatewayPort, host: GATEWAY_HOST }, 2);
      },
      after: async () => {
        await gm.setGovernance(true);
        wrk({ name: 'warm-up', port: gm.gatewayPort, host: GATEWAY_HOST }, 2);
      },
    },
    ...proxies.map((p) => ({ name: p.name, port: p.port, host: 'upstream', proxyPid: p.pid })),
    { name: '@fastify/http-proxy', port: fastify.port, host: 'upstream', proxyPid: fastify.pid },
    ...(base ? graymeshTargets(base, ', baseline build') : []),
  ];
  const hops = new Map<string, Hop>(targets.map((t) => [t.name, { name: t.name, rps: [], wrkProxyCores: [], wrkCpCores: [], wrkSpansPerSec: [], p50: [], p90: [], p99: [], proxyCpuPer1000: [], cpCpuPer1000: [], spansPerSec: [], errors: 0 }]));
  try {
    for (const t of targets) if (!t.wrkOnly) wrk(t, 1); // warm-up (JIT, connections)
    for (let round = 0; round < REPS; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length] as Target);
      process.stderr.write(`bench: system round ${round + 1}/${REPS}\n`);
      for (const t of order) {
        const h = hops.get(t.name) as Hop;
        await t.before?.();
        const m = await measured(t, () => wrk(t));
        await t.after?.();
        h.rps.push(m.r);
        h.wrkProxyCores.push(m.proxyCpu / m.seconds);
        h.wrkCpCores.push(m.cpCpu / m.seconds);
        h.wrkSpansPerSec.push(m.spans / m.seconds);
      }
      // Latency is added latency: each hop's quantile minus direct's, from the same round.
      let direct: OpenLoopResult | undefined;
      const results: [Target, Awaited<ReturnType<typeof measured<OpenLoopResult>>>][] = [];
      for (const t of order) {
        if (t.wrkOnly) continue;
        const m = await measured(t, () => openLoop(t));
        if (t.name === 'direct') direct = m.r;
        results.push([t, m]);
      }
      for (const [t, m] of results) {
        const h = hops.get(t.name) as Hop;
        const d = direct as OpenLoopResult;
        h.p50.push((m.r.p50 - d.p50) / 1000);
        h.p90.push((m.r.p90 - d.p90) / 1000);
        h.p99.push((m.r.p99 - d.p99) / 1000);
        h.proxyCpuPer1000.push((m.proxyCpu / m.r.ok) * 1000);
        h.cpCpuPer1000.push((m.cpCpu / m.r.ok) * 1000);
        h.spansPerSec.push((m.spans / m.r.sent) * 1000);
        h.errors += m.r.errors;
      }
    }
    for (const t of targets) {
      if (t.proxyPid && !t.wrkOnly) (hops.get(t.name) as Hop).memory = treeMemoryMb(t.proxyPid);
      if (t.instance && !t.wrkOnly) (hops.get(t.name) as Hop).cpMemory = memoryMb(t.instance.cpPid);
    }
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    gm.stop();
    base?.stop();
    if (luaDir) rmSync(luaDir, { recursive: true, force: true });
  }
  const all = [...hops.values()];
  const lines = [`system: ${REPS} interleaved rounds, ${SECONDS} s each; median of the rounds (spread in the figures below); load average before the run ${load.toFixed(1)} on ${os.cpus().length} cores${load > os.cpus().length * 0.5 ? ' — the machine was busy with other work: figures are noisy' : ''}`, ...notes, '', hopTable(all), '', ...goalLines(all)];
  process.stdout.write(`${lines.join('\n')}\n\n`);
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'system.md'), `${new Date().toISOString()} ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n${lines.join('\n')}\n`);
  return figuresOf(all);
}

function figuresOf(hops: Hop[]): Figure[] {
  const direct = median(hops.find((h) => h.name === 'direct')?.rps ?? [0]);
  const out: Figure[] = [];
  for (const h of hops) {
    out.push(fig('system', `${h.name}: req/s (wrk -t1 -c32)`, h.rps, 'req/s', { baseline: { name: 'direct', value: direct } }));
    if (h.p90.length === 0 || h.name === 'direct') continue;
    for (const k of ['p50', 'p90', 'p99'] as const) out.push(fig('system', `${h.name}: adds ${k} @1000rps`, h[k], 'ms'));
    out.push(fig('system', `${h.name}: proxy CPU per 1000 req @1000rps`, h.proxyCpuPer1000, 'CPU-s'));
    if (h.cpCpuPer1000.length && h.name.startsWith('graymesh')) {
      out.push(fig('system', `${h.name}: control plane CPU per 1000 req @1000rps`, h.cpCpuPer1000, 'CPU-s'));
      out.push(fig('system', `${h.name}: spans stored @1000rps`, h.spansPerSec, 'spans/s'));
    }
    if (h.memory) out.push(fig('system', `${h.name}: proxy RSS after the run`, [h.memory.rss], 'MB', { note: `anonymous ${h.memory.anon.toFixed(1)} MB` }));
  }
  return out;
}
