/** A workspace: its projects and its members with their roles (the open tab is in the URL, ?tab=). */
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import { WORKSPACE_ROLES, type WorkspaceInfo } from '../../api/types';
import { WorkspaceIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { Tabs } from '../../components/Tabs';
import { routePath } from '../../lib/routes';
import { Link, useQueryState } from '../../router/router';
import { MembersCard } from '../members/MembersCard';

const TABS = [
  { id: 'projects', label: 'Projects' },
  { id: 'members', label: 'Workspace Members' },
];

export function WorkspacePage({ workspace }: { workspace: string }) {
  const [query, setQuery] = useQueryState();
  const tab = query.get('tab') === 'members' ? 'members' : 'projects';
  const ws = useApi<WorkspaceInfo>(paths.workspace(workspace));
  if (ws.error) return <ErrorBanner error={ws.error} onRetry={ws.reload} />;
  if (!ws.data) return <Loading />;
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to={routePath({ page: 'workspaces' })}>Workspaces</Link> / {workspace}
      </p>
      <PageHeader icon={<WorkspaceIcon />} title={workspace} description={`Created by ${ws.data.createdBy}. Its workspace-admins create its projects and manage its members.`} />
      <Tabs tabs={TABS} selected={tab} onSelect={(id) => setQuery({ tab: id === 'projects' ? undefined : id, q: undefined })} />
      {tab === 'projects' ? (
        <section className="card" aria-label="Projects">
          {ws.data.projects.length === 0 ? (
            <Empty title="No projects in this workspace yet">
              <p>Create one from Projects, naming this workspace.</p>
            </Empty>
          ) : (
            <table className="table table-flat">
              <thead>
                <tr>
                  <th>Project</th>
                </tr>
              </thead>
              <tbody>
                {ws.data.projects.map((p) => (
                  <tr key={p}>
                    <td>
                      <Link to={routePath({ page: 'applications', project: p })} className="strong-link" data-testid={`workspace-project-${p}`}>
                        {p}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : (
        <MembersCard target={{ scope: 'workspace', name: workspace }} roles={WORKSPACE_ROLES} />
      )}
    </div>
  );
}
