/**
 * Draws the laid-out traffic graph in SVG: app boxes, edges coloured by health
 * with their rate and moving dots, nodes by kind. Layout is computed by the
 * pure graph-layout module; this component only draws. Edges and nodes are
 * memoized on their own values, so a live update redraws only what changed.
 */
import { memo, type KeyboardEvent, type MouseEvent } from 'react';
import type { Graph, GraphEdge, GraphNode } from '../../api/types';
import type { Layout, PlacedEdge } from '../../lib/graph-layout';
import { allocateDots, edgeDots, edgeLabel, edgeWidth, healthColor, nodeLabel } from '../../lib/graph-style';

interface Props {
  graph: Graph;
  layout: Layout;
  selected: string | undefined;
  onSelectNode: (id: string) => void;
  edgeHref: (e: GraphEdge) => string;
  onOpenEdge: (e: GraphEdge) => void;
  /** Scale down towards the width of the view (to 70% at most, then scroll), or draw at actual size. */
  fit: boolean;
}

const R = 20;
const MARKED = new Set(['healthy', 'degraded', 'failure']);

export const TopologyGraph = memo(function TopologyGraph({ graph, layout, selected, onSelectNode, edgeHref, onOpenEdge, fit }: Props) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const edgeData = edgesByEnds(graph.edges);
  const placed = layout.edges.filter((pe) => edgeData.has(`${pe.source}>${pe.target}`));
  const dots = allocateDots(placed.map((pe) => edgeData.get(`${pe.source}>${pe.target}`)!.rps));
  return (
    <svg
      className={`topology${fit ? ' is-fit' : ''}`}
      width={fit ? '100%' : layout.width}
      height={fit ? undefined : layout.height}
      style={fit ? { maxWidth: layout.width, minWidth: Math.round(layout.width * 0.7) } : undefined}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      role="group"
      aria-label="Traffic topology"
      data-testid="topology-graph"
    >
      <defs>
        {(['healthy', 'degraded', 'failure', 'idle'] as const).map((h) => (
          <marker key={h} id={`arrow-${h}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill={healthColor(h)} />
          </marker>
        ))}
      </defs>
      {layout.groups.map((g) => (
        <g key={g.key} className="topology-group">
          <rect x={g.x} y={g.y} width={g.width} height={g.height} rx={10} />
          <text x={g.x + g.width - 10} y={g.y + 16} textAnchor="end">
            {g.label}
          </text>
        </g>
      ))}
      {placed.map((pe, i) => {
        const e = edgeData.get(`${pe.source}>${pe.target}`)!;
        return (
          <Edge
            key={`${pe.source}>${pe.target}`}
            placed={pe}
            rps={e.rps}
            health={e.health}
            successRate={e.successRate}
            dots={dots[i] ?? 0}
            href={edgeHref(e)}
            edge={e}
            onOpen={onOpenEdge}
          />
        );
      })}
      {[...layout.nodes.values()].map((p) => {
        const n = byId.get(p.id);
        if (!n) return null;
        return <NodeShape key={p.id} id={n.id} kind={n.kind} app={n.app} version={n.version} workload={n.workload} health={n.health} x={p.x} y={p.y} selected={selected === p.id} onSelect={onSelectNode} />;
      })}
    </svg>
  );
});

/** Edges by `source>target`; a TCP edge beside a request edge of the same ends adds its bytes to it. */
function edgesByEnds(edges: GraphEdge[]): Map<string, GraphEdge> {
  const out = new Map<string, GraphEdge>();
  for (const e of edges) {
    const key = `${e.source}>${e.target}`;
    const have = out.get(key);
    if (!have) out.set(key, e);
    else if (e.protocol === 'tcp') out.set(key, { ...have, bytesPerSecond: e.bytesPerSecond });
    else out.set(key, { ...e, ...(have.bytesPerSecond !== undefined ? { bytesPerSecond: have.bytesPerSecond } : {}) });
  }
  return out;
}

interface EdgeProps {
  placed: PlacedEdge;
  rps: number;
  health: string;
  successRate: number | undefined;
  dots: number;
  href: string;
  edge: GraphEdge;
  onOpen: (e: GraphEdge) => void;
}

const Edge = memo(
  function Edge({ placed: pe, rps, health, successRate, dots, href, edge, onOpen }: EdgeProps) {
    const color = healthColor(health);
    const seconds = edgeDots(rps).seconds;
    const label = edgeLabel({ rps, successRate, bytesPerSecond: edge.bytesPerSecond });
    const handleClick = (ev: MouseEvent<HTMLAnchorElement>): void => {
      if (ev.button !== 0 || ev.metaKey || ev.ctrlKey) return;
      ev.preventDefault();
      onOpen(edge);
    };
    return (
      <g className="topology-edge" data-testid={`edge-${pe.source}-${pe.target}`}>
        <path d={pe.path} stroke={color} strokeWidth={edgeWidth(rps)} fill="none" markerEnd={`url(#arrow-${MARKED.has(health) ? health : 'idle'})`} strokeDasharray={rps > 0 || (edge.bytesPerSecond ?? 0) > 0 ? undefined : '4 4'} />
        {Array.from({ length: dots }, (_, i) => (
          <circle key={i} r={3} className="edge-dot" fill={color}>
            <animateMotion dur={`${seconds}s`} repeatCount="indefinite" path={pe.path} begin={`${(-seconds * i) / dots}s`} />
          </circle>
        ))}
        {label ? (
          <a href={href} onClick={handleClick} aria-label={`${label}: traces from ${pe.source} to ${pe.target}`}>
            <rect x={pe.labelX - label.length * 3.3 - 6} y={pe.labelY - 10} width={label.length * 6.6 + 12} height={18} rx={9} className="edge-label-bg" />
            <text x={pe.labelX} y={pe.labelY + 3} textAnchor="middle" className="edge-label" fill={health === 'healthy' ? '#36435c' : color}>
              {label}
            </text>
          </a>
        ) : null}
      </g>
    );
  },
  // The edge object itself changes on every answer; what is drawn depends on these.
  (a, b) => a.placed === b.placed && a.rps === b.rps && a.health === b.health && a.successRate === b.successRate && a.dots === b.dots && a.href === b.href && a.onOpen === b.onOpen,
);

interface NodeProps {
  id: string;
  kind: GraphNode['kind'];
  app: string | undefined;
  version: string | undefined;
  workload: string | undefined;
  health: string;
  x: number;
  y: number;
  selected: boolean;
  onSelect: (id: string) => void;
}

const NodeShape = memo(function NodeShape({ id, kind, app, version, workload, health, x, y, selected, onSelect }: NodeProps) {
  const color = healthColor(health);
  const label = nodeLabel({ id, kind, app, version, workload });
  const handleKey = (e: KeyboardEvent<SVGGElement>): void => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(id);
    }
  };
  return (
    <g
      className={`topology-node${selected ? ' is-selected' : ''}`}
      transform={`translate(${x},${y})`}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      aria-label={`${kind} ${label}, ${health}`}
      onClick={() => onSelect(id)}
      onKeyDown={handleKey}
      data-testid={`node-${id}`}
    >
      {selected ? <circle r={R + 7} className="node-halo" /> : null}
      {kind === 'gateway' ? (
        <>
          <rect x={-R} y={-R} width={2 * R} height={2 * R} rx={8} fill="#242e42" stroke={color} strokeWidth={3} />
          <path d="M-8,0 H7 M2,-6 L8,0 L2,6" stroke="#fff" strokeWidth={2.2} fill="none" strokeLinecap="round" />
        </>
      ) : kind === 'service' ? (
        <path d={`M0,${-R} L${R},${R * 0.8} L${-R},${R * 0.8} Z`} fill="#fff" stroke={color} strokeWidth={3} strokeLinejoin="round" />
      ) : (
        <>
          <circle r={R} fill="#fff" stroke={color} strokeWidth={3} />
          <text y={4} textAnchor="middle" className="node-version">
            {version ?? ''}
          </text>
        </>
      )}
      <text y={R + 16} textAnchor="middle" className="node-label">
        {label}
      </text>
    </g>
  );
});
