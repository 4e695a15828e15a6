/**
 * Grayscale Release: the three modes with what each is for (?tab=modes), and
 * the jobs with each version's traffic, success rate and latency (?tab=jobs).
 * ?create=canary|bluegreen|mirror opens the create wizard.
 */
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { List, Release, ReleaseType } from '../../api/types';
import { Button } from '../../components/Button';
import { ReleaseIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Tabs } from '../../components/Tabs';
import { formatAge, formatMs, formatPercent, formatRps } from '../../lib/format';
import { describeRouting, versionRows } from '../../lib/release-math';
import { routePath } from '../../lib/routes';
import { Link, useQueryState, useRouter } from '../../router/router';
import { MODES, modeTitle } from './modes';
import { ReleaseWizard } from './ReleaseWizard';
import { useWorkloadTraffic } from './use-traffic';

export function GrayscalePage({ project }: { project: string }) {
  const { navigate } = useRouter();
  const [query, setQuery] = useQueryState();
  const releases = useApi<List<Release>>(paths.releases(project), { refreshMs: 4000 });
  const traffic = useWorkloadTraffic(project);
  const jobs = releases.data?.items ?? [];
  const tab = query.get('tab') ?? (jobs.length > 0 ? 'jobs' : 'modes');
  const create = query.get('create') as ReleaseType | null;

  const handleCreated = (name: string): void => navigate(routePath({ page: 'release', project, name }));
  return (
    <div className="page">
      <PageHeader
        icon={<ReleaseIcon />}
        title="Grayscale Release"
        description="Release a new version of a service beside the old one and decide how much real traffic it gets: by blue-green switch, by canary share or rules, or by mirroring a copy of the traffic."
      />
      <Tabs
        tabs={[
          { id: 'modes', label: 'Release Modes' },
          { id: 'jobs', label: `Job Status${jobs.length ? ` (${jobs.length})` : ''}` },
        ]}
        selected={tab}
        onSelect={(id) => setQuery({ tab: id })}
      />
      {tab === 'modes' ? (
        <div className="mode-cards">
          {MODES.map((m) => (
            <article key={m.type} className="mode-card" data-testid={`mode-${m.type}`}>
              <ModeArt type={m.type} />
              <h2>{m.title}</h2>
              <p className="mode-summary">{m.summary}</p>
              <p className="muted">{m.description}</p>
              <Button variant="primary" onClick={() => setQuery({ create: m.type })} data-testid={`create-job-${m.type}`}>
                Create Job
              </Button>
            </article>
          ))}
        </div>
      ) : (
        <>
          <ErrorBanner error={releases.error} onRetry={releases.reload} />
          {releases.loading && !releases.data ? <Loading /> : null}
          {releases.data && jobs.length === 0 ? (
            <Empty title="No release jobs yet" testId="jobs-empty">
              <Button variant="primary" onClick={() => setQuery({ tab: 'modes' })}>
                Choose a release mode
              </Button>
            </Empty>
          ) : null}
          <div className="job-list">
            {jobs.map((r) => (
              <article key={r.metadata.name} className="job-card" data-testid={`job-${r.metadata.name}`}>
                <header className="job-card-header">
                  <Link to={routePath({ page: 'release', project, name: r.metadata.name })} className="strong-link" data-testid={`release-link-${r.metadata.name}`}>
                    {r.metadata.name}
                  </Link>
                  <span className="muted">
                    {modeTitle(r.spec?.type)} of <strong>{r.spec?.service}</strong> · {formatAge(r.metadata.creationTimestamp)} ago
                  </span>
                  <StatusBadge status={r.status?.phase ?? 'Pending'} />
                </header>
                <p className="job-routing">{describeRouting(r)}</p>
                <table className="table table-flat">
                  <thead>
                    <tr>
                      <th>Version</th>
                      <th>Replicas</th>
                      <th>Traffic share</th>
                      <th>Requests (last min)</th>
                      <th>Success rate</th>
                      <th>Latency (p95)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {versionRows(r, traffic).map((v) => (
                      <tr key={v.version}>
                        <td>
                          <span className="version-tag">{v.version}</span> {v.principal ? <span className="muted small">old</span> : <span className="muted small">new</span>}
                          {v.governor ? <span className="pill">takes all traffic</span> : null}
                        </td>
                        <td>
                          {v.readyReplicas}/{v.replicas}
                        </td>
                        <td>
                          <div className="share">
                            <div className="share-track" aria-hidden="true">
                              <div className="share-bar" style={{ width: `${v.weight}%` }} />
                            </div>
                            <span>{v.weight}%</span>
                          </div>
                        </td>
                        <td>{formatRps(v.traffic.rps)}</td>
                        <td>{formatPercent(v.traffic.successRate)}</td>
                        <td>{formatMs(v.traffic.p95)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </article>
            ))}
          </div>
        </>
      )}
      {create && MODES.some((m) => m.type === create) ? <ReleaseWizard project={project} type={create} onClose={() => setQuery({ create: undefined })} onCreated={handleCreated} /> : null}
    </div>
  );
}

/** A small picture of each mode: two versions and how traffic reaches them. */
function ModeArt({ type }: { type: ReleaseType }) {
  const blue = '#329dce';
  const green = '#55bc8a';
  return (
    <svg className="mode-art" viewBox="0 0 120 56" aria-hidden="true">
      <circle cx="14" cy="28" r="8" fill="#242e42" />
      <rect x="84" y="6" width="30" height="18" rx="4" fill={blue} />
      <rect x="84" y="32" width="30" height="18" rx="4" fill={green} />
      <text x="99" y="19" textAnchor="middle" fontSize="9" fill="#fff">v1</text>
      <text x="99" y="45" textAnchor="middle" fontSize="9" fill="#fff">v2</text>
      {type === 'bluegreen' ? <path d="M22 28 C50 28 60 41 84 41" stroke={green} strokeWidth="3" fill="none" /> : null}
      {type === 'bluegreen' ? <path d="M22 28 C50 28 60 15 84 15" stroke="#c1c9d1" strokeWidth="2" strokeDasharray="3 3" fill="none" /> : null}
      {type === 'canary' ? <path d="M22 28 C50 28 60 15 84 15" stroke={blue} strokeWidth="4" fill="none" /> : null}
      {type === 'canary' ? <path d="M22 28 C50 28 60 41 84 41" stroke={green} strokeWidth="1.5" fill="none" /> : null}
      {type === 'mirror' ? <path d="M22 28 C50 28 60 15 84 15" stroke={blue} strokeWidth="3" fill="none" /> : null}
      {type === 'mirror' ? <path d="M50 24 C60 34 70 41 84 41" stroke={green} strokeWidth="2" strokeDasharray="4 3" fill="none" /> : null}
    </svg>
  );
}
