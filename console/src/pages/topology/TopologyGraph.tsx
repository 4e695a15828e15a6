/**
 * Draws the laid-out traffic graph in SVG: app boxes, edges coloured by health
 * with their rate and moving dots, nodes by kind. Layout is computed by the
 * pure graph-layout module; this component only draws.
 */
import { memo, type KeyboardEvent, type MouseEvent } from 'react';
import type { Graph, GraphEdge, GraphNode } from '../../api/types';
import type { Layout } from '../../lib/graph-layout';
import { edgeDots, edgeLabel, edgeWidth, healthColor, nodeLabel } from '../../lib/graph-style';

interface Props {
  graph: Graph;
  layout: Layout;
  selected: string | undefined;
  onSelectNode: (id: string) => void;
  edgeHref: (e: GraphEdge) => string;
  onOpenEdge: (e: GraphEdge) => void;
}

const R = 20;
const MARKED = new Set(['healthy', 'degraded', 'failure']);

export const TopologyGraph = memo(function TopologyGraph({ graph, layout, selected, onSelectNode, edgeHref, onOpenEdge }: Props) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const edgeData = new Map(graph.edges.map((e) => [`${e.source}>${e.target}`, e]));
  return (
    <svg className="topology" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="group" aria-label="Traffic topology" data-testid="topology-graph">
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
          <text x={g.x + 10} y={g.y + 16}>
            {g.label}
          </text>
        </g>
      ))}
      {layout.edges.map((pe) => {
        const e = edgeData.get(`${pe.source}>${pe.target}`);
        if (!e) return null;
        const color = healthColor(e.health);
        const dots = edgeDots(e.rps);
        const label = edgeLabel(e);
        const handleClick = (ev: MouseEvent<HTMLAnchorElement>): void => {
          if (ev.button !== 0 || ev.metaKey || ev.ctrlKey) return;
          ev.preventDefault();
          onOpenEdge(e);
        };
        return (
          <g key={`${pe.source}>${pe.target}`} className="topology-edge" data-testid={`edge-${pe.source}-${pe.target}`}>
            <path d={pe.path} stroke={color} strokeWidth={edgeWidth(e.rps)} fill="none" markerEnd={`url(#arrow-${MARKED.has(e.health) ? e.health : 'idle'})`} strokeDasharray={e.rps > 0 ? undefined : '4 4'} />
            {Array.from({ length: dots.count }, (_, i) => (
              <circle key={i} r={3} className="edge-dot" fill={color}>
                <animateMotion dur={`${dots.seconds}s`} repeatCount="indefinite" path={pe.path} begin={`${(-dots.seconds * i) / dots.count}s`} />
              </circle>
            ))}
            {label ? (
              <a href={edgeHref(e)} onClick={handleClick} aria-label={`${label}: traces from ${pe.source} to ${pe.target}`}>
                <rect x={pe.labelX - label.length * 3.3 - 6} y={pe.labelY - 10} width={label.length * 6.6 + 12} height={18} rx={9} className="edge-label-bg" />
                <text x={pe.labelX} y={pe.labelY + 3} textAnchor="middle" className="edge-label" fill={e.health === 'healthy' ? '#36435c' : color}>
                  {label}
                </text>
              </a>
            ) : null}
          </g>
        );
      })}
      {[...layout.nodes.values()].map((p) => {
        const n = byId.get(p.id);
        if (!n) return null;
        return <NodeShape key={p.id} node={n} x={p.x} y={p.y} selected={selected === p.id} onSelect={onSelectNode} />;
      })}
    </svg>
  );
});

function NodeShape({ node, x, y, selected, onSelect }: { node: GraphNode; x: number; y: number; selected: boolean; onSelect: (id: string) => void }) {
  const color = healthColor(node.health);
  const label = nodeLabel(node);
  const handleKey = (e: KeyboardEvent<SVGGElement>): void => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(node.id);
    }
  };
  return (
    <g
      className={`topology-node${selected ? ' is-selected' : ''}`}
      transform={`translate(${x},${y})`}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      aria-label={`${node.kind} ${label}, ${node.health}`}
      onClick={() => onSelect(node.id)}
      onKeyDown={handleKey}
      data-testid={`node-${node.id}`}
    >
      {selected ? <circle r={R + 7} className="node-halo" /> : null}
      {node.kind === 'gateway' ? (
        <>
          <rect x={-R} y={-R} width={2 * R} height={2 * R} rx={8} fill="#242e42" stroke={color} strokeWidth={3} />
          <path d="M-8,0 H7 M2,-6 L8,0 L2,6" stroke="#fff" strokeWidth={2.2} fill="none" strokeLinecap="round" />
        </>
      ) : node.kind === 'service' ? (
        <path d={`M0,${-R} L${R},${R * 0.8} L${-R},${R * 0.8} Z`} fill="#fff" stroke={color} strokeWidth={3} strokeLinejoin="round" />
      ) : (
        <>
          <circle r={R} fill="#fff" stroke={color} strokeWidth={3} />
          <text y={4} textAnchor="middle" className="node-version">
            {node.version ?? ''}
          </text>
        </>
      )}
      <text y={R + 16} textAnchor="middle" className="node-label">
        {label}
      </text>
    </g>
  );
}
