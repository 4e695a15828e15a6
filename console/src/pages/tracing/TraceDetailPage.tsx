/**
 * One trace as a waterfall: spans as a tree (collapsible), each a bar on the
 * trace's timeline; selecting a span (?span=ID) shows its tags and the
 * process that served it (pod, pid, node).
 */
import { useMemo, useState } from 'react';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { Span, Trace } from '../../api/types';
import { Button } from '../../components/Button';
import { TracingIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner, Loading } from '../../components/States';
import { formatDateTime, formatMs } from '../../lib/format';
import { routePath } from '../../lib/routes';
import { buildWaterfall, parentsOf, timeTicks } from '../../lib/waterfall';
import { Link, useQueryState } from '../../router/router';
import { serviceColor } from './colors';
import { SpanDetails } from './SpanDetails';

export function TraceDetailPage({ project, traceId }: { project: string; traceId: string }) {
  const [query, setQuery] = useQueryState();
  const trace = useApi<Trace>(paths.trace(traceId));
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const spans = useMemo(() => trace.data?.spans ?? [], [trace.data]);
  const w = useMemo(() => buildWaterfall<Span>(spans, collapsed), [spans, collapsed]);
  const selectedId = query.get('span') ?? undefined;
  const selected = spans.find((s) => s.spanId === selectedId);

  const handleToggle = (id: string): void => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };

  if (trace.error) {
    return (
      <div className="page">
        <ErrorBanner error={trace.error} onRetry={trace.reload} />
        <Link to={routePath({ page: 'tracing', project })}>Back to Tracing</Link>
      </div>
    );
  }
  if (!trace.data) return <Loading label="Loading the trace…" />;
  const root = w.rows[0]?.span;
  const services = new Set(spans.map((s) => s.service));
  const errors = spans.filter((s) => String(s.tags?.error) === 'true').length;
  const ticks = timeTicks(w.durationMs);
  return (
    <div className="page page-wide">
      <div className="breadcrumb">
        <Link to={routePath({ page: 'tracing', project })}>Tracing</Link> / <span className="mono">{traceId}</span>
      </div>
      <PageHeader icon={<TracingIcon />} title={root ? `${root.service}: ${root.operation}` : traceId} />
      <dl className="stats stats-row" data-testid="trace-summary">
        <div>
          <dt>Start</dt>
          <dd>{formatDateTime(w.startMs)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatMs(w.durationMs)}</dd>
        </div>
        <div>
          <dt>Services</dt>
          <dd>{services.size}</dd>
        </div>
        <div>
          <dt>Depth</dt>
          <dd>{w.maxDepth + 1}</dd>
        </div>
        <div>
          <dt>Spans</dt>
          <dd>{spans.length}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd className={errors > 0 ? 'error-count' : ''}>{errors}</dd>
        </div>
      </dl>
      <div className="toolbar">
        <Button variant="ghost" onClick={() => setCollapsed(new Set())}>
          Expand all
        </Button>
        <Button variant="ghost" onClick={() => setCollapsed(parentsOf(spans))}>
          Collapse all
        </Button>
      </div>
      <div className={`waterfall-layout${selected ? ' has-panel' : ''}`}>
        <div className="waterfall" role="tree" aria-label="Spans" data-testid="waterfall">
          <div className="waterfall-axis" aria-hidden="true">
            <div className="waterfall-name-col">Service and operation</div>
            <div className="waterfall-time-col">
              {ticks.map((t) => (
                <span key={t} style={{ left: `${(t / w.durationMs) * 100}%` }}>
                  {formatMs(t)}
                </span>
              ))}
            </div>
          </div>
          {w.rows.map((r) => {
            const error = String(r.span.tags?.error) === 'true';
            const isSel = r.span.spanId === selectedId;
            return (
              <div key={r.span.spanId} className={`waterfall-row${isSel ? ' is-selected' : ''}`} role="treeitem" aria-level={r.depth + 1} aria-expanded={r.childCount > 0 ? !r.collapsed : undefined} aria-selected={isSel}>
                <div className="waterfall-name-col" style={{ paddingLeft: `${8 + r.depth * 16}px` }}>
                  {r.childCount > 0 ? (
                    <button type="button" className="twisty" aria-label={r.collapsed ? `Expand ${r.span.operation}` : `Collapse ${r.span.operation}`} onClick={() => handleToggle(r.span.spanId)} data-testid={`span-toggle-${r.span.spanId}`}>
                      {r.collapsed ? '▸' : '▾'}
                    </button>
                  ) : (
                    <span className="twisty-space" />
                  )}
                  <span className="service-dot" style={{ background: serviceColor(r.span.service) }} aria-hidden="true" />
                  <button type="button" className="span-name" title={`${r.span.service}: ${r.span.operation}`} onClick={() => setQuery({ span: isSel ? undefined : r.span.spanId })} data-testid={`span-row-${r.span.spanId}`}>
                    <strong>{r.span.service}</strong> <span className="muted">{r.span.operation}</span>
                    {r.span.kind ? <span className="span-kind">{r.span.kind}</span> : null}
                    {error ? <span className="error-count"> error</span> : null}
                  </button>
                </div>
                <div className="waterfall-time-col">
                  <div className={`span-bar${error ? ' has-error' : ''}`} style={{ left: `${r.leftPct}%`, width: `${r.widthPct}%`, background: error ? undefined : serviceColor(r.span.service) }} />
                  {r.leftPct + r.widthPct > 80 && r.widthPct > 12 ? (
                    <span className="span-bar-label is-inside" style={{ right: `${100 - r.leftPct - r.widthPct}%` }}>
                      {formatMs(r.span.durationMs)}
                    </span>
                  ) : (
                    <span className="span-bar-label" style={{ left: `${Math.min(r.leftPct + r.widthPct, 90)}%` }}>
                      {formatMs(r.span.durationMs)}
                    </span>
                  )}
                </div>
              </div>
            );
          })}
        </div>
        {selected ? <SpanDetails span={selected} traceStart={w.startMs} onClose={() => setQuery({ span: undefined })} /> : null}
      </div>
    </div>
  );
}
