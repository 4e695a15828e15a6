/**
 * A layered left-to-right layout of the traffic graph, pure and deterministic:
 * the same graph always gets the same picture, so live updates move nothing
 * that did not change. Traffic enters at the gateway on the left.
 *
 * 1. Layers: the longest path from an entry (gateways first), back edges of
 *    cycles ignored (found by depth-first search).
 * 2. Groups: the nodes of one app form a block spanning the layers they sit
 *    in, as tall as the most nodes the app has in one layer.
 * 3. Placement: blocks are placed in order of their first layer, each as near
 *    as it can be to the mean height of what calls it, without overlapping a
 *    block that shares a layer with it.
 */

/** The part of a graph node the layout reads. */
export interface LayoutNodeInput {
  id: string;
  kind: string;
  app?: string | undefined;
  version?: string | undefined;
}

/** The part of a graph edge the layout reads. */
export interface LayoutEdgeInput {
  source: string;
  target: string;
}

/** A placed node. */
export interface PlacedNode {
  /** The node's id. */
  id: string;
  /** Column, 0 for entries. */
  layer: number;
  /** Centre, in px. */
  x: number;
  y: number;
  /** Group key (the app, or the node id for nodes without one). */
  group: string;
}

/** The box drawn around the nodes of one app. */
export interface PlacedGroup {
  /** Group key. */
  key: string;
  /** The app's name, shown above the box; undefined for single nodes. */
  label?: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A routed edge: an SVG path and where its label goes. */
export interface PlacedEdge {
  source: string;
  target: string;
  /** SVG path data from source to target. */
  path: string;
  labelX: number;
  labelY: number;
  /** A back edge of a cycle, drawn below the nodes. */
  back: boolean;
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  groups: PlacedGroup[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Horizontal distance between layers, px. */
  columnWidth: number;
  /** Vertical distance between node rows, px. */
  rowHeight: number;
  /** Margin around everything, px. */
  margin: number;
  /** Node radius, px (edges start and end on its rim). */
  nodeRadius: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { columnWidth: 175, rowHeight: 96, margin: 32, nodeRadius: 20 };

const KIND_ORDER: Record<string, number> = { gateway: 0, service: 1, workload: 2 };

function compareNodes(a: LayoutNodeInput, b: LayoutNodeInput): number {
  return (KIND_ORDER[a.kind] ?? 3) - (KIND_ORDER[b.kind] ?? 3) || (a.version ?? '').localeCompare(b.version ?? '') || a.id.localeCompare(b.id);
}

/** Assigns each node its layer: the longest path from an entry, cycles broken by DFS. */
export function assignLayers(nodes: LayoutNodeInput[], edges: LayoutEdgeInput[]): { layers: Map<string, number>; backEdges: Set<number> } {
  const ids = new Set(nodes.map((n) => n.id));
  const out = new Map<string, number[]>();
  const indeg = new Map<string, number>();
  for (const n of nodes) indeg.set(n.id, 0);
  edges.forEach((e, i) => {
    if (!ids.has(e.source) || !ids.has(e.target) || e.source === e.target) return;
    (out.get(e.source) ?? out.set(e.source, []).get(e.source)!).push(i);
    indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
  });
  // DFS from gateways, then from nodes nobody calls, then from the rest: edges to a node on the stack close a cycle.
  const sorted = [...nodes].sort(compareNodes);
  const starts = [
    ...sorted.filter((n) => n.kind === 'gateway'),
    ...sorted.filter((n) => n.kind !== 'gateway' && indeg.get(n.id) === 0),
    ...sorted,
  ];
  const state = new Map<string, 1 | 2>();
  const backEdges = new Set<number>();
  const order: string[] = [];
  for (const s of starts) {
    if (state.has(s.id)) continue;
    const stack: { id: string; next: number }[] = [{ id: s.id, next: 0 }];
    state.set(s.id, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const outs = out.get(top.id) ?? [];
      if (top.next < outs.length) {
        const ei = outs[top.next++]!;
        const t = edges[ei]!.target;
        const st = state.get(t);
        if (st === 1) backEdges.add(ei);
        else if (st === undefined) {
          state.set(t, 1);
          stack.push({ id: t, next: 0 });
        }
      } else {
        state.set(top.id, 2);
        order.push(top.id);
        stack.pop();
      }
    }
  }
  // Reverse post-order is a topological order of the graph without back edges.
  const layers = new Map<string, number>();
  for (const id of order.reverse()) {
    if (!layers.has(id)) layers.set(id, 0);
    const l = layers.get(id)!;
    for (const ei of out.get(id) ?? []) {
      if (backEdges.has(ei)) continue;
      const t = edges[ei]!.target;
      if ((layers.get(t) ?? -1) < l + 1) layers.set(t, l + 1);
    }
  }
  return { layers, backEdges };
}

interface Block {
  key: string;
  label?: string;
  first: number;
  last: number;
  /** Rows the block needs. */
  rows: number;
  /** Top row, once placed. */
  top: number;
  members: LayoutNodeInput[];
}

function overlaps(a: Block, b: Block, top: number): boolean {
  return a.first <= b.last && b.first <= a.last && top < b.top + b.rows && b.top < top + a.rows;
}

/** The free top row nearest to `want` for block b among the placed ones. */
function nearestFree(b: Block, want: number, placed: Block[]): number {
  const candidates = new Set<number>([want]);
  for (const p of placed) {
    if (p.first <= b.last && b.first <= p.last) {
      candidates.add(p.top + p.rows);
      candidates.add(p.top - b.rows);
    }
  }
  let best: number | undefined;
  for (const c of [...candidates].sort((x, y) => Math.abs(x - want) - Math.abs(y - want) || y - x)) {
    if (!placed.some((p) => overlaps(b, p, c))) {
      best = c;
      break;
    }
  }
  return best ?? Math.max(0, ...placed.map((p) => p.top + p.rows));
}

/** Lays out the graph left to right. */
export function layoutGraph(nodes: LayoutNodeInput[], edges: LayoutEdgeInput[], opts: LayoutOptions = DEFAULT_LAYOUT): Layout {
  const { layers, backEdges } = assignLayers(nodes, edges);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const groupOf = (n: LayoutNodeInput): string => (n.kind !== 'gateway' && n.app ? `app:${n.app}` : `node:${n.id}`);

  const blocks = new Map<string, Block>();
  for (const n of [...nodes].sort(compareNodes)) {
    const key = groupOf(n);
    const l = layers.get(n.id) ?? 0;
    const b = blocks.get(key);
    if (b) {
      b.first = Math.min(b.first, l);
      b.last = Math.max(b.last, l);
      b.members.push(n);
    } else {
      blocks.set(key, { key, ...(key.startsWith('app:') ? { label: n.app } : {}), first: l, last: l, rows: 1, top: 0, members: [n] });
    }
  }
  const rowInBlock = new Map<string, number>();
  for (const b of blocks.values()) {
    const perLayer = new Map<number, number>();
    for (const n of b.members) {
      const l = layers.get(n.id) ?? 0;
      const i = perLayer.get(l) ?? 0;
      rowInBlock.set(n.id, i);
      perLayer.set(l, i + 1);
    }
    b.rows = Math.max(1, ...perLayer.values());
    // Centre shorter columns of the block on its height.
    for (const n of b.members) {
      const count = perLayer.get(layers.get(n.id) ?? 0) ?? 1;
      rowInBlock.set(n.id, (rowInBlock.get(n.id) ?? 0) + (b.rows - count) / 2);
    }
  }

  const callers = new Map<string, Set<string>>();
  edges.forEach((e, i) => {
    if (backEdges.has(i) || !byId.has(e.source) || !byId.has(e.target)) return;
    const s = groupOf(byId.get(e.source)!);
    const t = groupOf(byId.get(e.target)!);
    if (s !== t) (callers.get(t) ?? callers.set(t, new Set()).get(t)!).add(s);
  });
  const ordered = [...blocks.values()].sort((a, b) => a.first - b.first || a.key.localeCompare(b.key));
  const placed: Block[] = [];
  for (const b of ordered) {
    const from = [...(callers.get(b.key) ?? [])].map((k) => blocks.get(k)!).filter((c) => placed.includes(c));
    const want = from.length > 0 ? Math.round(from.reduce((s, c) => s + c.top + c.rows / 2, 0) / from.length - b.rows / 2) : 0;
    b.top = nearestFree(b, want, placed);
    placed.push(b);
  }
  const minTop = Math.min(0, ...placed.map((b) => b.top));
  for (const b of placed) b.top -= minTop;

  const { columnWidth: cw, rowHeight: rh, margin: m, nodeRadius: r } = opts;
  const placedNodes = new Map<string, PlacedNode>();
  for (const b of placed) {
    for (const n of b.members) {
      const layer = layers.get(n.id) ?? 0;
      placedNodes.set(n.id, { id: n.id, layer, group: b.key, x: m + layer * cw + cw / 2, y: m + (b.top + (rowInBlock.get(n.id) ?? 0)) * rh + rh / 2 });
    }
  }
  const groups: PlacedGroup[] = placed
    .filter((b) => b.label !== undefined)
    .map((b) => ({
      key: b.key,
      ...(b.label !== undefined ? { label: b.label } : {}),
      x: m + b.first * cw + 14,
      y: m + b.top * rh + 8,
      width: (b.last - b.first + 1) * cw - 28,
      height: b.rows * rh - 16,
    }));

  const placedEdges: PlacedEdge[] = [];
  edges.forEach((e, i) => {
    const s = placedNodes.get(e.source);
    const t = placedNodes.get(e.target);
    if (!s || !t || e.source === e.target) return;
    placedEdges.push({ source: e.source, target: e.target, back: backEdges.has(i), ...routeEdge(s, t, backEdges.has(i), r, rh) });
  });
  const maxLayer = Math.max(0, ...[...placedNodes.values()].map((n) => n.layer));
  const maxRow = Math.max(1, ...placed.map((b) => b.top + b.rows));
  return { nodes: placedNodes, groups, edges: placedEdges, width: 2 * m + (maxLayer + 1) * cw, height: 2 * m + maxRow * rh + rh / 2 };
}

/** A cubic curve from the right of s to the left of t; back edges loop underneath. */
export function routeEdge(s: PlacedNode, t: PlacedNode, back: boolean, r: number, rh: number): { path: string; labelX: number; labelY: number } {
  const f = (v: number): string => String(Math.round(v * 10) / 10);
  if (back || t.x <= s.x) {
    const dip = Math.max(s.y, t.y) + rh * 0.6;
    const x1 = s.x;
    const x2 = t.x;
    return { path: `M${f(x1)},${f(s.y + r)} C${f(x1)},${f(dip)} ${f(x2)},${f(dip)} ${f(x2)},${f(t.y + r)}`, labelX: (x1 + x2) / 2, labelY: dip - rh * 0.12 };
  }
  const x1 = s.x + r;
  const x2 = t.x - r - 6;
  const dx = (x2 - x1) / 2;
  return { path: `M${f(x1)},${f(s.y)} C${f(x1 + dx)},${f(s.y)} ${f(x2 - dx)},${f(t.y)} ${f(x2)},${f(t.y)}`, labelX: (x1 + x2) / 2, labelY: (s.y + t.y) / 2 };
}
