/**
 * `graymesh load URL`: graymesh's open-loop load generator
 * (src/runtime/load-generator.ts) for trying the mesh out (the tutorial's
 * `watch curl`, with rates), with a progress bar and a summary.
 */
import { invalid } from '../../api/errors.js';
import { runLoad, type LoadProgress } from '../../runtime/load-generator.js';
import { parseDuration } from '../../telemetry/query/duration.js';
import { printData } from '../output.js';

export { quantile, runLoad, type LoadOptions, type LoadProgress, type LoadSummary } from '../../runtime/load-generator.js';

function progressBar(p: LoadProgress): string {
  const width = 30;
  const frac = Math.min(1, p.elapsedMs / p.totalMs);
  const filled = Math.round(frac * width);
  return `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(p.elapsedMs / 1000)}/${Math.round(p.totalMs / 1000)}s  sent ${p.sent}  done ${p.done}  errors ${p.errors} `;
}

export interface LoadFlags {
  rps: string;
  duration: string;
  concurrency?: string;
  header: string[];
  host?: string;
  output?: string;
}

export async function loadCmd(url: string, f: LoadFlags): Promise<number> {
  const rps = Number(f.rps);
  if (!(rps > 0) || rps > 100_000) throw invalid(`--rps ${f.rps}: a rate from 0 to 100000 requests per second`);
  const durationMs = parseDuration(f.duration, '--duration');
  if (!(durationMs > 0)) throw invalid('--duration: must be more than 0');
  const concurrency = f.concurrency === undefined ? Math.max(8, Math.ceil(rps)) : Number(f.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) throw invalid(`--concurrency ${f.concurrency}: an integer from 1 to 10000`);
  if (f.output !== undefined && f.output !== 'json' && f.output !== 'yaml') throw invalid(`-o ${f.output}: use json or yaml`);
  const headers: Record<string, string> = {};
  for (const h of f.header) {
    const i = h.indexOf(':');
    if (i <= 0) throw invalid(`--header ${h}: write NAME:VALUE, e.g. --header end-user:jason`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const tty = process.stderr.isTTY === true;
  const summary = await runLoad(url, {
    rps,
    durationMs,
    concurrency,
    headers,
    ...(f.host ? { host: f.host } : {}),
    ...(tty ? { onProgress: (p: LoadProgress) => process.stderr.write(progressBar(p)) } : {}),
  });
  if (tty) process.stderr.write('\n');
  if (f.output === 'json' || f.output === 'yaml') {
    printData(summary, f.output);
  } else {
    const codes = Object.entries(summary.statusCodes)
      .sort()
      .map(([c, n]) => `${c}: ${n}`)
      .join(', ');
    const ms = (v: number | null): string => (v === null ? '-' : `${v} ms`);
    process.stdout.write(
      [
        `requests:     ${summary.requests} in ${summary.durationS} s (${summary.rps} req/s, target ${summary.targetRps})`,
        `status codes: ${codes || '-'}${summary.errors ? `; ${summary.errors} without an answer` : ''}`,
        `latency:      p50 ${ms(summary.latencyMs.p50)}, p90 ${ms(summary.latencyMs.p90)}, p99 ${ms(summary.latencyMs.p99)}, max ${ms(summary.latencyMs.max)}`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}
