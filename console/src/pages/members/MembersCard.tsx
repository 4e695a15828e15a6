/**
 * The members of a project or a workspace with their roles: invite, change a
 * role, remove, each behind a confirm step. The search is in the URL (?q=).
 */
import { useState } from 'react';
import { paths } from '../../api/endpoints';
import { useApi } from '../../api/use-api';
import type { List, Member } from '../../api/types';
import { Button } from '../../components/Button';
import { Empty, ErrorBanner, Loading } from '../../components/States';
import { formatAge } from '../../lib/format';
import { filterMembers, type MemberOp, type MemberTarget } from '../../lib/members';
import { useQueryState } from '../../router/router';
import { InviteDialog } from './InviteDialog';
import { MemberOpDialog } from './MemberOpDialog';

interface Props {
  target: MemberTarget;
  roles: readonly string[];
}

export function MembersCard({ target, roles }: Props) {
  const [query, setQuery] = useQueryState();
  const members = useApi<List<Member>>(target.scope === 'project' ? paths.projectMembers(target.name) : paths.workspaceMembers(target.name));
  const [inviting, setInviting] = useState(false);
  const [op, setOp] = useState<MemberOp | undefined>(undefined);
  const [done, setDone] = useState('');
  const q = query.get('q') ?? '';
  const items = filterMembers(members.data?.items ?? [], q);

  const handleInvite = (user: string, role: string): void => {
    setInviting(false);
    setOp({ kind: 'invite', user, role });
  };
  const handleDone = (o: MemberOp): void => {
    setOp(undefined);
    setDone(o.kind === 'remove' ? `${o.user} was removed.` : `${o.user} is ${o.role}.`);
    members.reload();
  };

  return (
    <section className="card" aria-label="Members">
      <div className="card-toolbar">
        <input type="search" aria-label="Search members" placeholder="Search by user or role" value={q} onChange={(e) => setQuery({ q: e.target.value })} data-testid="member-search" />
        <Button variant="primary" onClick={() => setInviting(true)} data-testid="invite-member">
          Invite Member
        </Button>
      </div>
      {done ? (
        <p className="form-ok" role="status">
          {done}
        </p>
      ) : null}
      <ErrorBanner error={members.error} onRetry={members.reload} />
      {members.loading && !members.data ? <Loading /> : null}
      {members.data && items.length === 0 ? <Empty title={q ? 'No member matches the search' : 'No members yet'} testId="members-empty" /> : null}
      {items.length > 0 ? (
        <table className="table table-flat" data-testid="members-table">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Invited</th>
              <th className="table-actions">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((m) => (
              <tr key={m.user} data-testid={`member-row-${m.user}`}>
                <td>
                  <strong>{m.user}</strong>
                </td>
                <td>
                  <select
                    className="role-select"
                    aria-label={`Role of ${m.user}`}
                    value={m.role}
                    onChange={(e) => setOp({ kind: 'role', user: m.user, role: e.target.value, from: m.role })}
                    data-testid={`member-role-${m.user}`}
                  >
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{formatAge(m.createdAt)}</td>
                <td className="table-actions">
                  <Button variant="ghost" onClick={() => setOp({ kind: 'remove', user: m.user, role: m.role })} data-testid={`member-remove-${m.user}`}>
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <InviteDialog target={target} roles={roles} open={inviting} onInvite={handleInvite} onClose={() => setInviting(false)} />
      <MemberOpDialog key={op ? `${op.kind}-${op.user}-${op.role}` : 'none'} target={target} op={op} onDone={handleDone} onCancel={() => setOp(undefined)} />
    </section>
  );
}
