/**
 * An open-loop load generator with microsecond resolution, after Istio's
 * method (fortio at a fixed rate): requests are due at fixed intervals and
 * sent when due whatever is still in flight, so a slow server cannot slow the
 * schedule; latency runs from the send (queueing for a connection included).
 * A 1 ms timer drives the schedule, so the generator itself stays cheap (its
 * CPU is reported). Run as its own process so it does not share an event loop
 * with what it measures:
 *   node open-loop.js '{"port":..,"rate":1000,"connections":16,"durationMs":5000,...}'
 * and it prints one JSON line: latencies in µs (p50, p90, p99, max), counts.
 */
import http from 'node:http';

export interface OpenLoopOptions {
  port: number;
  /** Host header (gateway routing) or, with absoluteHost, the authority of an absolute-form request. */
  host: string;
  path: string;
  /** Send absolute-form requests (as an HTTP_PROXY client does). */
  absolute?: boolean;
  rate: number;
  connections: number;
  durationMs: number;
  /** Request body size in bytes (POST when > 0). */
  bodyBytes: number;
  warmupMs?: number;
}

export interface OpenLoopResult {
  sent: number;
  ok: number;
  errors: number;
  /** Achieved rate, requests per second. */
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** The client's own CPU seconds per second of run (to show it is not the bottleneck). */
  clientCpu: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.floor(q * sorted.length));
  return sorted[i] as number;
}

export function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
  const body = o.bodyBytes > 0 ? Buffer.alloc(o.bodyBytes, 'y') : undefined;
  const path = o.absolute ? `http://${o.host}${o.path}` : o.path;
  const headers: Record<string, string | number> = { host: o.host };
  if (body) {
    headers['content-type'] = 'application/octet-stream';
    headers['content-length'] = body.length;
  }
  const intervalNs = BigInt(Math.round(1e9 / o.rate));
  const lat: number[] = [];
  let sent = 0;
  let ok = 0;
  let errors = 0;
  let inflight = 0;
  const warmupNs = BigInt((o.warmupMs ?? 500) * 1e6);
  const start = process.hrtime.bigint();
  const end = start + warmupNs + BigInt(o.durationMs * 1e6);
  let next = start;
  const cpu0 = process.cpuUsage();
  return new Promise((resolve) => {
    const fire = (due: bigint): void => {
      sent++;
      inflight++;
      const record = due >= start + warmupNs;
      const sentAt = process.hrtime.bigint();
      const req = http.request({ host: '127.0.0.1', port: o.port, method: body ? 'POST' : 'GET', path, headers, agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          inflight--;
          const us = Number(process.hrtime.bigint() - sentAt) / 1000;
          if (res.statusCode === 200) {
            ok++;
            if (record) lat.push(us);
          } else errors++;
          maybeDone();
        });
      });
      req.on('error', () => {
        inflight--;
        errors++;
        maybeDone();
      });
      req.end(body);
    };
    let ticking = true;
    const maybeDone = (): void => {
      if (!ticking && inflight === 0) {
        agent.destroy();
        const u = process.cpuUsage(cpu0);
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        lat.sort((a, b) => a - b);
        resolve({
          sent,
          ok,
          errors,
          rate: lat.length / (o.durationMs / 1000),
          p50: quantile(lat, 0.5),
          p90: quantile(lat, 0.9),
          p99: quantile(lat, 0.99),
          max: lat.at(-1) ?? 0,
          clientCpu: (u.user + u.system) / 1e6 / seconds,
        });
      }
    };
    // Every millisecond: send everything due, then sleep.
    const tick = (): void => {
      const now = process.hrtime.bigint();
      while (next <= now && next < end) {
        fire(next);
        next += intervalNs;
      }
      if (next >= end) {
        ticking = false;
        maybeDone();
        return;
      }
      setTimeout(tick, 1);
    };
    tick();
  });
}

if (process.argv[1]?.endsWith('open-loop.js')) {
  const opts = JSON.parse(process.argv[2] ?? '{}') as OpenLoopOptions;
  void runOpenLoop(opts).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
