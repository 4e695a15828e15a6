/** A span's details: timing, tags, and the process that served it (pod, pid, node, workload, version). */
import type { Span } from '../../api/types';
import { Button } from '../../components/Button';
import { formatMs } from '../../lib/format';
import { toEpochMs } from '../../lib/waterfall';

export function SpanDetails({ span, traceStart, onClose }: { span: Span; traceStart: number; onClose: () => void }) {
  const tags = Object.entries(span.tags ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const p = span.process ?? {};
  return (
    <aside className="side-panel" aria-label="Span details" data-testid="span-details">
      <header className="side-panel-header">
        <div>
          <div className="muted small">{span.kind ?? 'span'}</div>
          <h2>
            {span.service}: {span.operation}
          </h2>
        </div>
        <Button variant="ghost" aria-label="Close span details" onClick={onClose}>
          ×
        </Button>
      </header>
      <dl className="kv kv-compact">
        <dt>Duration</dt>
        <dd>{formatMs(span.durationMs)}</dd>
        <dt>Start</dt>
        <dd>+{formatMs(toEpochMs(span.start) - traceStart)}</dd>
        <dt>Span ID</dt>
        <dd className="mono small">{span.spanId}</dd>
      </dl>
      <h3 className="panel-subtitle">Process</h3>
      <dl className="kv kv-compact" data-testid="span-process">
        <dt>Pod</dt>
        <dd className="mono small">{p.pod ?? '–'}</dd>
        <dt>PID</dt>
        <dd>{p.pid ?? '–'}</dd>
        <dt>Node</dt>
        <dd>{p.node ?? '–'}</dd>
        <dt>Workload</dt>
        <dd>{p.workload ?? '–'}</dd>
        <dt>Version</dt>
        <dd>{p.version ?? '–'}</dd>
      </dl>
      <h3 className="panel-subtitle">Tags</h3>
      {tags.length === 0 ? (
        <p className="muted">No tags.</p>
      ) : (
        <table className="table table-flat tags-table">
          <tbody>
            {tags.map(([k, v]) => (
              <tr key={k}>
                <th scope="row" className="mono small">
                  {k}
                </th>
                <td className="mono small">{String(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
}
