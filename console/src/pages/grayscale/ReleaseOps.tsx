/**
 * The operations of a release job, each behind a confirm step: take over,
 * restore, roll back, offline, delete. Refusals are shown as the API words them.
 */
import { useState } from 'react';
import { del, describeError, post } from '../../api/client';
import { paths } from '../../api/endpoints';
import type { Release } from '../../api/types';
import { Button } from '../../components/Button';
import { Modal } from '../../components/Modal';

export type Op =
  | { kind: 'takeover'; version: string }
  | { kind: 'restore' }
  | { kind: 'rollback' }
  | { kind: 'offline' }
  | { kind: 'delete' }
  | { kind: 'weights'; weights: Record<string, number> }
  | { kind: 'promote' }
  | { kind: 'abort' };

export function describeOp(op: Op, r: Release): { title: string; text: string; confirm: string; danger?: boolean } {
  const s = r.spec!;
  const survivor = r.status?.governor ?? s.governor ?? (s.type === 'mirror' ? s.principal : undefined);
  switch (op.kind) {
    case 'takeover':
      return { title: `Take Over: ${op.version}`, text: `${s.service} ${op.version} will receive 100% of the traffic. The other version keeps running, so you can restore or roll back at any time.`, confirm: 'Take Over' };
    case 'restore':
      return { title: 'Restore the release rules', text: `No version takes all traffic any more: ${s.service}'s traffic is split by the job's rules again.`, confirm: 'Restore' };
    case 'rollback':
      return { title: `Roll back to ${s.principal}`, text: `${s.service} ${s.principal}, the version serving before the release, will receive 100% of the traffic.`, confirm: 'Roll Back' };
    case 'offline':
      return {
        title: 'Job offline',
        text: survivor
          ? `The version that no longer serves traffic is removed with its workload, and the job ends: ${s.service} ${survivor} keeps serving everything.`
          : 'Job offline removes the version that no longer serves traffic. First let one version take over all traffic.',
        confirm: 'Job Offline',
        danger: true,
      };
    case 'delete':
      return { title: 'Delete job', text: `The job is abandoned: ${s.principal} serves everything again and the new version ${s.newVersion.version} is removed.`, confirm: 'Delete', danger: true };
    case 'promote':
      return { title: 'Promote', text: `Go past the pause, analysis or gate holding the release: ${s.newVersion.version} moves on to its next step now.`, confirm: 'Promote' };
    case 'abort':
      return { title: 'Abort', text: `Roll back now: ${s.principal} serves all traffic again, then ${s.newVersion.version}'s workload is removed. The release ends Failed.`, confirm: 'Abort', danger: true };
    case 'weights':
      return {
        title: 'Adjust traffic',
        text: `Send ${Object.entries(op.weights).map(([v, w]) => `${w}% to ${v}`).join(' and ')}? The change is applied without dropping a request.`,
        confirm: 'Confirm',
      };
  }
}

export async function runOp(project: string, name: string, op: Op): Promise<Release | undefined> {
  switch (op.kind) {
    case 'takeover':
      return post<Release>(paths.releaseOp(project, name, 'takeover'), { version: op.version });
    case 'weights':
      return post<Release>(paths.releaseOp(project, name, 'weights'), { weights: op.weights });
    case 'delete':
      await del(paths.release(project, name));
      return undefined;
    default:
      return post<Release>(paths.releaseOp(project, name, op.kind), {});
  }
}

interface Props {
  project: string;
  release: Release;
  op: Op | undefined;
  onDone: (op: Op, r: Release | undefined) => void;
  onCancel: () => void;
}

/** The confirm dialog of one operation; shows the API's refusal verbatim if it refuses. */
export function OpDialog({ project, release, op, onDone, onCancel }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  if (!op) return null;
  const d = describeOp(op, release);
  const handleConfirm = async (): Promise<void> => {
    setBusy(true);
    setError('');
    try {
      const r = await runOp(project, release.metadata.name, op);
      onDone(op, r);
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
      testId="op-dialog"
      footer={
        <>
          <Button onClick={handleCancel}>Cancel</Button>
          <Button variant={d.danger ? 'danger' : 'primary'} onClick={handleConfirm} disabled={busy} data-testid="op-confirm">
            {busy ? 'Applying…' : d.confirm}
          </Button>
        </>
      }
    >
      <p>{d.text}</p>
      {error ? (
        <p className="form-error" role="alert" data-testid="op-error">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}
