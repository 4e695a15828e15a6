/** The confirm step of a member change; shows the API's refusal as it words it. */
import { useState } from 'react';
import { del, describeError, post } from '../../api/client';
import { paths } from '../../api/endpoints';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';
import { describeMemberOp, type MemberOp, type MemberTarget } from '../../lib/members';

export async function runMemberOp(t: MemberTarget, op: MemberOp): Promise<void> {
  const project = t.scope === 'project';
  if (op.kind === 'remove') await del(project ? paths.projectMember(t.name, op.user) : paths.workspaceMember(t.name, op.user));
  else await post(project ? paths.projectMembers(t.name) : paths.workspaceMembers(t.name), { user: op.user, role: op.role });
}

interface Props {
  target: MemberTarget;
  op: MemberOp | undefined;
  onDone: (op: MemberOp) => void;
  onCancel: () => void;
}

export function MemberOpDialog({ target, op, onDone, onCancel }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (!op) return null;
  const d = describeMemberOp(target, op);
  const handleConfirm = async (): Promise<void> => {
    setBusy(true);
    setError('');
    try {
      await runMemberOp(target, op);
      onDone(op);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const handleCancel = (): void => {
    setError('');
    onCancel();
  };
  return (
    <Modal
      title={d.title}
      open
      onClose={handleCancel}
      testId="member-dialog"
      footer={
        <>
          <Button onClick={handleCancel}>Cancel</Button>
          <Button variant={d.danger ? 'danger' : 'primary'} onClick={handleConfirm} disabled={busy} data-testid="member-confirm">
            {busy ? 'Applying…' : d.confirm}
          </Button>
        </>
      }
    >
      <p>{d.text}</p>
      {error ? (
        <p className="form-error" role="alert" data-testid="member-error">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}
