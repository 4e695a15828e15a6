/** The project picker: every project the user may see, and creating one. */
import { useState, type FormEvent } from 'react';
import { describeError, post } from '../api/client';
import { paths } from '../api/endpoints';
import { useApi } from '../api/use-api';
import { useMe } from '../api/use-me';
import { GOVERNANCE_ANNOTATION, WORKSPACE_LABEL, type List, type Namespace } from '../api/types';
import { Button } from '../components/Button';
import { ProjectIcon } from '../components/Icons';
import { Modal } from '../components/Modal';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { formatAge } from '../lib/format';
import { nameError } from '../lib/release-math';
import { routePath } from '../lib/routes';
import { Link, useRouter } from '../router/router';

/** A project's workspace, linked to the workspace view when the caller may see it. */
function WorkspaceCell({ workspace }: { workspace: string | undefined }) {
  const me = useMe();
  if (!workspace) return <span className="muted">–</span>;
  if (!me?.workspaces.includes(workspace)) return <>{workspace}</>;
  return (
    <Link to={routePath({ page: 'workspace', workspace })} data-testid={`project-workspace-${workspace}`}>
      {workspace}
    </Link>
  );
}

export function ProjectsPage() {
  const { navigate } = useRouter();
  const projects = useApi<List<Namespace>>(paths.projects);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('demo-project');
  const [workspace, setWorkspace] = useState('');
  const [error, setError] = useState('');

  const handleCreate = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const err = nameError('Name', name);
    if (err) return setError(err);
    try {
      await post(paths.projects, { name, ...(workspace ? { workspace } : {}) });
      setCreating(false);
      navigate(routePath({ page: 'applications', project: name }));
    } catch (x) {
      setError(describeError(x));
    }
  };

  const items = projects.data?.items ?? [];
  return (
    <div className="page">
      <PageHeader
        icon={<ProjectIcon />}
        title="Projects"
        description="A project holds applications, their workloads, traffic rules and grayscale releases. Choose one to work in."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-project">
            Create Project
          </Button>
        }
      />
      <ErrorBanner error={projects.error} onRetry={projects.reload} />
      {projects.loading && !projects.data ? <Loading /> : null}
      {projects.data && items.length === 0 ? (
        <Empty title="No projects yet" testId="projects-empty">
          <p>Create a project, then deploy the Bookinfo sample into it.</p>
        </Empty>
      ) : null}
      {items.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Workspace</th>
              <th>Application Governance</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.metadata.name}>
                <td>
                  <Link to={routePath({ page: 'applications', project: p.metadata.name })} data-testid={`project-${p.metadata.name}`} className="strong-link">
                    {p.metadata.name}
                  </Link>
                </td>
                <td>
                  <WorkspaceCell workspace={p.metadata.labels?.[WORKSPACE_LABEL]} />
                </td>
                <td>
                  <StatusBadge status={p.metadata.annotations?.[GOVERNANCE_ANNOTATION] === 'false' ? 'Off' : 'On'} />
                </td>
                <td>{formatAge(p.metadata.creationTimestamp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Modal
        title="Create Project"
        open={creating}
        onClose={() => setCreating(false)}
        footer={
          <>
            <Button onClick={() => setCreating(false)}>Cancel</Button>
            <Button variant="primary" type="submit" form="create-project-form" data-testid="create-project-submit">
              Create
            </Button>
          </>
        }
      >
        <form id="create-project-form" className="form" onSubmit={handleCreate}>
          <label className="field">
            <span>Name</span>
            <input autoFocus value={name} onChange={(e) => setName(e.target.value.trim())} data-testid="create-project-name" />
            <small>Lowercase letters, digits and hyphens; e.g. demo-project.</small>
          </label>
          <label className="field">
            <span>Workspace (optional)</span>
            <input value={workspace} onChange={(e) => setWorkspace(e.target.value.trim())} placeholder="demo-workspace" data-testid="create-project-workspace" />
            <small>A workspace admin creates projects in their workspace; a platform admin may leave this empty.</small>
          </label>
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
        </form>
      </Modal>
    </div>
  );
}
