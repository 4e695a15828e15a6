/**
 * `npm run fuzz -- http1 [--cases N] [--seed S] [--first I] [--concurrency C] [--show K]`:
 * differential fuzzing of the data plane's HTTP/1.1 listener against Node's
 * http server (llhttp). Runs cases I .. I + N - 1 of seed S (`--cases 1
 * --first I` replays one), prints the explained disagreement classes, the
 * first K unexplained disagreements in full, and ends with one line
 * `fuzz http1: N cases, D disagreements, U unexplained`; exits 1 when U > 0.
 */
import { fuzzHttp1 } from './http1/fuzz.js';
import { formatReport } from './report.js';

const TARGETS = ['http1'];

interface Args {
  target: string;
  cases: number;
  seed: number;
  first: number;
  concurrency: number;
  show: number;
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { target: '', cases: 2000, seed: 1, first: 0, concurrency: 24, show: 20 };
  const numeric: Record<string, keyof Omit<Args, 'target'>> = { '--cases': 'cases', '--seed': 'seed', '--first': 'first', '--concurrency': 'concurrency', '--show': 'show' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const key = numeric[a];
    if (key) {
      const v = argv[++i];
      if (v === undefined || !/^\d+$/.test(v)) fail(`fuzz option ${a} needs a whole number, e.g. ${a} 100 (got ${v === undefined ? 'nothing' : JSON.stringify(v)})`);
      args[key] = Number(v);
    } else if (a.startsWith('--')) {
      fail(`fuzz option ${a} is unknown; the options are ${Object.keys(numeric).join(', ')}`);
    } else if (args.target) {
      fail(`fuzz takes one target, got "${args.target}" and "${a}"`);
    } else {
      args.target = a;
    }
  }
  if (!TARGETS.includes(args.target)) fail(`fuzz target ${args.target ? `"${args.target}" is unknown` : 'is missing'}; the targets are: ${TARGETS.join(', ')} (npm run fuzz -- http1 --cases 2000 --seed 1)`);
  if (args.concurrency < 1) fail('fuzz option --concurrency must be at least 1');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  process.stderr.write(`fuzz http1: ${args.cases} cases from case ${args.first} of seed ${args.seed}, ${args.concurrency} at a time\n`);
  const report = await fuzzHttp1(args);
  process.stderr.write(`fuzz http1: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(formatReport(report, args.show));
  process.exit(report.unexplained.length > 0 ? 1 : 0);
}

void main();
