/** Output formats of `get` and friends: a table, wide table, JSON or YAML. */
import { stringify } from 'yaml';

export type Format = 'table' | 'wide' | 'json' | 'yaml';

export function parseFormat(o: string | undefined): Format {
  if (o === undefined) return 'table';
  if (o === 'json' || o === 'yaml' || o === 'wide') return o;
  throw new Error(`-o ${o}: unknown output format; use json, yaml or wide`);
}

export function printData(data: unknown, format: 'json' | 'yaml'): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : stringify(data, { lineWidth: 0 }));
}

/** Prints rows under headers, columns padded to their widest cell. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  process.stdout.write(`${line(headers)}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

/** Kubernetes-style age: 5s, 3m, 2h, 4d. */
export function age(ts: string | undefined): string {
  if (!ts) return '-';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
