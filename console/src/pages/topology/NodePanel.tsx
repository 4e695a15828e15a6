/** The side panel of a selected node: its traffic, success rate and duration over time, and its versions. */
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { Graph, GraphNode, MetricSeries } from '../../api/types';
import { Button } from '../../components/Button';
import { LineChart } from '../../components/LineChart';
import { StatusBadge } from '../../components/StatusBadge';
import { formatMs, formatPercent, formatRps } from '../../lib/format';
import { nodeLabel } from '../../lib/graph-style';
import { routePath, withQuery } from '../../lib/routes';
import { toEpochMs } from '../../lib/waterfall';
import { Link } from '../../router/router';

interface Props {
  project: string;
  node: GraphNode;
  graph: Graph;
  onClose: () => void;
  onSelect: (id: string) => void;
}

export function NodePanel({ project, node, graph, onClose, onSelect }: Props) {
  const query = node.kind === 'workload' && node.workload ? { workload: node.workload } : node.kind === 'service' && node.app ? { service: node.app } : undefined;
  const metrics = useApi<MetricSeries>(query ? paths.metrics(project, { ...query, window: '600s', step: '10s' }) : null, { refreshMs: 10_000 });
  const points = metrics.data?.points ?? [];
  const times = points.map((p) => toEpochMs(p.t));
  const versions = graph.nodes.filter((n) => n.kind === 'workload' && node.app && n.app === node.app).sort((a, b) => (a.version ?? '').localeCompare(b.version ?? ''));
  return (
    <aside className="side-panel" aria-label={`Details of ${nodeLabel(node)}`} data-testid="node-panel">
      <header className="side-panel-header">
        <div>
          <div className="muted small">{node.kind}</div>
          <h2>{nodeLabel(node)}</h2>
        </div>
        <Button variant="ghost" aria-label="Close details" onClick={onClose} data-testid="node-panel-close">
          ×
        </Button>
      </header>
      <dl className="stats">
        <div>
          <dt>Traffic</dt>
          <dd>{formatRps(node.rps)}</dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd>{formatPercent(node.successRate)}</dd>
        </div>
        <div>
          <dt>Duration p95</dt>
          <dd>{formatMs(node.p95)}</dd>
        </div>
        <div>
          <dt>Health</dt>
          <dd>
            <StatusBadge status={node.health} />
          </dd>
        </div>
      </dl>
      <p className="muted small">
        p50 {formatMs(node.p50)} · p95 {formatMs(node.p95)} · p99 {formatMs(node.p99)}
      </p>
      {query ? (
        metrics.missing ? (
          <p className="muted">Metrics over time are not available on this control plane yet.</p>
        ) : (
          <>
            <LineChart title="Traffic" times={times} series={[{ name: 'req/s', color: '#329dce', values: points.map((p) => p.rps) }]} format={formatRps} height={120} testId="chart-traffic" />
            <LineChart title="Success rate" times={times} series={[{ name: 'success', color: '#55bc8a', values: points.map((p) => p.successRate) }]} format={formatPercent} max={100} height={120} />
            <LineChart
              title="Duration"
              times={times}
              series={[
                { name: 'p50', color: '#329dce', values: points.map((p) => p.p50) },
                { name: 'p95', color: '#f5a623', values: points.map((p) => p.p95) },
                { name: 'p99', color: '#ca2621', values: points.map((p) => p.p99) },
              ]}
              format={formatMs}
              height={120}
            />
          </>
        )
      ) : null}
      {versions.length > 0 ? (
        <>
          <h3 className="panel-subtitle">Versions</h3>
          <ul className="version-list">
            {versions.map((v) => (
              <li key={v.id}>
                <button type="button" className="link-button" onClick={() => onSelect(v.id)}>
                  <span className="version-tag">{v.version ?? v.workload}</span>
                </button>
                <span>{formatRps(v.rps)}</span>
                <span>{formatPercent(v.successRate)}</span>
                <StatusBadge status={v.health} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {node.app ? (
        <Link to={withQuery(routePath({ page: 'tracing', project }), { service: node.app })} className="btn btn-default">
          Traces of {node.app}
        </Link>
      ) : null}
    </aside>
  );
}
