/** Application Workloads › Applications: the composed apps of the project, and deploying the sample. */
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { Deployment, InstanceStatus, KubeObject, List, Service } from '../../api/types';
import { Button } from '../../components/Button';
import { AppIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { appComponents, appStatus } from '../../lib/app-model';
import { formatAge } from '../../lib/format';
import { routePath } from '../../lib/routes';
import { Link } from '../../router/router';
import { DeploySampleWizard } from './DeploySampleWizard';

export function ApplicationsPage({ project }: { project: string }) {
  const apps = useApi<List<KubeObject>>(paths.list(project, 'applications'), { refreshMs: 5000 });
  const services = useApi<List<Service>>(paths.list(project, 'services'), { refreshMs: 5000 });
  const deployments = useApi<List<Deployment>>(paths.list(project, 'deployments'), { refreshMs: 3000 });
  const status = useApi<InstanceStatus>(paths.status);
  const [wizard, setWizard] = useState(false);
  const gatewayPort = status.data ? new URL(status.data.gateway.url).port : undefined;

  const items = apps.data?.items ?? [];
  const handleCreated = (): void => {
    setWizard(false);
    apps.reload();
    services.reload();
    deployments.reload();
  };
  return (
    <div className="page">
      <PageHeader
        icon={<AppIcon />}
        title="Applications"
        description="An application groups the services and workloads that together deliver one product. Composing apps are built from your own services; the Bookinfo sample shows the mesh at work."
        actions={
          <Button variant="primary" onClick={() => setWizard(true)} data-testid="deploy-sample">
            Deploy Sample Application
          </Button>
        }
      />
      <h2 className="section-title">Composing Apps</h2>
      {apps.error instanceof ApiError && apps.error.status === 404 ? (
        <Empty title={`Project ${project} does not exist yet`} testId="project-missing">
          <p>Deploy Sample Application creates it with Bookinfo inside, or create it from the project list.</p>
        </Empty>
      ) : (
        <ErrorBanner error={apps.error} onRetry={apps.reload} />
      )}
      {apps.loading && !apps.data ? <Loading /> : null}
      {apps.data && items.length === 0 ? (
        <Empty title="No applications in this project yet" testId="apps-empty">
          <p>Deploy the Bookinfo sample to follow the tutorial, or apply your own manifests with <code>graymesh apply -f</code>.</p>
        </Empty>
      ) : null}
      {items.length > 0 ? (
        <table className="table" data-testid="apps-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Services</th>
              <th>Workloads ready</th>
              <th>Version</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => {
              const comps = appComponents(a, services.data?.items ?? [], deployments.data?.items ?? []);
              const versions = comps.flatMap((c) => c.versions);
              const st = appStatus(comps);
              return (
                <tr key={a.metadata.name}>
                  <td>
                    <Link to={routePath({ page: 'application', project, name: a.metadata.name })} className="strong-link" data-testid={`app-link-${a.metadata.name}`}>
                      {a.metadata.name}
                    </Link>
                    <div className="muted small">{(a.spec as { descriptor?: { description?: string } } | undefined)?.descriptor?.description ?? ''}</div>
                  </td>
                  <td>
                    <StatusBadge status={st} testId={`app-status-${a.metadata.name}`} />
                  </td>
                  <td>{comps.length}</td>
                  <td>
                    {versions.filter((v) => v.status === 'Running').length}/{versions.length}
                  </td>
                  <td>{a.metadata.labels?.['app.kubernetes.io/version'] ?? '–'}</td>
                  <td>{formatAge(a.metadata.creationTimestamp)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <DeploySampleWizard project={project} {...(gatewayPort ? { gatewayPort } : {})} open={wizard} onClose={() => setWizard(false)} onCreated={handleCreated} />
    </div>
  );
}
