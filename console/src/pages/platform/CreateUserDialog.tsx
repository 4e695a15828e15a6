/** Create User: a name, a password and, optionally, a workspace the user joins (as workspace-regular). */
import { useState, type FormEvent } from 'react';
import { describeError, post } from '../../api/client';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { List, WorkspaceInfo } from '../../api/types';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { nameError } from '../../lib/release-math';

export function CreateUserDialog({ onCreated, onClose }: { onCreated: (name: string) => void; onClose: () => void }) {
  const workspaces = useApi<List<WorkspaceInfo>>(paths.workspaces);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const handleSubmit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const err = nameError('Name', name);
    if (err) return setError(err);
    setBusy(true);
    setError('');
    try {
      await post(paths.users, { name, password, ...(workspace ? { workspace } : {}) });
      onCreated(name);
    } catch (x) {
      setError(describeError(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Create User"
      open
      onClose={onClose}
      testId="create-user-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="create-user-form" disabled={busy} data-testid="create-user-submit">
            {busy ? 'Creating…' : 'Create'}
          </Button>
        </>
      }
    >
      <form id="create-user-form" className="form" onSubmit={handleSubmit}>
        <label className="field">
          <span>Username</span>
          <input autoFocus autoComplete="off" value={name} onChange={(e) => setName(e.target.value.trim())} placeholder="reviewer" data-testid="create-user-name" />
          <small>Lowercase letters, digits and hyphens.</small>
        </label>
        <label className="field">
          <span>Password</span>
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="create-user-password" />
          <small>The control plane says what a password needs if this one falls short.</small>
        </label>
        <label className="field">
          <span>Workspace (optional)</span>
          <select value={workspace} onChange={(e) => setWorkspace(e.target.value)} data-testid="create-user-workspace">
            <option value="">None</option>
            {(workspaces.data?.items ?? []).map((w) => (
              <option key={w.name} value={w.name}>
                {w.name}
              </option>
            ))}
          </select>
          <small>The user joins it as workspace-regular, so its projects can invite them.</small>
        </label>
        {error ? (
          <p className="form-error" role="alert" data-testid="create-user-error">
            {error}
          </p>
        ) : null}
      </form>
    </Modal>
  );
}
