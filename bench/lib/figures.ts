/** Benchmark figures: each beside a baseline measured in the same run, with their ratio. */

export interface Figure {
  /** Benchmark group, e.g. latency. */
  group: string;
  name: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run. */
  baseline?: { name: string; value: number };
  /** value / baseline. */
  ratio?: number;
  /** Min and max over the repetitions (value is their median). */
  spread?: [number, number];
  /** The goal, in words, and whether this run met it. */
  goal?: string;
  met?: boolean;
  note?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

export function spreadOf(xs: number[]): [number, number] {
  return [Math.min(...xs), Math.max(...xs)];
}

export function fig(group: string, name: string, values: number[], unit: string, extra: Partial<Figure> = {}): Figure {
  const f: Figure = { group, name, value: median(values), unit, ...extra };
  if (values.length > 1) f.spread = spreadOf(values);
  if (f.baseline && f.baseline.value !== 0) f.ratio = f.value / f.baseline.value;
  return f;
}

const num = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3));

export function toMarkdown(figures: Figure[], header: string): string {
  const lines = [header, '', '| group | figure | value | spread | baseline | ratio | goal |', '|---|---|---|---|---|---|---|'];
  for (const f of figures) {
    lines.push(
      `| ${f.group} | ${f.name} | ${num(f.value)} ${f.unit} | ${f.spread ? `${num(f.spread[0])}–${num(f.spread[1])}` : ''} | ${f.baseline ? `${f.baseline.name}: ${num(f.baseline.value)}` : ''} | ${f.ratio !== undefined ? f.ratio.toFixed(2) : ''} | ${f.goal ? `${f.goal} ${f.met === undefined ? '' : f.met ? '✔' : '✘'}` : ''}${f.note ? ` ${f.note}` : ''} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function toTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.group,
    f.name,
    `${num(f.value)} ${f.unit}`,
    f.spread ? `${num(f.spread[0])}-${num(f.spread[1])}` : '',
    f.baseline ? `${f.baseline.name} ${num(f.baseline.value)}` : '',
    f.ratio !== undefined ? f.ratio.toFixed(2) : '',
    f.goal ? `${f.goal}${f.met === undefined ? '' : f.met ? ' ok' : ' MISSED'}` : '',
  ]);
  const head = ['GROUP', 'FIGURE', 'VALUE', 'SPREAD', 'BASELINE', 'RATIO', 'GOAL'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
