/**
 * Traffic Management › Tracing: search traces (service, operation, tags,
 * duration, time range, limit — all in the URL) and see each with a duration
 * bar, its span and error counts and the services it crossed.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { List, Service, TraceSummary } from '../../api/types';
import { Button } from '../../components/Button';
import { TracingIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { formatDateTime, formatMs } from '../../lib/format';
import { routePath } from '../../lib/routes';
import { LOOKBACKS, apiQuery, searchErrors, searchFromQuery, searchToQuery, type TraceSearch } from '../../lib/trace-query';
import { toEpochMs } from '../../lib/waterfall';
import { Link, useQueryState } from '../../router/router';
import { serviceColor } from './colors';

export function TracingPage({ project }: { project: string }) {
  const [query, setQuery] = useQueryState();
  const search = useMemo(() => searchFromQuery(query), [query]);
  const [form, setForm] = useState<TraceSearch>(search);
  const [errors, setErrors] = useState<string[]>([]);
  const [ran, setRan] = useState(0);
  useEffect(() => setForm(search), [search]);
  const services = useApi<List<Service>>(paths.services(project));
  // `ran` changes the path (its time range ends now) when Search is pressed again with the same form.
  const apiPath = useMemo(() => paths.traces(project, apiQuery(search, Date.now())), [project, search, ran]);
  const traces = useApi<List<TraceSummary>>(apiPath);

  const handleSubmit = (e: FormEvent): void => {
    e.preventDefault();
    const errs = searchErrors(form);
    setErrors(errs);
    if (errs.length > 0) return;
    setQuery(searchToQuery(form), { push: true });
    setRan((n) => n + 1);
  };
  const items = traces.data?.items ?? [];
  const longest = Math.max(1, ...items.map((t) => t.durationMs));
  const names = (services.data?.items ?? []).map((s) => s.metadata.name).sort();
  return (
    <div className="page page-wide">
      <PageHeader
        icon={<TracingIcon />}
        title="Tracing"
        description="Every request that entered the project with Application Governance on, followed through each service it reached: where its time went and which instance served each step."
      />
      <form className="card search-form" onSubmit={handleSubmit} aria-label="Search traces">
        <label className="field">
          <span>Service</span>
          <select value={form.service} onChange={(e) => setForm({ ...form, service: e.target.value })} data-testid="trace-service">
            <option value="">All services</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
            {form.service && !names.includes(form.service) ? <option value={form.service}>{form.service}</option> : null}
          </select>
        </label>
        <label className="field">
          <span>Operation</span>
          <input value={form.operation} placeholder="GET /productpage" onChange={(e) => setForm({ ...form, operation: e.target.value })} />
        </label>
        <label className="field field-wide">
          <span>Tags</span>
          <input value={form.tags} placeholder="error=true http.status_code=503" onChange={(e) => setForm({ ...form, tags: e.target.value })} data-testid="trace-tags" />
        </label>
        <label className="field field-narrow">
          <span>Min duration</span>
          <input value={form.minDuration} placeholder="100ms" onChange={(e) => setForm({ ...form, minDuration: e.target.value.trim() })} />
        </label>
        <label className="field field-narrow">
          <span>Max duration</span>
          <input value={form.maxDuration} placeholder="2s" onChange={(e) => setForm({ ...form, maxDuration: e.target.value.trim() })} />
        </label>
        <label className="field">
          <span>Time range</span>
          <select value={form.lookback} onChange={(e) => setForm({ ...form, lookback: e.target.value })}>
            {LOOKBACKS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-narrow">
          <span>Limit</span>
          <input type="number" min={1} max={500} value={form.limit} onChange={(e) => setForm({ ...form, limit: Number(e.target.value) || 20 })} />
        </label>
        <div className="search-actions">
          <Button variant="primary" type="submit" data-testid="trace-search">
            Search
          </Button>
        </div>
        {errors.length > 0 ? (
          <ul className="form-error" role="alert">
            {errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        ) : null}
      </form>
      <ErrorBanner error={traces.error} onRetry={traces.reload} />
      {traces.loading && !traces.data ? <Loading label="Searching traces…" /> : null}
      {traces.missing ? <Empty title="Tracing is not available on this control plane yet" testId="traces-unavailable" /> : null}
      {traces.data && items.length === 0 ? (
        <Empty title="No traces match" testId="traces-empty">
          <p>Widen the time range, or check that Application Governance is on in Project Settings › Advanced Settings.</p>
        </Empty>
      ) : null}
      {items.length > 0 ? (
        <>
          <p className="muted small" aria-live="polite">
            {items.length} trace{items.length === 1 ? '' : 's'}
          </p>
          <ul className="trace-list" data-testid="trace-list">
            {items.map((t, i) => (
              <li key={t.traceId}>
                <Link to={routePath({ page: 'trace', project, traceId: t.traceId })} className="trace-item" data-testid={`trace-row-${i}`}>
                  <div className="trace-item-head">
                    <strong>
                      {t.rootService}: {t.rootOperation}
                    </strong>
                    <span className="trace-id mono">{t.traceId.slice(0, 12)}</span>
                    <span className="trace-duration">{formatMs(t.durationMs)}</span>
                  </div>
                  <div className="trace-bar" aria-hidden="true">
                    <div style={{ width: `${Math.max(0.5, (t.durationMs / longest) * 100)}%` }} className={t.errorCount > 0 ? 'has-error' : ''} />
                  </div>
                  <div className="trace-item-meta">
                    <span>{t.spanCount} spans</span>
                    {t.errorCount > 0 ? <span className="error-count">{t.errorCount} errors</span> : <span className="muted">no errors</span>}
                    <span className="trace-services">
                      {Object.entries(t.services ?? {}).map(([s, n]) => (
                        <span key={s} className="service-chip" style={{ borderColor: serviceColor(s) }}>
                          {s} ({n})
                        </span>
                      ))}
                    </span>
                    <span className="muted">{formatDateTime(toEpochMs(t.start))}</span>
                  </div>
                </Link>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
