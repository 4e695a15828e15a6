/** A composed app: its services and versions with their workloads, the access address and "Click to visit". */
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import { GOVERNANCE_ANNOTATION, type Deployment, type InstanceStatus, type KubeObject, type List, type Namespace, type Service } from '../../api/types';
import { AppIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { accessAddress, appComponents, appStatus, entryService } from '../../lib/app-model';
import { formatDateTime } from '../../lib/format';
import { routePath, withQuery } from '../../lib/routes';
import { Link } from '../../router/router';

export function ApplicationDetailPage({ project, name }: { project: string; name: string }) {
  const app = useApi<KubeObject>(paths.object(project, 'applications', name));
  const services = useApi<List<Service>>(paths.list(project, 'services'), { refreshMs: 5000 });
  const deployments = useApi<List<Deployment>>(paths.list(project, 'deployments'), { refreshMs: 3000 });
  const status = useApi<InstanceStatus>(paths.status);
  const ns = useApi<Namespace>(paths.project(project));

  if (app.error) return <ErrorBanner error={app.error} onRetry={app.reload} />;
  if (!app.data) return <Loading />;
  const a = app.data;
  const comps = appComponents(a, services.data?.items ?? [], deployments.data?.items ?? []);
  const entry = entryService(a, comps);
  const address = entry ? accessAddress(status.data?.gateway.url, entry, project) : undefined;
  const governance = ns.data ? ns.data.metadata.annotations?.[GOVERNANCE_ANNOTATION] !== 'false' : undefined;
  const description = (a.spec as { descriptor?: { description?: string } } | undefined)?.descriptor?.description;

  return (
    <div className="page">
      <div className="breadcrumb">
        <Link to={routePath({ page: 'applications', project })}>Applications</Link> / <span>{name}</span>
      </div>
      <PageHeader icon={<AppIcon />} title={name} {...(description ? { description } : {})} />
      <div className="detail-layout">
        <section className="card detail-side" aria-label="Attributes">
          <h2 className="card-title">Attributes</h2>
          <dl className="kv">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={appStatus(comps)} testId="app-status" />
            </dd>
            <dt>Project</dt>
            <dd>{project}</dd>
            <dt>Version</dt>
            <dd>{a.metadata.labels?.['app.kubernetes.io/version'] ?? '–'}</dd>
            <dt>Application Governance</dt>
            <dd>
              {governance === undefined ? '–' : governance ? 'On' : 'Off'}{' '}
              <Link to={routePath({ page: 'settings', project })} className="small">
                change
              </Link>
            </dd>
            <dt>Created</dt>
            <dd>{a.metadata.creationTimestamp ? formatDateTime(a.metadata.creationTimestamp) : '–'}</dd>
          </dl>
          <div className="side-links">
            <Link to={withQuery(routePath({ page: 'topology', project }), {})} className="btn btn-default">
              Traffic Management
            </Link>
            <Link to={withQuery(routePath({ page: 'tracing', project }), { service: entry })} className="btn btn-default">
              Tracing
            </Link>
          </div>
        </section>
        <div className="detail-main">
          <section className="card access" aria-label="Access">
            <h2 className="card-title">Internet Access</h2>
            {address ? (
              <div className="access-row">
                <dl className="kv kv-inline">
                  <dt>Hostname</dt>
                  <dd data-testid="access-host">{address.host}</dd>
                  <dt>Port</dt>
                  <dd data-testid="access-port">{address.port}</dd>
                  <dt>Address</dt>
                  <dd>
                    <code data-testid="access-url">{address.url}</code>
                  </dd>
                </dl>
                <a className="btn btn-primary" href={address.url} target="_blank" rel="noreferrer" data-testid="click-to-visit">
                  Click to visit
                </a>
              </div>
            ) : (
              <p className="muted">The gateway address is not known yet.</p>
            )}
          </section>
          <section className="card" aria-label="Services">
            <h2 className="card-title">Services and versions</h2>
            {comps.length === 0 ? (
              <Empty title="This app has no services yet" />
            ) : (
              <table className="table table-flat" data-testid="app-components">
                <thead>
                  <tr>
                    <th>Service</th>
                    <th>Version</th>
                    <th>Workload</th>
                    <th>Replicas</th>
                    <th>Status</th>
                    <th>Image</th>
                  </tr>
                </thead>
                <tbody>
                  {comps.flatMap((c) =>
                    (c.versions.length > 0 ? c.versions : [undefined]).map((v, i) => (
                      <tr key={`${c.service}-${v?.workload ?? 'none'}`} data-testid={v ? `version-row-${v.workload}` : undefined}>
                        {i === 0 ? (
                          <td rowSpan={Math.max(1, c.versions.length)}>
                            <strong>{c.service}</strong>
                            <div className="muted small">{c.ports}</div>
                          </td>
                        ) : null}
                        {v ? (
                          <>
                            <td>
                              <span className="version-tag">{v.version}</span>
                            </td>
                            <td>
                              <Link to={routePath({ page: 'workload', project, name: v.workload })}>{v.workload}</Link>
                            </td>
                            <td>
                              {v.ready}/{v.desired}
                            </td>
                            <td>
                              <StatusBadge status={v.status} testId={`workload-status-${v.workload}`} />
                            </td>
                            <td className="mono small">{v.image}</td>
                          </>
                        ) : (
                          <td colSpan={5} className="muted">
                            no workload
                          </td>
                        )}
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}
