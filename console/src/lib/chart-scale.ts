/** Scales, ticks and paths for the console's small SVG charts, pure. */

export interface Scale {
  (v: number): number;
  domain: [number, number];
  ticks: number[];
}

/** A linear scale from [d0, d1] to [r0, r1]; with nice=true the domain widens to round ticks. */
export function linearScale(d0: number, d1: number, r0: number, r1: number, nice = false, tickCount = 4): Scale {
  let lo = d0;
  let hi = d1;
  if (!(hi > lo)) hi = lo + 1;
  let ticks: number[] = [];
  if (nice) {
    const step = niceStep((hi - lo) / tickCount);
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
    for (let t = lo; t <= hi + step * 1e-9; t += step) ticks.push(Math.round(t / step) * step);
  } else {
    ticks = [lo, hi];
  }
  const f = ((v: number) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0)) as Scale;
  f.domain = [lo, hi];
  f.ticks = ticks;
  return f;
}

/** 1, 2 or 5 × 10^n, the smallest at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw - 1e-12) ?? 10 * mag);
}

/** An SVG path through the points; a null value breaks the line (no data is not zero). */
export function linePath(points: { x: number; y: number | null }[]): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${round(p.x)},${round(p.y)}`;
    pen = true;
  }
  return d;
}

/** The largest finite value, or `fallback` when there is none. */
export function maxOf(values: (number | null | undefined)[], fallback = 0): number {
  let m = -Infinity;
  for (const v of values) if (v !== null && v !== undefined && Number.isFinite(v) && v > m) m = v;
  return m === -Infinity ? fallback : m;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
