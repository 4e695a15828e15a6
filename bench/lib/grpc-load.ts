/**
 * A gRPC load client on @grpc/grpc-js: `concurrency` unary SayHello calls
 * kept in flight on one channel (each answered call starts the next) for
 * `durationMs` after a warm-up, latency from the call to its reply. Run as its
 * own process so it does not share an event loop with what it measures:
 *   node grpc-load.js '{"port":..,"authority":"greeter.bench.localhost","concurrency":16,"durationMs":5000}'
 * and it prints one JSON line: calls per second, latencies in µs (p50, p99), counts.
 */
import * as grpc from '@grpc/grpc-js';
import { greeterService, type HelloReply } from '../../samples/grpc-greeter/proto.js';

export interface GrpcLoadOptions {
  port: number;
  /** The :authority the calls carry (the gateway routes on it). */
  authority: string;
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
}

export interface GrpcLoadResult {
  ok: number;
  errors: number;
  /** The first error's message, when there was one. */
  firstError?: string;
  /** Answered calls per second of the measured window. */
  rate: number;
  p50: number;
  p99: number;
  /** The client's own CPU seconds per second of run. */
  clientCpu: number;
}

type Greeter = grpc.Client & {
  SayHello(req: { name: string }, cb: (err: grpc.ServiceError | null, r?: HelloReply) => void): void;
};

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

export function runGrpcLoad(o: GrpcLoadOptions): Promise<GrpcLoadResult> {
  const Client = greeterService();
  const client = new Client(`127.0.0.1:${o.port}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': o.authority }) as unknown as Greeter;
  const warmupNs = BigInt((o.warmupMs ?? 500) * 1e6);
  const start = process.hrtime.bigint();
  const measureFrom = start + warmupNs;
  const end = measureFrom + BigInt(o.durationMs * 1e6);
  const cpu0 = process.cpuUsage();
  const lat: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let running = o.concurrency;
  return new Promise((resolve) => {
    const finish = (): void => {
      client.close();
      const u = process.cpuUsage(cpu0);
      lat.sort((a, b) => a - b);
      resolve({
        ok: lat.length,
        errors,
        ...(firstError ? { firstError } : {}),
        rate: lat.length / (o.durationMs / 1000),
        p50: quantile(lat, 0.5),
        p99: quantile(lat, 0.99),
        clientCpu: (u.user + u.system) / 1e6 / (Number(process.hrtime.bigint() - start) / 1e9),
      });
    };
    const call = (): void => {
      const sentAt = process.hrtime.bigint();
      if (sentAt >= end) {
        if (--running === 0) finish();
        return;
      }
      client.SayHello({ name: 'bench' }, (err) => {
        if (err) {
          errors++;
          firstError ??= err.message;
        } else if (sentAt >= measureFrom) lat.push(Number(process.hrtime.bigint() - sentAt) / 1000);
        call();
      });
    };
    for (let i = 0; i < o.concurrency; i++) call();
  });
}

if (process.argv[1]?.endsWith('grpc-load.js')) {
  const opts = JSON.parse(process.argv[2] ?? '{}') as GrpcLoadOptions;
  void runGrpcLoad(opts).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
