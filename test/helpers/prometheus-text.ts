/**
 * Reads Prometheus text exposition format 0.0.4 back for tests, and runs
 * `promtool check metrics` (Debian package `prometheus`) on it when installed.
 */
import { spawnSync } from 'node:child_process';

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed exposition: samples in order, and the TYPE and HELP of each family. */
export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  help: Map<string, string>;
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const n = Number(s);
  if (s === '' || Number.isNaN(n)) throw new Error(`not a sample value: "${s}"`);
  return n;
}

/** Parses the text format strictly enough to catch escaping and syntax mistakes; throws on any. */
export function parseExposition(text: string): Exposition {
  const out: Exposition = { samples: [], types: new Map(), help: new Map() };
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (!m) continue;
      if (m[1] === 'TYPE') out.types.set(m[2] as string, m[3] as string);
      else out.help.set(m[2] as string, (m[3] as string).replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')));
      continue;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`bad metric name in "${line}"`);
    const name = nameMatch[0];
    let i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
        if (!lm) throw new Error(`bad label at ${i} in "${line}"`);
        i += lm[0].length;
        let v = '';
        for (;;) {
          const c = line[i];
          if (c === undefined) throw new Error(`unterminated label value in "${line}"`);
          if (c === '"') break;
          if (c === '\\') {
            const e = line[i + 1];
            if (e === 'n') v += '\n';
            else if (e === '\\' || e === '"') v += e;
            else throw new Error(`bad escape \\${e} in "${line}"`);
            i += 2;
            continue;
          }
          v += c;
          i++;
        }
        i++;
        if ((lm[1] as string) in labels) throw new Error(`duplicate label ${lm[1]} in "${line}"`);
        labels[lm[1] as string] = v;
        if (line[i] === ',') i++;
        else if (line[i] !== '}') throw new Error(`expected , or } at ${i} in "${line}"`);
      }
      i++;
    }
    if (line[i] !== ' ') throw new Error(`expected a space before the value in "${line}"`);
    const rest = line.slice(i + 1).split(' ');
    out.samples.push({ name, labels, value: parseValue(rest[0] as string) });
  }
  return out;
}

/** The samples named `name` whose labels include `match`. */
export function samples(e: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** Whether promtool is on the PATH. */
export function hasPromtool(): boolean {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Runs `promtool check metrics` on `text`. `problems` lists what it reported,
 * except the one lint Istio's own naming always triggers: promtool wants base
 * units ("seconds") but Istio and Kiali name the family
 * istio_request_duration_milliseconds, so graymesh keeps that name.
 * `code` is promtool's exit code: 0 clean, 3 lint problems, 1 unparsable input.
 */
export function promtoolCheck(text: string): { code: number; problems: string[]; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const problems = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^istio_request_duration_milliseconds use base unit "seconds" instead of "milliseconds"$/.test(l));
  return { code: r.status ?? -1, problems, output };
}
