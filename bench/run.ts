/**
 * `npm run bench [-- NAME ...] [-- --json FILE]`: runs the benchmarks, prints a
 * table of figures beside their same-run baselines, and writes it as markdown
 * and JSON (bench/results/latest.{md,json}, and FILE with --json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib/env.js';
import { toMarkdown, toTable, type Figure } from './lib/figures.js';
import * as suites from './suites.js';
import { restart } from './restart.js';
import { h2 } from './h2.js';
import { system } from './system.js';

const ALL: Record<string, () => Promise<Figure[]>> = {
  latency: suites.latency,
  throughput: suites.throughput,
  tracing: suites.tracing,
  memory: suites.memory,
  convergence: suites.convergence,
  instance: suites.instance,
  split: suites.split,
  matching: suites.matching,
  regex: suites.regex,
  external: suites.external,
  restart,
  h2,
  system,
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  const names = args.filter((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1));
  for (const n of names) {
    if (!ALL[n]) {
      process.stderr.write(`error: unknown benchmark "${n}"; the benchmarks are: ${Object.keys(ALL).join(', ')}\n`);
      process.exit(1);
    }
  }
  // `system` starts whole instances and takes minutes: it runs when named.
  const chosen = names.length > 0 ? names : Object.keys(ALL).filter((n) => n !== 'system');
  const figures: Figure[] = [];
  const started = Date.now();
  for (const name of chosen) {
    process.stderr.write(`bench: ${name}...\n`);
    const t = Date.now();
    try {
      figures.push(...(await ALL[name]!()));
    } catch (err) {
      process.stderr.write(`bench: ${name} failed: ${(err as Error).message}\n`);
      figures.push({ group: name, name: 'failed', value: NaN, unit: '', note: (err as Error).message.split('\n')[0] ?? '' });
    }
    process.stderr.write(`bench: ${name} done in ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const header = `Command: \`npm run bench${names.length ? ` -- ${names.join(' ')}` : ''}\` — ${new Date().toISOString()} — ${machine} — ${((Date.now() - started) / 1000).toFixed(0)} s`;
  process.stdout.write(`${header}\n\n${toTable(figures)}\n`);
  const dir = path.join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const doc = { command: `npm run bench${names.length ? ` -- ${names.join(' ')}` : ''}`, date: new Date().toISOString(), machine, figures };
  writeFileSync(path.join(dir, 'latest.md'), toMarkdown(figures, header));
  writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(doc, null, 2));
  if (jsonFile) writeFileSync(path.resolve(jsonFile), JSON.stringify(doc, null, 2));
  process.exit(0);
}

void main();
