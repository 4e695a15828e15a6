/**
 * A release job's status: the versions with replicas and traffic share, the
 * traffic distribution (slider, then confirm), monitor charts comparing the
 * versions, the operations, and the job's history.
 */
import { useEffect, useState } from 'react';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { Release } from '../../api/types';
import { Button } from '../../components/Button';
import { ReleaseIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { TrafficSlider } from '../../components/TrafficSlider';
import { formatDateTime, formatMs, formatPercent, formatRps } from '../../lib/format';
import { describeRouting, splitWeights, versionRows } from '../../lib/release-math';
import { routePath, withQuery } from '../../lib/routes';
import { Link, useQueryState } from '../../router/router';
import { modeTitle } from './modes';
import { AnalysisCard } from './AnalysisCard';
import { OpDialog, type Op } from './ReleaseOps';
import { useWorkloadTraffic } from './use-traffic';
import { VersionCharts } from './VersionCharts';

const WINDOWS = [
  { value: '60s', label: 'Last minute' },
  { value: '600s', label: 'Last 10 minutes' },
  { value: '1800s', label: 'Last 30 minutes' },
  { value: '3600s', label: 'Last hour' },
];

export function ReleaseDetailPage({ project, name }: { project: string; name: string }) {
  const [query, setQuery] = useQueryState();
  const window = query.get('window') ?? '600s';
  const release = useApi<Release>(paths.release(project, name), { refreshMs: 3000 });
  const traffic = useWorkloadTraffic(project);
  const [op, setOp] = useState<Op | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const [gone, setGone] = useState('');
  const [draft, setDraft] = useState<number | undefined>(undefined);

  const r = release.data;
  const weights = r?.spec?.routes.weights;
  const newVersion = r?.spec?.newVersion.version ?? '';
  const principal = r?.spec?.principal ?? '';
  const current = weights ? (weights[newVersion] ?? 0) : 0;
  useEffect(() => {
    // A fresh answer resets the slider unless the user is mid-change.
    if (op === undefined) setDraft(undefined);
  }, [current, op]);

  const handleDone = (done: Op, next: Release | undefined): void => {
    setOp(undefined);
    if (done.kind === 'offline' || done.kind === 'delete') {
      const survivor = r?.status?.governor ?? r?.spec?.principal ?? '';
      setGone(
        done.kind === 'offline'
          ? `Job ${name} is offline: ${r?.spec?.service} ${survivor} serves all traffic, and the other version's workload is removed.`
          : `Job ${name} is deleted: ${r?.spec?.service} ${r?.spec?.principal} serves all traffic.`,
      );
      return;
    }
    setNotice(describeRouting(next ?? r!) || 'Done.');
    release.reload();
  };

  if (gone) {
    return (
      <div className="page">
        <Empty title={gone} testId="release-gone">
          <Link to={withQuery(routePath({ page: 'grayscale', project }), { tab: 'jobs' })}>Back to Grayscale Release</Link>
        </Empty>
      </div>
    );
  }
  if (release.error) {
    return (
      <div className="page">
        <ErrorBanner error={release.error} onRetry={release.reload} />
        <Link to={routePath({ page: 'grayscale', project })}>Back to Grayscale Release</Link>
      </div>
    );
  }
  if (!r || !r.spec) return <Loading />;
  const rows = versionRows(r, traffic);
  const governor = r.status?.governor;
  const automatic = r.spec.analysis !== undefined;
  const ratio = r.spec.type === 'canary' && !!weights && !automatic;
  const shown = draft ?? current;
  return (
    <div className="page">
      <div className="breadcrumb">
        <Link to={withQuery(routePath({ page: 'grayscale', project }), { tab: 'jobs' })}>Grayscale Release</Link> / <span>{name}</span>
      </div>
      <PageHeader
        icon={<ReleaseIcon />}
        title={name}
        description={`${modeTitle(r.spec.type)} of ${r.spec.service}: ${describeRouting(r)}`}
        actions={
          <div className="toolbar">
            <StatusBadge status={r.status?.phase ?? 'Pending'} testId="release-phase" />
          </div>
        }
      />
      {r.status?.message ? <div className="banner banner-info">{r.status.message}</div> : null}
      {notice ? (
        <div className="banner banner-ok" role="status" data-testid="release-notice">
          {notice}
        </div>
      ) : null}
      {automatic ? <AnalysisCard release={r} onOp={setOp} /> : null}
      <section className="card" aria-label="Versions">
        <h2 className="card-title">Versions</h2>
        <div className="version-cards">
          {rows.map((v) => (
            <article key={v.version} className={`version-card${v.governor ? ' is-governor' : ''}`} data-testid={`version-${v.version}`}>
              <header>
                <span className="version-tag version-tag-lg">{v.version}</span>
                <span className="muted">{v.principal ? 'old version' : 'new version'}</span>
                {v.governor ? <span className="pill">takes all traffic</span> : null}
              </header>
              <dl className="kv kv-compact">
                <dt>Workload</dt>
                <dd>
                  <Link to={routePath({ page: 'workload', project, name: v.workload })}>{v.workload}</Link>
                </dd>
                <dt>Replicas</dt>
                <dd>
                  {v.readyReplicas}/{v.replicas} ready
                </dd>
                <dt>Traffic share</dt>
                <dd data-testid={`weight-${v.version}`}>{v.weight}%</dd>
                <dt>Requests (last min)</dt>
                <dd>{formatRps(v.traffic.rps)}</dd>
                <dt>Success rate (last min)</dt>
                <dd>{formatPercent(v.traffic.successRate)}</dd>
                <dt>Latency (p95)</dt>
                <dd>{formatMs(v.traffic.p95)}</dd>
              </dl>
              <Button onClick={() => setOp({ kind: 'takeover', version: v.version })} disabled={v.governor} data-testid={`takeover-${v.version}`}>
                Take Over
              </Button>
            </article>
          ))}
        </div>
        <div className="actions-row">
          <Button onClick={() => setOp({ kind: 'restore' })} disabled={!governor} data-testid="release-restore" title={governor ? undefined : 'No version takes all traffic'}>
            Restore
          </Button>
          <Button onClick={() => setOp({ kind: 'rollback' })} data-testid="release-rollback">
            Roll Back
          </Button>
          <Button variant="danger" onClick={() => setOp({ kind: 'offline' })} data-testid="release-offline">
            Job Offline
          </Button>
          <Button variant="danger" onClick={() => setOp({ kind: 'delete' })} data-testid="release-delete">
            Delete
          </Button>
        </div>
      </section>
      {ratio ? (
        <section className="card" aria-label="Traffic distribution">
          <h2 className="card-title">Traffic distribution</h2>
          {governor ? <p className="muted">{governor} takes all traffic now; the ratio below applies again after Restore.</p> : null}
          <TrafficSlider left={principal} right={newVersion} value={shown} onChange={setDraft} testId="weights-slider" />
          <div className="actions-row">
            <Button
              variant="primary"
              disabled={draft === undefined || draft === current}
              onClick={() => setOp({ kind: 'weights', weights: splitWeights(principal, newVersion, shown) })}
              data-testid="weights-apply"
            >
              Apply
            </Button>
            {draft !== undefined && draft !== current ? <Button onClick={() => setDraft(undefined)}>Reset</Button> : null}
          </div>
        </section>
      ) : null}
      <section className="card" aria-label="Monitoring">
        <div className="card-toolbar">
          <h2 className="card-title">Monitoring</h2>
          <label className="inline-field">
            Time range
            <select value={window} onChange={(e) => setQuery({ window: e.target.value })}>
              {WINDOWS.map((w) => (
                <option key={w.value} value={w.value}>
                  {w.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <VersionCharts project={project} versions={rows} window={window} spec={r.spec} />
      </section>
      <section className="card" aria-label="History">
        <h2 className="card-title">History</h2>
        <ol className="history">
          {[...(r.status?.history ?? [])].reverse().map((h, i) => (
            <li key={i}>
              <span className="muted small">{formatDateTime(h.time)}</span> <strong>{h.operation}</strong> by {h.user}
              {h.result ? <span className="muted"> — {h.result}</span> : null}
            </li>
          ))}
        </ol>
      </section>
      <OpDialog project={project} release={r} op={op} onDone={handleDone} onCancel={() => setOp(undefined)} />
    </div>
  );
}
