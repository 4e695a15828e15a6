/** Invite Member: a user and a role; the change itself waits for the confirm step. */
import { useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { ROLE_TEXT, type MemberTarget } from '../../lib/members';
import { nameError } from '../../lib/release-math';

interface Props {
  target: MemberTarget;
  roles: readonly string[];
  open: boolean;
  onInvite: (user: string, role: string) => void;
  onClose: () => void;
}

export function InviteDialog({ target, roles, open, onInvite, onClose }: Props) {
  const [user, setUser] = useState('');
  const [role, setRole] = useState(roles[roles.length - 1] ?? '');
  const [error, setError] = useState('');
  const handleSubmit = (e: FormEvent): void => {
    e.preventDefault();
    const err = nameError('User', user);
    if (err) return setError(err);
    setError('');
    onInvite(user, role);
  };
  return (
    <Modal
      title="Invite Member"
      open={open}
      onClose={onClose}
      testId="invite-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="invite-form" data-testid="invite-next">
            Invite
          </Button>
        </>
      }
    >
      <form id="invite-form" className="form" onSubmit={handleSubmit}>
        <p className="muted">
          Invite a user of graymesh to {target.scope} {target.name}.
          {target.scope === 'project' ? ' In a workspace, the user must first be a member of the workspace.' : ''}
        </p>
        <label className="field">
          <span>User</span>
          <input autoFocus value={user} onChange={(e) => setUser(e.target.value.trim())} placeholder="reviewer" data-testid="invite-user" />
        </label>
        <fieldset className="field">
          <span>Role</span>
          <div className="radio-cards" role="radiogroup" aria-label="Role">
            {roles.map((r) => (
              <label key={r} className={`radio-card${r === role ? ' is-checked' : ''}`}>
                <input type="radio" name="invite-role" value={r} checked={r === role} onChange={() => setRole(r)} data-testid={`invite-role-${r}`} />
                <span>
                  {r}
                  <small>{ROLE_TEXT[r]}</small>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </Modal>
  );
}
