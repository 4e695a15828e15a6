/**
 * Traffic Management › Topology: the live traffic graph of the project, left
 * to right from the gateway. The URL holds the window, the refresh interval
 * and the selected node (?window=60s&refresh=10&node=ID).
 */
import { useCallback, useLayoutEffect, useMemo, useRef } from 'react';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { Graph, GraphEdge, InstanceStatus } from '../../api/types';
import { TopologyIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { formatClock } from '../../lib/format';
import { layoutGraph } from '../../lib/graph-layout';
import { HEALTH_COLORS } from '../../lib/graph-style';
import { routePath, withQuery } from '../../lib/routes';
import { useQueryState, useRouter } from '../../router/router';
import { NodePanel } from './NodePanel';
import { TopologyGraph } from './TopologyGraph';

const WINDOWS = [
  { value: '60s', label: 'Last 1 minute' },
  { value: '300s', label: 'Last 5 minutes' },
  { value: '600s', label: 'Last 10 minutes' },
  { value: '1800s', label: 'Last 30 minutes' },
  { value: '3600s', label: 'Last 1 hour' },
];
const REFRESH = [
  { value: '0', label: 'Off' },
  { value: '5', label: 'Every 5 s' },
  { value: '10', label: 'Every 10 s' },
  { value: '30', label: 'Every 30 s' },
];

/** A key of the graph's shape: the layout is recomputed only when it changes, not on every new rate. */
function shapeKey(g: Graph): string {
  return `${g.nodes.map((n) => `${n.id}|${n.kind}|${n.app ?? ''}|${n.version ?? ''}`).sort().join(',')}#${g.edges.map((e) => `${e.source}>${e.target}`).sort().join(',')}`;
}

export function TopologyPage({ project }: { project: string }) {
  const { navigate } = useRouter();
  const [query, setQuery] = useQueryState();
  const window = query.get('window') ?? '60s';
  const refresh = Number(query.get('refresh') ?? '5');
  const selected = query.get('node') ?? undefined;
  const fit = query.get('zoom') !== 'actual';
  const graph = useApi<Graph>(paths.graph(project, window), refresh > 0 ? { refreshMs: refresh * 1000 } : {});
  const status = useApi<InstanceStatus>(paths.status);
  const updatedAt = useMemo(() => (graph.data ? Date.now() : undefined), [graph.data]);

  const key = graph.data ? shapeKey(graph.data) : '';
  // Render timing for the bench: from a new answer, through layout, to the DOM committed (performance entries gm-topology-render/update).
  const renderStart = useRef<{ t: number; first: boolean } | undefined>(undefined);
  const lastData = useRef<Graph | undefined>(undefined);
  if (graph.data && graph.data !== lastData.current) {
    renderStart.current = { t: performance.now(), first: lastData.current === undefined };
    lastData.current = graph.data;
  }
  const layout = useMemo(() => {
    if (!graph.data) return undefined;
    return layoutGraph(graph.data.nodes, graph.data.edges);
    // The layout depends on the graph's shape only (key), not on its rates.
  }, [key]);

  useLayoutEffect(() => {
    const s = renderStart.current;
    if (!s || !graph.data) return;
    renderStart.current = undefined;
    try {
      performance.measure(s.first ? 'gm-topology-render' : 'gm-topology-update', { start: s.t, end: performance.now() });
    } catch {
      // Older engines without measure options: no timing, nothing else changes.
    }
  }, [graph.data]);

  const handleSelect = useCallback((id: string) => setQuery({ node: id }), [setQuery]);
  // Stable across live updates (edges are memoized on them); they read the latest graph through a ref.
  const latest = useRef<Graph | undefined>(undefined);
  latest.current = graph.data;
  const edgeHref = useCallback(
    (e: GraphEdge): string => {
      const target = latest.current?.nodes.find((n) => n.id === e.target);
      return withQuery(routePath({ page: 'tracing', project }), { service: target?.app });
    },
    [project],
  );
  const handleOpenEdge = useCallback((e: GraphEdge) => navigate(edgeHref(e)), [navigate, edgeHref]);

  const node = selected ? graph.data?.nodes.find((n) => n.id === selected) : undefined;
  const gw = status.data ? new URL(status.data.gateway.url).port : '<gateway port>';
  return (
    <div className="page page-wide">
      <PageHeader
        icon={<TopologyIcon />}
        title="Traffic Management"
        description="How the services of the project talk: who calls whom, how often, how successfully and how fast. Traffic enters at the gateway on the left. Select a component for its traffic over time."
      />
      <div className="toolbar topology-toolbar">
        <label className="inline-field">
          Time range
          <select value={window} onChange={(e) => setQuery({ window: e.target.value })} data-testid="window-select">
            {WINDOWS.map((w) => (
              <option key={w.value} value={w.value}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          Refresh
          <select value={String(refresh)} onChange={(e) => setQuery({ refresh: e.target.value })} data-testid="refresh-select">
            {REFRESH.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-default" onClick={graph.reload}>
          Refresh now
        </button>
        <button type="button" className="btn btn-default" aria-pressed={!fit} onClick={() => setQuery({ zoom: fit ? 'actual' : undefined })} data-testid="zoom-toggle">
          {fit ? 'Actual size' : 'Fit to view'}
        </button>
        <span className="muted small" aria-live="polite">
          {graph.loading ? 'Updating…' : updatedAt ? `Updated ${formatClock(updatedAt)}` : ''}
        </span>
        <span className="legend">
          {(['healthy', 'degraded', 'failure', 'idle'] as const).map((h) => (
            <span key={h} className="legend-item">
              <span className="legend-line" style={{ background: HEALTH_COLORS[h] }} aria-hidden="true" />
              {h === 'healthy' ? 'Healthy' : h === 'degraded' ? 'Degraded' : h === 'failure' ? 'Failure' : 'No traffic'}
            </span>
          ))}
        </span>
      </div>
      <ErrorBanner error={graph.error} onRetry={graph.reload} />
      {graph.loading && !graph.data && !graph.missing ? <Loading label="Loading the topology…" /> : null}
      {graph.missing ? <Empty title="The traffic graph is not available on this control plane yet" testId="topology-unavailable" /> : null}
      {graph.data && graph.data.nodes.length === 0 ? (
        <Empty title="No traffic in this time range" testId="topology-empty">
          <p>
            Open the app, or send steady traffic: <code>graymesh load http://productpage.{project}.localhost:{gw}/productpage --rps 2</code>
          </p>
        </Empty>
      ) : null}
      {graph.data && layout && graph.data.nodes.length > 0 ? (
        <div className={`topology-layout${node ? ' has-panel' : ''}`}>
          <div className="topology-canvas">
            <TopologyGraph graph={graph.data} layout={layout} selected={selected} onSelectNode={handleSelect} edgeHref={edgeHref} onOpenEdge={handleOpenEdge} fit={fit} />
          </div>
          {node ? <NodePanel project={project} node={node} graph={graph.data} onClose={() => setQuery({ node: undefined })} onSelect={handleSelect} /> : null}
        </div>
      ) : null}
    </div>
  );
}
