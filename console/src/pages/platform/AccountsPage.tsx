/**
 * Platform › Accounts (platform-admin): every user with their roles; create a
 * user with a password and, optionally, a workspace; delete one after a
 * confirm step. The search is in the URL (?q=).
 */
import { useState } from 'react';
import { del, describeError } from '../../api/client';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import { useMe } from '../../api/use-me';
import type { List, UserAccount } from '../../api/types';
import { Button } from '../../components/Button';
import { AccountIcon } from '../../components/Icons';
import { Modal } from '../../components/Modal';
import { PageHeader } from '../../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { formatAge } from '../../lib/format';
import { useQueryState } from '../../router/router';
import { CreateUserDialog } from './CreateUserDialog';

const rolesOf = (u: UserAccount): string[] => [...u.workspaces.map((w) => `${w.workspace}: ${w.role}`), ...u.projects.map((p) => `${p.project}: ${p.role}`)];

export function AccountsPage() {
  const me = useMe();
  const [query, setQuery] = useQueryState();
  const users = useApi<List<UserAccount>>(paths.users);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const q = (query.get('q') ?? '').toLowerCase();
  const items = (users.data?.items ?? []).filter((u) => !q || u.name.includes(q));

  const handleCreated = (name: string): void => {
    setCreating(false);
    setDone(`User ${name} was created.`);
    users.reload();
  };
  const handleDelete = async (): Promise<void> => {
    if (!deleting) return;
    setBusy(true);
    setError('');
    try {
      await del(paths.user(deleting));
      setDone(`User ${deleting} was deleted.`);
      setDeleting(undefined);
      users.reload();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const handleCancelDelete = (): void => {
    setDeleting(undefined);
    setError('');
  };

  return (
    <div className="page">
      <PageHeader
        icon={<AccountIcon />}
        title="Accounts"
        description="Platform › Access Control: the users who may log in to graymesh. Roles in workspaces and projects are given in their members pages."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-user">
            Create User
          </Button>
        }
      />
      <section className="card" aria-label="Users">
        <div className="card-toolbar">
          <input type="search" aria-label="Search users" placeholder="Search by name" value={query.get('q') ?? ''} onChange={(e) => setQuery({ q: e.target.value.trim() })} data-testid="user-search" />
        </div>
        {done ? (
          <p className="form-ok" role="status">
            {done}
          </p>
        ) : null}
        <ErrorBanner error={users.error} onRetry={users.reload} />
        {users.loading && !users.data ? <Loading /> : null}
        {users.data && items.length === 0 ? <Empty title="No user matches the search" /> : null}
        {items.length > 0 ? (
          <table className="table table-flat" data-testid="users-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Platform role</th>
                <th>Workspaces and projects</th>
                <th>Created</th>
                <th className="table-actions">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.name} data-testid={`user-row-${u.name}`}>
                  <td>
                    <strong>{u.name}</strong>
                    {u.name === me?.user.name ? <span className="muted small"> (you)</span> : null}
                  </td>
                  <td>{u.platformRole}</td>
                  <td className="small">{rolesOf(u).join(', ') || '–'}</td>
                  <td>{formatAge(u.createdAt)}</td>
                  <td className="table-actions">
                    <Button variant="ghost" onClick={() => setDeleting(u.name)} data-testid={`user-delete-${u.name}`}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {creating ? <CreateUserDialog onCreated={handleCreated} onClose={() => setCreating(false)} /> : null}
      <Modal
        title="Delete User"
        open={deleting !== undefined}
        onClose={handleCancelDelete}
        testId="delete-user-dialog"
        footer={
          <>
            <Button onClick={handleCancelDelete}>Cancel</Button>
            <Button variant="danger" onClick={handleDelete} disabled={busy} data-testid="user-delete-confirm">
              {busy ? 'Deleting…' : 'Delete'}
            </Button>
          </>
        }
      >
        <p>User {deleting} is deleted with their memberships; their sessions end at once.</p>
        {error ? (
          <p className="form-error" role="alert" data-testid="user-delete-error">
            {error}
          </p>
        ) : null}
      </Modal>
    </div>
  );
}
