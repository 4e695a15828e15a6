/**
 * graymesh's load generator, open loop: requests are due at a fixed rate whatever the
 * answers take; latency is measured from when a request was due, so a slow server shows
 * in the percentiles instead of silently lowering the rate (coordinated omission).
 * Connections are kept alive; at most `concurrency` requests are in flight. `graymesh
 * load` runs it, and so does an automatic release's load test.
 */
import http from 'node:http';
import https from 'node:https';
import { invalid } from '../api/errors.js';

export interface LoadOptions {
  rps: number;
  durationMs: number;
  concurrency: number;
  headers: Record<string, string>;
  host?: string;
  /** Called about five times a second while running (the progress bar). */
  onProgress?(p: LoadProgress): void;
  /** Stops sending early (an automatic release's load test ends with the release's analysis). */
  signal?: AbortSignal;
}

export interface LoadProgress {
  elapsedMs: number;
  totalMs: number;
  sent: number;
  done: number;
  errors: number;
}

export interface LoadSummary {
  url: string;
  /** Requests completed (any status) plus those that failed to connect. */
  requests: number;
  durationS: number;
  /** Target rate and achieved completion rate, req/s. */
  targetRps: number;
  rps: number;
  /** Answers by HTTP status. */
  statusCodes: Record<string, number>;
  /** Requests that got no HTTP answer (connection refused, reset, timeout). */
  errors: number;
  /** Latency from when each request was due, ms. */
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number | null; mean: number | null };
}

/** The q-quantile of sorted values, nearest rank. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

const round = (v: number | null): number | null => (v === null ? null : Number(v.toFixed(2)));

export async function runLoad(url: string, o: LoadOptions): Promise<LoadSummary> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw invalid(`${url}: not a URL; e.g. http://127.0.0.1:8080/productpage`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw invalid(`${url}: only http and https URLs`);
  const lib = target.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const headers: Record<string, string> = { ...o.headers };
  // `*.localhost` names the loopback (RFC 6761 §6.3), as browsers resolve it; the resolver here may not.
  const loopback = target.hostname === 'localhost' || target.hostname.endsWith('.localhost');
  if (o.host) headers.host = o.host;
  else if (loopback) headers.host = target.host;
  const latencies: number[] = [];
  const codes: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const start = performance.now();
  const total = Math.max(1, Math.floor((o.durationMs / 1000) * o.rps));

  const one = (dueAt: number): Promise<void> =>
    new Promise((resolve) => {
      const finish = (status: number | undefined): void => {
        latencies.push(performance.now() - dueAt);
        if (status === undefined) errors++;
        else codes[status] = (codes[status] ?? 0) + 1;
        inFlight--;
        waiting.shift()?.();
        resolve();
      };
      const req = lib.request(target, { method: 'GET', agent, headers, timeout: 30_000, ...(loopback ? { hostname: '127.0.0.1' } : {}) }, (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode));
        res.on('error', () => finish(undefined));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => finish(undefined));
      req.end();
    });

  const progress = o.onProgress
    ? setInterval(() => o.onProgress?.({ elapsedMs: performance.now() - start, totalMs: o.durationMs, sent, done: latencies.length, errors }), 200)
    : undefined;
  const pending: Promise<void>[] = [];
  try {
    for (let i = 0; i < total && !o.signal?.aborted; i++) {
      const dueAt = start + (i * 1000) / o.rps;
      const wait = dueAt - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (o.signal?.aborted) break;
      while (inFlight >= o.concurrency) await new Promise<void>((r) => waiting.push(r));
      inFlight++;
      sent++;
      pending.push(one(dueAt));
    }
    await Promise.all(pending);
  } finally {
    clearInterval(progress);
    agent.destroy();
  }
  const elapsed = (performance.now() - start) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
  o.onProgress?.({ elapsedMs: o.durationMs, totalMs: o.durationMs, sent, done: latencies.length, errors });
  return {
    url,
    requests: latencies.length,
    durationS: Number(elapsed.toFixed(2)),
    targetRps: o.rps,
    rps: Number((latencies.length / elapsed).toFixed(2)),
    statusCodes: codes,
    errors,
    latencyMs: {
      p50: round(quantile(sorted, 0.5)),
      p90: round(quantile(sorted, 0.9)),
      p99: round(quantile(sorted, 0.99)),
      max: round(sorted.at(-1) ?? null),
      mean: round(mean),
    },
  };
}
