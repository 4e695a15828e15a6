/** Workspaces: the ones the caller may see, with their projects; a platform admin creates them. */
import { useState, type FormEvent } from 'react';
import { describeError, post } from '../../api/client';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import { useMe } from '../../api/use-me';
import type { List, WorkspaceInfo } from '../../api/types';
import { Button } from '../../components/Button';
import { WorkspaceIcon } from '../../components/Icons';
import { Modal } from '../../components/Modal';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { isPlatformAdmin, workspaceRoleOf } from '../../lib/access';
import { formatAge } from '../../lib/format';
import { nameError } from '../../lib/release-math';
import { routePath } from '../../lib/routes';
import { Link, useRouter } from '../../router/router';

export function WorkspacesPage() {
  const me = useMe();
  const { navigate } = useRouter();
  const workspaces = useApi<List<WorkspaceInfo>>(paths.workspaces);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('demo-workspace');
  const [error, setError] = useState('');
  const items = workspaces.data?.items ?? [];

  const handleCreate = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const err = nameError('Name', name);
    if (err) return setError(err);
    try {
      await post(paths.workspaces, { name });
      setCreating(false);
      navigate(routePath({ page: 'workspace', workspace: name }));
    } catch (x) {
      setError(describeError(x));
    }
  };

  return (
    <div className="page">
      <PageHeader
        icon={<WorkspaceIcon />}
        title="Workspaces"
        description="A workspace holds projects and the people who work in them. Its workspace-admins create its projects and manage its members."
        actions={
          isPlatformAdmin(me) ? (
            <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-workspace">
              Create Workspace
            </Button>
          ) : null
        }
      />
      <ErrorBanner error={workspaces.error} onRetry={workspaces.reload} />
      {workspaces.loading && !workspaces.data ? <Loading /> : null}
      {workspaces.data && items.length === 0 ? <Empty title="No workspaces yet" testId="workspaces-empty" /> : null}
      {items.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Your role</th>
              <th>Projects</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((w) => (
              <tr key={w.name}>
                <td>
                  <Link to={routePath({ page: 'workspace', workspace: w.name })} className="strong-link" data-testid={`workspace-${w.name}`}>
                    {w.name}
                  </Link>
                </td>
                <td>{workspaceRoleOf(me, w.name) ?? (isPlatformAdmin(me) ? 'platform-admin' : '–')}</td>
                <td>{w.projects.length}</td>
                <td>{formatAge(w.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Modal
        title="Create Workspace"
        open={creating}
        onClose={() => setCreating(false)}
        footer={
          <>
            <Button onClick={() => setCreating(false)}>Cancel</Button>
            <Button variant="primary" type="submit" form="create-workspace-form" data-testid="create-workspace-submit">
              Create
            </Button>
          </>
        }
      >
        <form id="create-workspace-form" className="form" onSubmit={handleCreate}>
          <label className="field">
            <span>Name</span>
            <input autoFocus value={name} onChange={(e) => setName(e.target.value.trim())} data-testid="create-workspace-name" />
            <small>Lowercase letters, digits and hyphens; e.g. demo-workspace.</small>
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
