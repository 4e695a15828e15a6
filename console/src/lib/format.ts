/** Plain formatting of rates, percentages, durations and times for the console. */

/** Requests per second: `0 req/s`, `0.42 req/s`, `12.3 req/s`, `1,240 req/s`. */
export function formatRps(rps: number | null | undefined): string {
  if (rps === null || rps === undefined || !Number.isFinite(rps)) return '–';
  if (rps === 0) return '0 req/s';
  if (rps < 10) return `${trim(rps.toFixed(2))} req/s`;
  if (rps < 100) return `${trim(rps.toFixed(1))} req/s`;
  return `${Math.round(rps).toLocaleString('en-US')} req/s`;
}

/** A percentage with as many decimals as it needs: `100%`, `99.9%`, `99.95%`. */
export function formatPercent(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  if (p >= 100) return '100%';
  if (p <= 0) return '0%';
  const digits = p >= 99 ? 2 : 1;
  return `${trim(p.toFixed(digits))}%`;
}

/** A duration in milliseconds: `0.4 ms`, `12 ms`, `1.25 s`, `2 min 5 s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${trim(ms.toFixed(2))} ms`;
  if (ms < 10) return `${trim(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trim((ms / 1000).toFixed(2))} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s > 0 ? `${min} min ${s} s` : `${min} min`;
}

/** How long ago: `5s`, `3m`, `2h`, `4d` (Kubernetes' AGE column). */
export function formatAge(iso: string | undefined, now: number = Date.now()): string {
  if (!iso) return '–';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '–';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** A clock time `14:03:27` for chart axes and trace starts (local time). */
export function formatClock(t: number | string): string {
  const d = new Date(typeof t === 'string' ? Date.parse(t) : t);
  if (Number.isNaN(d.getTime())) return '–';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A date and time `2026-11-26 14:03:27` (local time). */
export function formatDateTime(t: number | string): string {
  const d = new Date(typeof t === 'string' ? Date.parse(t) : t);
  if (Number.isNaN(d.getTime())) return '–';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(d.getTime())}`;
}

const DURATION_RE = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h)?\s*$/;
const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `100ms`, `1.5s`, `2m`, `1h` or a bare number of milliseconds; undefined when it is not one. */
export function parseDuration(s: string): number | undefined {
  const m = DURATION_RE.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
