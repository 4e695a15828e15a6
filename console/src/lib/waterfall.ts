/**
 * The trace waterfall, pure: spans arranged as a tree (children under their
 * parent, in start order), each row's offset and width as a share of the
 * trace, and which rows a collapsed span hides. Spans whose parent is not in
 * the trace (a lost span, or an application's own root) become roots.
 */

/** The part of a span the waterfall reads. */
export interface WaterfallSpanInput {
  spanId: string;
  parentSpanId?: string | null | undefined;
  start: number | string;
  durationMs: number;
  service: string;
  operation: string;
}

/** One row of the waterfall. */
export interface WaterfallRow<S extends WaterfallSpanInput = WaterfallSpanInput> {
  /** The span drawn on this row. */
  span: S;
  /** Depth in the tree, 0 for roots. */
  depth: number;
  /** Start relative to the trace start, ms. */
  offsetMs: number;
  /** Left edge of the bar, % of the trace duration. */
  leftPct: number;
  /** Width of the bar, % of the trace duration (never below a visible minimum). */
  widthPct: number;
  /** Number of spans directly under this one. */
  childCount: number;
  /** Whether its children are hidden. */
  collapsed: boolean;
}

export interface Waterfall<S extends WaterfallSpanInput = WaterfallSpanInput> {
  /** Visible rows, in tree order. */
  rows: WaterfallRow<S>[];
  /** Trace start, epoch ms. */
  startMs: number;
  /** From the first span's start to the last span's end, ms. */
  durationMs: number;
  /** Tree depth of the deepest span. */
  maxDepth: number;
  /** Every span count, visible or not. */
  total: number;
}

/** Smallest bar width, % of the trace, so a 0 ms span still shows. */
export const MIN_BAR_PCT = 0.3;

export function toEpochMs(t: number | string): number {
  return typeof t === 'number' ? t : Date.parse(t);
}

/** Builds the visible rows; spans under an id in `collapsed` are hidden. */
export function buildWaterfall<S extends WaterfallSpanInput>(spans: S[], collapsed: ReadonlySet<string> = new Set()): Waterfall<S> {
  if (spans.length === 0) return { rows: [], startMs: 0, durationMs: 0, maxDepth: 0, total: 0 };
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, S[]>();
  const roots: S[] = [];
  for (const s of spans) {
    const p = s.parentSpanId;
    if (p && ids.has(p) && p !== s.spanId) (children.get(p) ?? children.set(p, []).get(p)!).push(s);
    else roots.push(s);
  }
  const byStart = (a: S, b: S): number => toEpochMs(a.start) - toEpochMs(b.start) || a.spanId.localeCompare(b.spanId);
  roots.sort(byStart);
  for (const c of children.values()) c.sort(byStart);

  const startMs = Math.min(...spans.map((s) => toEpochMs(s.start)));
  const endMs = Math.max(...spans.map((s) => toEpochMs(s.start) + Math.max(0, s.durationMs)));
  const durationMs = Math.max(endMs - startMs, 0.001);
  const rows: WaterfallRow<S>[] = [];
  let maxDepth = 0;
  const seen = new Set<string>();
  // Depth-first with an explicit stack (a deep trace must not overflow the call stack).
  const stack: { span: S; depth: number; visible: boolean }[] = roots.map((span) => ({ span, depth: 0, visible: true })).reverse();
  while (stack.length > 0) {
    const { span, depth, visible } = stack.pop()!;
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    maxDepth = Math.max(maxDepth, depth);
    const kids = children.get(span.spanId) ?? [];
    const isCollapsed = collapsed.has(span.spanId);
    if (visible) {
      const offsetMs = toEpochMs(span.start) - startMs;
      const leftPct = Math.min(100 - MIN_BAR_PCT, (offsetMs / durationMs) * 100);
      const widthPct = Math.min(100 - leftPct, Math.max(MIN_BAR_PCT, (Math.max(0, span.durationMs) / durationMs) * 100));
      rows.push({ span, depth, offsetMs, leftPct, widthPct, childCount: kids.length, collapsed: isCollapsed && kids.length > 0 });
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: depth + 1, visible: visible && !isCollapsed });
  }
  return { rows, startMs, durationMs, maxDepth, total: spans.length };
}

/** Round tick values for the time axis: 0 and 4–6 steps of 1, 2 or 5 × 10^n ms. */
export function timeTicks(durationMs: number, target = 5): number[] {
  if (!(durationMs > 0)) return [0];
  const raw = durationMs / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = 0; t <= durationMs + step * 1e-9; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  return ticks;
}

/** Every span id that has children: what "collapse all" collapses. */
export function parentsOf(spans: WaterfallSpanInput[]): Set<string> {
  const ids = new Set(spans.map((s) => s.spanId));
  const out = new Set<string>();
  for (const s of spans) if (s.parentSpanId && ids.has(s.parentSpanId)) out.add(s.parentSpanId);
  return out;
}
