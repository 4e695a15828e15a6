/** Application Workloads › Workloads: every Deployment of the project, with replicas ready/desired and status. */
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { Deployment, List } from '../../api/types';
import { WorkloadIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { versionInfo } from '../../lib/app-model';
import { formatAge } from '../../lib/format';
import { routePath } from '../../lib/routes';
import { Link } from '../../router/router';

export function WorkloadsPage({ project }: { project: string }) {
  const deployments = useApi<List<Deployment>>(paths.list(project, 'deployments'), { refreshMs: 3000 });
  const items = [...(deployments.data?.items ?? [])].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return (
    <div className="page">
      <PageHeader
        icon={<WorkloadIcon />}
        title="Workloads"
        description="A workload runs one version of one service: its replicas are the running instances (pods). A release adds a workload for the new version."
      />
      <ErrorBanner error={deployments.error} onRetry={deployments.reload} />
      {deployments.loading && !deployments.data ? <Loading /> : null}
      {deployments.data && items.length === 0 ? <Empty title="No workloads in this project yet" /> : null}
      {items.length > 0 ? (
        <table className="table" data-testid="workloads-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>App</th>
              <th>Version</th>
              <th>Replicas</th>
              <th>Image</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => {
              const v = versionInfo(d);
              return (
                <tr key={d.metadata.name} data-testid={`workload-row-${d.metadata.name}`}>
                  <td>
                    <Link to={routePath({ page: 'workload', project, name: d.metadata.name })} className="strong-link">
                      {d.metadata.name}
                    </Link>
                  </td>
                  <td>
                    <StatusBadge status={v.status} testId={`workload-status-${d.metadata.name}`} />
                  </td>
                  <td>{d.metadata.labels?.app ?? '–'}</td>
                  <td>{v.version}</td>
                  <td>
                    {v.ready}/{v.desired}
                  </td>
                  <td className="mono small">{v.image}</td>
                  <td>{formatAge(d.metadata.creationTimestamp)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
