/**
 * `npm run bench -- h2`: HTTP/2 and gRPC through the node proxy's gateway
 * beside the same upstream direct, repetitions interleaved (BENCH_REPS):
 * h2load with prior knowledge (h2c) against a node:http2 upstream answering
 * 1 KB, and a @grpc/grpc-js client keeping unary SayHello calls in flight
 * against the Greeter sample (bench/lib/grpc-load.ts, its own process).
 */
import { spawnSync } from 'node:child_process';
import { proxy, script } from './lib/env.js';
import { fig, median, type Figure } from './lib/figures.js';
import type { GrpcLoadOptions, GrpcLoadResult } from './lib/grpc-load.js';
import { cpuSeconds, runJson, startReady } from './lib/processes.js';
import { h2Snapshot, PROJECT } from './lib/snapshots.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const H2LOAD = process.env.BENCH_H2LOAD ?? 'h2load';
/** h2load's shape: connections × streams in flight on each. */
const CONNECTIONS = 16;
const STREAMS = 10;
/** gRPC calls in flight on the client's one channel. */
const CALLS = 16;

interface Target {
  port: number;
  authority: string;
}

const h2loadInstalled = (): boolean => !spawnSync(H2LOAD, ['--version'], { encoding: 'utf8' }).error;

/** Requests per second of one h2load run; throws on a failed or non-2xx response. */
function h2load(t: Target): number {
  const args = [`-c${CONNECTIONS}`, `-m${STREAMS}`, `-D${SECONDS}`, '--warm-up-time=1', '-H', `:authority: ${t.authority}`, `http://127.0.0.1:${t.port}/`];
  const r = spawnSync(H2LOAD, args, { encoding: 'utf8' });
  const rate = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(r.stdout);
  const counts = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(r.stdout);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(r.stdout);
  if (!rate || !counts || !codes) throw new Error(`h2load to port ${t.port}: ${r.stdout}${r.stderr}`);
  const bad = Number(counts[4]) + Number(counts[5]) + Number(codes[3]) + Number(codes[4]);
  if (bad > 0) throw new Error(`h2load to port ${t.port} (${t.authority}) saw ${bad} failed or error responses of ${counts[2]}`);
  return Number(rate[1]);
}

async function grpcLoad(t: Target): Promise<GrpcLoadResult> {
  const opts: GrpcLoadOptions = { port: t.port, authority: t.authority, concurrency: CALLS, durationMs: SECONDS * 1000, warmupMs: 1000 };
  const r = await runJson<GrpcLoadResult>(script('grpc-load'), [JSON.stringify(opts)]);
  if (r.errors > 0) throw new Error(`gRPC load to port ${t.port} (${t.authority}): ${r.errors} calls failed, first: ${r.firstError ?? ''}`);
  return r;
}

interface Runs {
  h2: Record<'direct' | 'gateway', number[]>;
  /** vCPU of the proxy process during each gateway h2load run. */
  proxyCpu: number[];
  grpc: Record<'direct' | 'gateway', GrpcLoadResult[]>;
}

/** Each repetition measures direct then gateway, h2load then gRPC, so drift on a shared machine falls on both. */
async function measure(proxyPid: number, h2Targets: Record<'direct' | 'gateway', Target>, grpcTargets: Record<'direct' | 'gateway', Target>): Promise<Runs> {
  const runs: Runs = { h2: { direct: [], gateway: [] }, proxyCpu: [], grpc: { direct: [], gateway: [] } };
  for (let r = 0; r < REPS; r++) {
    runs.h2.direct.push(h2load(h2Targets.direct));
    const c0 = cpuSeconds(proxyPid);
    const t0 = Date.now();
    runs.h2.gateway.push(h2load(h2Targets.gateway));
    runs.proxyCpu.push((cpuSeconds(proxyPid) - c0) / ((Date.now() - t0) / 1000));
    for (const path of ['direct', 'gateway'] as const) runs.grpc[path].push(await grpcLoad(grpcTargets[path]));
  }
  return runs;
}

function figures(runs: Runs): Figure[] {
  const out: Figure[] = [
    fig('h2', `h2c req/s through the gateway (h2load -c${CONNECTIONS} -m${STREAMS}, 1 KB)`, runs.h2.gateway, 'req/s', { baseline: { name: 'direct', value: median(runs.h2.direct) } }),
    fig('h2', `gRPC unary calls/s through the gateway (grpc-js, ${CALLS} in flight)`, runs.grpc.gateway.map((x) => x.rate), 'calls/s', {
      baseline: { name: 'direct', value: median(runs.grpc.direct.map((x) => x.rate)) },
    }),
  ];
  for (const k of ['p50', 'p99'] as const) {
    const direct = runs.grpc.direct.map((x) => x[k] / 1000);
    const added = runs.grpc.gateway.map((x, i) => x[k] / 1000 - (direct[i] ?? 0));
    out.push(fig('h2', `gRPC gateway adds ${k} (${CALLS} in flight)`, added, 'ms', { baseline: { name: `direct ${k}`, value: median(direct) } }));
  }
  out.push(fig('h2', 'node proxy CPU during the gateway h2c runs', runs.proxyCpu, 'vCPU', { note: 'one event loop: near 1 means the proxy is the bottleneck' }));
  const clientCpu = median(runs.grpc.direct.map((x) => x.clientCpu));
  out.push(fig('h2', 'gRPC load client CPU, direct', [clientCpu], 'vCPU', { note: 'the client is closed-loop: a busy client lowers both paths alike' }));
  return out;
}

export async function h2(): Promise<Figure[]> {
  if (!h2loadInstalled()) {
    process.stderr.write(`bench: h2 skipped: ${H2LOAD} is not installed (Debian package nghttp2-client)\n`);
    return [];
  }
  const up = await startReady(script('h2-upstream'), ['0']);
  const greeter = await startReady(script('grpc-greeter'), []);
  const { proc, cp, gatewayPort } = await proxy();
  try {
    await cp.publish(h2Snapshot(1, gatewayPort, up.port, greeter.port));
    const runs = await measure(
      proc.pid,
      { direct: { port: up.port, authority: 'upstream' }, gateway: { port: gatewayPort, authority: `upstream.${PROJECT}.localhost` } },
      { direct: { port: greeter.port, authority: 'greeter' }, gateway: { port: gatewayPort, authority: `greeter.${PROJECT}.localhost` } },
    );
    return figures(runs);
  } finally {
    await Promise.all([proc.stop(), up.stop(), greeter.stop()]);
    cp.close();
  }
}
