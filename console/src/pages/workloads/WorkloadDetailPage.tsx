/** A workload: its pods with restarts, and their logs (?pod=NAME&tail=N in the URL). */
import { useEffect, useRef } from 'react';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { Deployment, List, Pod } from '../../api/types';
import { Button } from '../../components/Button';
import { WorkloadIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { versionInfo } from '../../lib/app-model';
import { formatAge } from '../../lib/format';
import { routePath } from '../../lib/routes';
import { Link, useQueryState } from '../../router/router';

const TAILS = [100, 500, 2000];

export function WorkloadDetailPage({ project, name }: { project: string; name: string }) {
  const [query, setQuery] = useQueryState();
  const dep = useApi<Deployment>(paths.object(project, 'deployments', name), { refreshMs: 3000 });
  const pods = useApi<List<Pod>>(paths.list(project, 'pods', `graymesh.dev/workload=${name}`), { refreshMs: 3000 });
  const pod = query.get('pod') ?? '';
  const tail = Number(query.get('tail') ?? 100) || 100;
  const follow = query.get('follow') !== 'off';
  const log = useApi<string>(pod ? paths.podLog(project, pod, tail) : paths.workloadLog(project, name, tail), { text: true, ...(follow ? { refreshMs: 3000 } : {}) });
  const logRef = useRef<HTMLPreElement>(null);
  useEffect(() => {
    // Following: keep the newest lines in view.
    if (follow && logRef.current) logRef.current.scrollTop = logRef.current.scrollHeight;
  }, [log.data, follow]);

  if (dep.error) return <ErrorBanner error={dep.error} onRetry={dep.reload} />;
  if (!dep.data) return <Loading />;
  const v = versionInfo(dep.data);
  const myPods = [...(pods.data?.items ?? [])].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return (
    <div className="page">
      <div className="breadcrumb">
        <Link to={routePath({ page: 'workloads', project })}>Workloads</Link> / <span>{name}</span>
      </div>
      <PageHeader icon={<WorkloadIcon />} title={name} description={`Version ${v.version} of ${dep.data.metadata.labels?.app ?? 'its service'}.`} />
      <div className="detail-layout">
        <section className="card detail-side" aria-label="Attributes">
          <h2 className="card-title">Attributes</h2>
          <dl className="kv">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={v.status} testId="workload-status" />
            </dd>
            <dt>Replicas</dt>
            <dd>
              {v.ready}/{v.desired} ready
            </dd>
            <dt>Image</dt>
            <dd className="mono small">{v.image}</dd>
            <dt>Labels</dt>
            <dd>
              {Object.entries(dep.data.metadata.labels ?? {}).map(([k, val]) => (
                <span key={k} className="label-chip">
                  {k}={val}
                </span>
              ))}
            </dd>
            <dt>Created</dt>
            <dd>{formatAge(dep.data.metadata.creationTimestamp)} ago</dd>
          </dl>
        </section>
        <div className="detail-main">
          <section className="card" aria-label="Pods">
            <h2 className="card-title">Pods</h2>
            <ErrorBanner error={pods.error} />
            {pods.data && myPods.length === 0 ? <Empty title="No pods are running for this workload" /> : null}
            {myPods.length > 0 ? (
              <table className="table table-flat" data-testid="pods-table">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Status</th>
                    <th>Ready</th>
                    <th>Restarts</th>
                    <th>PID</th>
                    <th>Started</th>
                    <th>
                      <span className="visually-hidden">Logs</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {myPods.map((p) => {
                    const cs = p.status?.containerStatuses ?? [];
                    return (
                      <tr key={p.metadata.name}>
                        <td className="mono small">{p.metadata.name}</td>
                        <td>
                          <StatusBadge status={p.status?.phase ?? 'Unknown'} />
                          {p.status?.message ? <div className="muted small">{p.status.message}</div> : null}
                        </td>
                        <td>{cs.every((c) => c.ready) && cs.length > 0 ? 'Yes' : 'No'}</td>
                        <td data-testid={`restarts-${p.metadata.name}`}>{cs.reduce((s, c) => s + (c.restartCount ?? 0), 0)}</td>
                        <td>{p.status?.pid ?? '–'}</td>
                        <td>{formatAge(p.status?.startTime)}</td>
                        <td>
                          <Button variant="ghost" onClick={() => setQuery({ pod: p.metadata.name })} aria-pressed={pod === p.metadata.name}>
                            View logs
                          </Button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            ) : null}
          </section>
          <section className="card" aria-label="Logs">
            <div className="card-toolbar">
              <h2 className="card-title">Logs {pod ? <span className="muted">of {pod}</span> : <span className="muted">of every pod</span>}</h2>
              <div className="toolbar">
                {pod ? (
                  <Button variant="ghost" onClick={() => setQuery({ pod: undefined })}>
                    All pods
                  </Button>
                ) : null}
                <label className="inline-field">
                  Lines
                  <select value={tail} onChange={(e) => setQuery({ tail: e.target.value })}>
                    {TAILS.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="inline-field">
                  <input type="checkbox" checked={follow} onChange={(e) => setQuery({ follow: e.target.checked ? undefined : 'off' })} />
                  Follow
                </label>
                <Button onClick={log.reload}>Refresh</Button>
              </div>
            </div>
            <ErrorBanner error={log.error} />
            <pre ref={logRef} className="log" data-testid="workload-log" tabIndex={0}>
              {log.data === undefined ? (log.loading ? 'Loading…' : '') : log.data || 'No output yet.'}
            </pre>
          </section>
        </div>
      </div>
    </div>
  );
}
