import { describe, expect, it } from 'vitest';
import { assignLayers, layoutGraph, type LayoutEdgeInput, type LayoutNodeInput } from './graph-layout';

/** Bookinfo as the versioned-app graph draws it: gateway → productpage → details, reviews (two versions) → ratings. */
const NODES: LayoutNodeInput[] = [
  { id: 'gw', kind: 'gateway' },
  { id: 'wl:productpage-v1', kind: 'workload', app: 'productpage', version: 'v1' },
  { id: 'svc:details', kind: 'service', app: 'details' },
  { id: 'wl:details-v1', kind: 'workload', app: 'details', version: 'v1' },
  { id: 'svc:reviews', kind: 'service', app: 'reviews' },
  { id: 'wl:reviews-v2', kind: 'workload', app: 'reviews', version: 'v2' },
  { id: 'wl:reviews-v1', kind: 'workload', app: 'reviews', version: 'v1' },
  { id: 'svc:ratings', kind: 'service', app: 'ratings' },
  { id: 'wl:ratings-v1', kind: 'workload', app: 'ratings', version: 'v1' },
];
const EDGES: LayoutEdgeInput[] = [
  { source: 'gw', target: 'wl:productpage-v1' },
  { source: 'wl:productpage-v1', target: 'svc:details' },
  { source: 'svc:details', target: 'wl:details-v1' },
  { source: 'wl:productpage-v1', target: 'svc:reviews' },
  { source: 'svc:reviews', target: 'wl:reviews-v1' },
  { source: 'svc:reviews', target: 'wl:reviews-v2' },
  { source: 'wl:reviews-v1', target: 'svc:ratings' },
  { source: 'wl:reviews-v2', target: 'svc:ratings' },
  { source: 'svc:ratings', target: 'wl:ratings-v1' },
];

describe('graph layout', () => {
  it('puts the gateway first and every callee right of its caller', () => {
    const { layers } = assignLayers(NODES, EDGES);
    expect(layers.get('gw')).toBe(0);
    expect(layers.get('wl:productpage-v1')).toBe(1);
    expect(layers.get('svc:reviews')).toBe(2);
    expect(layers.get('wl:reviews-v1')).toBe(3);
    expect(layers.get('wl:ratings-v1')).toBe(5);
    const l = layoutGraph(NODES, EDGES);
    for (const e of EDGES) expect(l.nodes.get(e.target)!.x).toBeGreaterThan(l.nodes.get(e.source)!.x);
  });

  it('stacks the versions of one app in one column, in version order', () => {
    const l = layoutGraph(NODES, EDGES);
    const v1 = l.nodes.get('wl:reviews-v1')!;
    const v2 = l.nodes.get('wl:reviews-v2')!;
    expect(v1.x).toBe(v2.x);
    expect(v1.y).toBeLessThan(v2.y);
    expect(v1.group).toBe('app:reviews');
  });

  it('draws one box per app and never lets two boxes overlap', () => {
    const l = layoutGraph(NODES, EDGES);
    expect(l.groups.map((g) => g.label).sort()).toEqual(['details', 'productpage', 'ratings', 'reviews']);
    for (const a of l.groups)
      for (const b of l.groups) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.key} overlaps ${b.key}`).toBe(true);
      }
    for (const n of l.nodes.values()) {
      expect(n.x).toBeLessThan(l.width);
      expect(n.y).toBeLessThan(l.height);
    }
  });

  it('is deterministic whatever order the API lists nodes and edges in', () => {
    const a = layoutGraph(NODES, EDGES);
    const b = layoutGraph([...NODES].reverse(), [...EDGES].reverse());
    for (const n of NODES) expect(b.nodes.get(n.id)).toEqual(a.nodes.get(n.id));
  });

  it('survives cycles, marking the edge that closes one as a back edge', () => {
    const nodes: LayoutNodeInput[] = [
      { id: 'gw', kind: 'gateway' },
      { id: 'a', kind: 'workload', app: 'a' },
      { id: 'b', kind: 'workload', app: 'b' },
    ];
    const edges = [
      { source: 'gw', target: 'a' },
      { source: 'a', target: 'b' },
      { source: 'b', target: 'a' },
    ];
    const l = layoutGraph(nodes, edges);
    expect(l.nodes.get('b')!.layer).toBe(2);
    expect(l.edges.find((e) => e.source === 'b')!.back).toBe(true);
    expect(l.edges.find((e) => e.source === 'a')!.back).toBe(false);
  });

  it('places unconnected nodes and ignores edges to unknown nodes', () => {
    const l = layoutGraph(
      [
        { id: 'x', kind: 'workload', app: 'x' },
        { id: 'y', kind: 'workload', app: 'y' },
      ],
      [{ source: 'x', target: 'ghost' }],
    );
    expect(l.nodes.size).toBe(2);
    expect(l.edges).toHaveLength(0);
    expect(l.nodes.get('x')!.y).not.toBe(l.nodes.get('y')!.y);
  });

  it('lays out 100 services quickly enough for live updates', () => {
    const nodes: LayoutNodeInput[] = [{ id: 'gw', kind: 'gateway' }];
    const edges: LayoutEdgeInput[] = [];
    for (let i = 0; i < 100; i++) {
      nodes.push({ id: `svc:s${i}`, kind: 'service', app: `s${i}` }, { id: `wl:s${i}-v1`, kind: 'workload', app: `s${i}`, version: 'v1' });
      edges.push({ source: `svc:s${i}`, target: `wl:s${i}-v1` });
      edges.push({ source: i === 0 ? 'gw' : `wl:s${Math.floor((i - 1) / 3)}-v1`, target: `svc:s${i}` });
    }
    const l = layoutGraph(nodes, edges);
    expect(l.nodes.size).toBe(201);
    expect(l.edges).toHaveLength(200);
  });
});
