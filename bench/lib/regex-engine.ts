/**
 * One regex engine's figures, in a process of its own (`npm run bench -- regex` starts one per
 * engine; V8's linear engine needs `--enable-experimental-regexp-engine`):
 *
 *   node [--enable-experimental-regexp-engine] dist/bench/lib/regex-engine.js re2|v8|v8-linear [reps]
 *
 * - `re2`: compileRe2, what the router runs (Google's RE2 through the `re2` package);
 * - `v8`: V8's backtracking engine, flags `u` (and `i`), as the router ran rule regexes before;
 * - `v8-linear`: V8's experimental linear-time engine, flag `l`, which takes neither `u` nor `i`.
 *
 * Prints one JSON line: per case, the samples (ns per match, µs per compile), or the reason the
 * engine refuses the pattern.
 */
import { compileRe2 } from '../../src/config/validate/re2.js';
import { userAgentRegex } from '../../src/config/release/user-agent.js';

type Engine = 're2' | 'v8' | 'v8-linear';

/** A pattern in RE2 syntax and the same pattern as a JavaScript RegExp (source and flags). */
interface Pattern {
  re2: string;
  js: string;
  jsFlags?: string;
}

export interface EngineResult {
  engine: Engine;
  /** µs to compile a new pattern and run it once, per repetition; or why the engine refuses it. */
  compile: Record<string, number[] | string>;
  /** ns per match of a typical header value, per repetition. */
  typical: Record<string, number[] | string>;
  /** ns per match by input length, per pattern. */
  scaling: Record<string, Record<number, number[] | string>>;
}

const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const UA_REGEX = userAgentRegex(['windows'], ['chrome']) as string;
const COOKIE_REGEX = '^(.*?;\\s*)?(user=jason)(;.*)?$';

/** A Cookie header of `n` characters ending with the pair the release's cookie regex looks for. */
function cookieOf(n: number): string {
  const pair = 'user=jason';
  let head = '';
  for (let i = 0; head.length + pair.length < n; i++) head += `k${i}=${'v'.repeat(8)}; `;
  return (head + pair).slice(-n);
}

export const TYPICAL: Record<string, { pattern: Pattern; input: string }> = {
  'header (?i)jason on "Jason"': { pattern: { re2: '(?i)jason', js: 'jason', jsFlags: 'i' }, input: 'Jason' },
  'uri /reviews/[0-9]+ on a 15-char path': { pattern: { re2: '/reviews/[0-9]+', js: '\\/reviews\\/[0-9]+' }, input: '/reviews/123456' },
  'release user-agent (Windows, Chrome) on Chrome\'s 111-char UA': { pattern: { re2: UA_REGEX, js: UA_REGEX }, input: CHROME_UA },
  'release cookie regex on a 200-char Cookie': { pattern: { re2: COOKIE_REGEX, js: COOKIE_REGEX }, input: cookieOf(200) },
};

export const SCALING: Record<string, { pattern: Pattern; input: (n: number) => string }> = {
  '(a+)+b on n a\'s': { pattern: { re2: '(a+)+b', js: '(a+)+b' }, input: (n) => 'a'.repeat(n) },
  'release cookie regex on a Cookie of n chars': { pattern: { re2: COOKIE_REGEX, js: COOKIE_REGEX }, input: cookieOf },
};

export const LENGTHS = [10, 100, 1000, 10000];
/** V8's backtracking engine on (a+)+b: each 5 more a's take 32 times as long; 30 took 55 s. */
export const BACKTRACKING_LENGTHS = [10, 20, 25];

function compiler(engine: Engine): (p: Pattern) => { test(s: string): boolean } {
  if (engine === 're2') return (p) => compileRe2(p.re2);
  const flags = engine === 'v8' ? 'u' : 'l';
  return (p) => new RegExp(`^(?:${p.js})$`, `${flags}${p.jsFlags ?? ''}`);
}

/**
 * Copies of `input` that are distinct string objects, as each request's header value is: the
 * `re2` package keeps the UTF-8 copy of the last string it was given, so one string object
 * matched again and again would skip a conversion every request pays.
 */
function copies(input: string): string[] {
  return Array.from({ length: 64 }, (_, i) => `${String.fromCharCode(48 + (i % 10))}${input}`.slice(1));
}

/** ns per match of `re` on `input`: doubling batches until one takes 30 ms (or one match is slower than that). */
function nsPerMatch(re: { test(s: string): boolean }, input: string): number {
  const inputs = copies(input);
  for (let i = 0; i < 100; i++) {
    const t = process.hrtime.bigint();
    re.test(inputs[i % 64] as string);
    if (Number(process.hrtime.bigint() - t) > 1e6) break; // slow: no warm-up needed, nor wanted
  }
  for (let n = 1; ; n *= 2) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) re.test(inputs[i & 63] as string);
    const ns = Number(process.hrtime.bigint() - t);
    if (ns >= 30e6) return ns / n;
  }
}

function samples(reps: number, measure: () => number): number[] | string {
  const out: number[] = [];
  try {
    for (let r = 0; r < reps; r++) out.push(measure());
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
  }
  return out;
}

/** µs to compile a pattern never seen (a distinct never-matching branch each time, past V8's regexp cache) and match once. */
function compileCost(compile: (p: Pattern) => { test(s: string): boolean }, p: Pattern, input: string): number {
  let i = 0;
  const n = 2000;
  const t = process.hrtime.bigint();
  for (; i < n; i++) {
    const suffix = `|\\x01${i}`;
    compile({ ...p, re2: p.re2 + suffix, js: p.js + suffix }).test(input);
  }
  return Number(process.hrtime.bigint() - t) / n / 1000;
}

export function measureEngine(engine: Engine, reps: number): EngineResult {
  const compile = compiler(engine);
  const result: EngineResult = { engine, compile: {}, typical: {}, scaling: {} };
  for (const [name, c] of Object.entries(TYPICAL)) {
    result.compile[name] = samples(reps, () => compileCost(compile, c.pattern, c.input));
    result.typical[name] = samples(reps, () => nsPerMatch(compile(c.pattern), c.input));
  }
  for (const [name, c] of Object.entries(SCALING)) {
    const lengths = engine === 'v8' && name.startsWith('(a+)+b') ? BACKTRACKING_LENGTHS : LENGTHS;
    const byLength: Record<number, number[] | string> = {};
    for (const n of lengths) {
      const input = c.input(n);
      byLength[n] = samples(reps, () => nsPerMatch(compile(c.pattern), input));
    }
    result.scaling[name] = byLength;
  }
  return result;
}

const ENGINES: readonly string[] = ['re2', 'v8', 'v8-linear'];

if (process.argv[1]?.endsWith('regex-engine.js')) {
  const engine = process.argv[2] ?? '';
  if (!ENGINES.includes(engine)) {
    process.stderr.write(`error: unknown engine "${engine}"; give one of ${ENGINES.join(', ')}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify(measureEngine(engine as Engine, Number(process.argv[3] ?? 3)))}\n`);
}
