/**
 * Project Settings › Audit Log: every change made in the project, refusals
 * included: who, what, when and the result (GET /api/v1/audit?project=).
 * The user filter and the number of entries are in the URL.
 */
import { paths } from '../api/endpoints';
import { useApi } from '../api/use-api';
import type { AuditEntry, List } from '../api/types';
import { AuditIcon } from '../components/Icons';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorBanner, Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { describeAuditAction } from '../lib/audit';
import { formatDateTime } from '../lib/format';
import { useQueryState } from '../router/router';

const LIMITS = [50, 100, 500];

export function AuditPage({ project }: { project: string }) {
  const [query, setQuery] = useQueryState();
  const user = query.get('user') ?? '';
  const limit = Number(query.get('limit')) || 100;
  // The API checks the user filter as a name; an unfinished one is not sent.
  const filter = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(user) ? user : '';
  const log = useApi<List<AuditEntry>>(paths.audit({ project, limit, ...(filter ? { user: filter } : {}) }), { refreshMs: 10_000 });
  const items = log.data?.items ?? [];
  return (
    <div className="page page-wide">
      <PageHeader icon={<AuditIcon />} title="Audit Log" description="Every change made in this project, newest first: who made it, what it was, when, and whether it was allowed. Refusals are recorded too." />
      <section className="card" aria-label="Audit log">
        <div className="card-toolbar">
          <input type="search" aria-label="Filter by user" placeholder="Filter by user" value={user} onChange={(e) => setQuery({ user: e.target.value.trim() })} data-testid="audit-user" />
          <label className="inline-field">
            Show
            <select value={limit} onChange={(e) => setQuery({ limit: e.target.value === '100' ? undefined : e.target.value })} data-testid="audit-limit">
              {LIMITS.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            entries
          </label>
        </div>
        <ErrorBanner error={log.error} onRetry={log.reload} />
        {log.loading && !log.data ? <Loading /> : null}
        {log.data && items.length === 0 ? <Empty title="No changes recorded" testId="audit-empty" /> : null}
        {items.length > 0 ? (
          <table className="table table-flat" data-testid="audit-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>User</th>
                <th>Operation</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-testid={`audit-row-${e.id}`}>
                  <td className="mono small">{formatDateTime(e.time)}</td>
                  <td>{e.user}</td>
                  <td>
                    {describeAuditAction(e)}
                    <div className="muted small mono">
                      {e.method} {e.path}
                    </div>
                  </td>
                  <td>
                    <StatusBadge status={e.result} />
                    <span className="muted small"> {e.status}</span>
                    {e.message ? <div className="audit-message">{e.message}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}
