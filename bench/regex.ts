/**
 * `npm run bench -- regex`: rule regexes on RE2 (what the router runs) beside V8's backtracking
 * engine (what it ran before) and V8's experimental linear engine, each engine in a process of
 * its own (bench/lib/regex-engine.ts): compile cost, match cost on typical header values, and
 * match time against input length for a pattern that backtracks exponentially and a typical one.
 */
import { fig, median, type Figure } from './lib/figures.js';
import { runJson } from './lib/processes.js';
import { LENGTHS, SCALING, TYPICAL, type EngineResult } from './lib/regex-engine.js';
import { script } from './lib/env.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);

type Samples = number[] | string | undefined;

const engineRun = (engine: string, nodeArgs: string[] = []): Promise<EngineResult> => runJson<EngineResult>(script('regex-engine'), [engine, String(REPS)], nodeArgs);

/** The median of samples, or undefined when the engine refused the pattern. */
const mid = (s: Samples): number | undefined => (Array.isArray(s) ? median(s) : undefined);

/** What V8's linear engine did with a case, for the note. */
function linearNote(s: Samples, unit: string, scale = 1): string {
  if (typeof s === 'string') return `V8 linear engine refuses it (${s})`;
  const v = mid(s);
  return v === undefined ? '' : `V8 linear engine: ${(v / scale).toFixed(3)} ${unit}`;
}

function perCase(name: string, re2: Samples, v8: Samples, linear: Samples, unit: string, scale = 1): Figure {
  const values = Array.isArray(re2) ? re2.map((x) => x / scale) : [];
  const base = mid(v8);
  return fig('regex', name, values, unit, {
    ...(base !== undefined ? { baseline: { name: 'V8 backtracking', value: base / scale } } : {}),
    note: linearNote(linear, unit, scale),
  });
}

function scalingFigures(re2: EngineResult, v8: EngineResult, linear: EngineResult): Figure[] {
  const out: Figure[] = [];
  for (const name of Object.keys(SCALING)) {
    const perChar: Record<number, number> = {};
    for (const n of LENGTHS) {
      const s = re2.scaling[name]?.[n];
      const v = mid(s);
      if (v !== undefined) perChar[n] = v / n;
      const base = mid(v8.scaling[name]?.[n]);
      const last = n === LENGTHS.at(-1);
      const before = perChar[LENGTHS.at(-2) as number];
      out.push(
        fig('regex', `re2: ${name.replace(' n ', ` ${n} `)}`, Array.isArray(s) ? s.map((x) => x / 1000) : [], 'µs', {
          ...(base !== undefined ? { baseline: { name: 'V8 backtracking', value: base / 1000 } } : {}),
          ...(last && before !== undefined && v !== undefined ? { goal: 'linear: ns/char ≤ 2× that at 1,000', met: v / n <= 2 * before } : {}),
          note: `${(v === undefined ? NaN : v / n).toFixed(1)} ns/char; ${linearNote(linear.scaling[name]?.[n], 'µs', 1000)}`,
        }),
      );
    }
  }
  const bomb = Object.keys(SCALING)[0] as string;
  for (const [n, s] of Object.entries(v8.scaling[bomb] ?? {})) {
    out.push(fig('regex', `V8 backtracking: ${bomb.replace(' n ', ` ${n} `)}`, Array.isArray(s) ? s.map((x) => x / 1000) : [], 'µs', { note: 'the engine rule regexes ran on before' }));
  }
  return out;
}

export async function regex(): Promise<Figure[]> {
  const re2 = await engineRun('re2');
  const v8 = await engineRun('v8');
  const linear = await engineRun('v8-linear', ['--enable-experimental-regexp-engine']);
  const out: Figure[] = [];
  for (const name of Object.keys(TYPICAL)) out.push(perCase(`compile + first match: ${name}`, re2.compile[name], v8.compile[name], linear.compile[name], 'µs'));
  for (const name of Object.keys(TYPICAL)) out.push(perCase(`match: ${name}`, re2.typical[name], v8.typical[name], linear.typical[name], 'ns'));
  out.push(...scalingFigures(re2, v8, linear));
  return out;
}
