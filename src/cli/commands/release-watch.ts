/**
 * `graymesh release watch NAME`: follows an automatic release until it ends. In a terminal
 * a live view (phase, step k of n, a weight bar, the last checks), redrawn in place; else
 * one plain line per change and per check. Exits 0 on Succeeded, 1 on Failed.
 */
import type { AnalysisCheck, Release } from '../../config/release/types.js';
import type { ApiClient } from '../client.js';

const BAR = 30;
const SHOWN_CHECKS = 6;

export function weightBar(weight: number): string {
  const filled = Math.round((Math.max(0, Math.min(100, weight)) / 100) * BAR);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}]`;
}

const clock = (iso: string): string => iso.slice(11, 19);

export function checkLine(c: AnalysisCheck): string {
  const value = c.value === null ? '-' : String(c.value);
  return `${clock(c.time)}  ${c.metric.padEnd(22)} ${c.version.padEnd(6)} ${value.padStart(9)}  ${c.threshold.padEnd(14)} ${String(c.requests).padStart(6)} req  ${c.verdict}${c.reason && c.verdict !== 'pass' ? ` (${c.reason})` : ''}`;
}

function newWeight(r: Release): number {
  const v = r.spec?.newVersion.version;
  return r.status?.versions.find((x) => x.version === v)?.weight ?? 0;
}

function stepOf(r: Release): string {
  const a = r.status?.analysis;
  return a ? `step ${Math.min(a.step + 1, a.steps)} of ${a.steps}` : 'not started';
}

/** The live view of a release, as lines. */
export function view(r: Release): string[] {
  const spec = r.spec!;
  const st = r.status;
  const lines = [
    `release ${r.metadata.name} (${spec.type} of ${spec.service}, ${spec.principal} → ${spec.newVersion.version}): ${st?.phase ?? 'Pending'}`,
    `${stepOf(r).padEnd(14)} ${weightBar(newWeight(r))} ${spec.newVersion.version} ${newWeight(r)}%`,
    `  ${st?.message ?? ''}`,
  ];
  const checks = st?.analysis?.checks ?? [];
  if (checks.length > 0) lines.push('last checks:', ...checks.slice(-SHOWN_CHECKS).map((c) => `  ${checkLine(c)}`));
  return lines;
}

export async function releaseWatch(client: ApiClient, path: string, opts: { tty: boolean; pollMs?: number; write?: (s: string) => void }): Promise<number> {
  const write = opts.write ?? ((s: string) => process.stdout.write(s));
  let drawn = 0;
  let lastLine = '';
  let seenChecks = -1;
  for (;;) {
    const r = await client.get<Release>(path);
    const checks = r.status?.analysis?.checks ?? [];
    if (opts.tty) {
      const lines = view(r);
      write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${lines.join('\n')}\n`);
      drawn = lines.length;
    } else {
      // The first look shows only the last check; later ones each new check once.
      const from = seenChecks < 0 ? Math.max(0, checks.length - 1) : seenChecks;
      for (const c of checks.slice(from)) write(`check ${checkLine(c)}\n`);
      seenChecks = checks.length;
      const line = `${r.status?.phase ?? 'Pending'} ${stepOf(r)} ${r.spec?.newVersion.version}=${newWeight(r)}%: ${r.status?.message ?? ''}`;
      if (line !== lastLine) write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
      lastLine = line;
    }
    const phase = r.status?.phase;
    if (phase === 'Succeeded') return 0;
    if (phase === 'Failed') return 1;
    if (!r.spec?.analysis) {
      write(`release ${r.metadata.name} has no spec.analysis: it moves only by hand\n`);
      return 1;
    }
    await new Promise((res) => setTimeout(res, opts.pollMs ?? 500));
  }
}
