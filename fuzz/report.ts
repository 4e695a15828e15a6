/** The fuzzer's printed report: explained classes with their reasons, then each unexplained disagreement in full. */
import { describe } from './http1/compare.js';
import type { Disagreement } from './http1/classify.js';
import type { FuzzReport } from './http1/fuzz.js';
import { quote } from './http1/message.js';

const MAX_SHOWN_BYTES = 600;

function shownBytes(bytes: string): string {
  const text = bytes.length > MAX_SHOWN_BYTES ? `${bytes.slice(0, MAX_SHOWN_BYTES)}…` : bytes;
  return `${quote(text)}${bytes.length > MAX_SHOWN_BYTES ? ` (${bytes.length} bytes)` : ''}`;
}

export function formatDisagreement(d: Disagreement): string {
  return [
    `case ${d.c.index}${d.c.splits.length ? ` (written in pieces cut at ${d.c.splits.join(', ')})` : ''}`,
    ...d.c.notes.map((n) => `    ${n}`),
    `  bytes:    ${shownBytes(d.c.bytes)}`,
    `  graymesh: ${describe(d.gm)}`,
    `  node:     ${describe(d.node)}`,
  ].join('\n');
}

export function formatReport(r: FuzzReport, show: number): string {
  const out: string[] = [`agreed: ${r.agreed.read} cases read alike, ${r.agreed.refused} refused alike`];
  if (r.explained.length > 0) {
    out.push('explained disagreements (graymesh stricter than llhttp):');
    for (const k of r.explained) out.push(`  ${String(k.count).padStart(6)}  ${k.cls.id} (e.g. case ${k.example.c.index}): ${k.cls.reason}`);
    // A replayed case (--cases 1 --first I) is shown whole, explained or not.
    if (r.cases === 1) for (const k of r.explained) out.push(formatDisagreement(k.example));
  }
  if (r.unexplained.length > 0) {
    out.push(`unexplained disagreements (${r.unexplained.length}, first ${Math.min(show, r.unexplained.length)} shown):`);
    for (const d of r.unexplained.slice(0, show)) out.push(formatDisagreement(d));
  }
  out.push(r.line);
  return `${out.join('\n')}\n`;
}
