/**
 * An automatic release on its page: the plan as a timeline (done, under way, next), the
 * checks with their numbers, the webhook calls, and Promote / Abort.
 */
import type { Release } from '../../api/types';
import { Button } from '../../components/Button';
import { checkValue, planItems } from '../../lib/analysis';
import { formatDateTime } from '../../lib/format';
import type { Op } from './ReleaseOps';

const SHOWN = 12;

export function AnalysisCard({ release: r, onOp }: { release: Release; onOp: (op: Op) => void }) {
  const spec = r.spec!;
  const a = r.status?.analysis;
  const phase = r.status?.phase;
  const finished = phase === 'Succeeded' || phase === 'Failed';
  const items = planItems(spec, a?.step, phase);
  const checks = [...(a?.checks ?? [])].reverse().slice(0, SHOWN);
  const calls = [...(a?.webhooks ?? [])].reverse().slice(0, 6);
  return (
    <section className="card" aria-label="Automatic analysis">
      <div className="card-toolbar">
        <h2 className="card-title">Automatic analysis</h2>
        <div className="toolbar">
          <Button variant="primary" onClick={() => onOp({ kind: 'promote' })} disabled={finished} data-testid="release-promote">
            Promote
          </Button>
          <Button variant="danger" onClick={() => onOp({ kind: 'abort' })} disabled={finished} data-testid="release-abort">
            Abort
          </Button>
        </div>
      </div>
      <ol className="timeline" data-testid="analysis-timeline">
        {items.map((s, i) => (
          <li key={i} className={`timeline-step is-${s.state}`} data-state={s.state}>
            <span className="timeline-dot" aria-hidden="true" />
            <span>{s.label}</span>
          </li>
        ))}
      </ol>
      {a ? (
        <p className="muted small">
          {a.failedChecks} failed checks, {a.inconclusive} inconclusive in a row{a.reason ? ` — last: ${a.reason}` : ''}
        </p>
      ) : null}
      <table className="table" data-testid="analysis-checks">
        <thead>
          <tr>
            <th>Time</th>
            <th>Metric</th>
            <th>Version</th>
            <th>Value</th>
            <th>Threshold</th>
            <th>Requests</th>
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {checks.length === 0 ? (
            <tr>
              <td colSpan={7} className="muted">
                No checks yet: the first runs one interval after {spec.newVersion.version} gets traffic.
              </td>
            </tr>
          ) : (
            checks.map((c, i) => (
              <tr key={i} title={c.reason}>
                <td>{formatDateTime(c.time)}</td>
                <td>{c.metric}</td>
                <td>{c.version}</td>
                <td>{checkValue(c)}</td>
                <td>{c.threshold}</td>
                <td>{c.requests}</td>
                <td>
                  <span className={`verdict verdict-${c.verdict}`}>{c.verdict}</span>
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      {calls.length > 0 ? (
        <ul className="history">
          {calls.map((w, i) => (
            <li key={i}>
              <span className="muted small">{formatDateTime(w.time)}</span> webhook <strong>{w.name}</strong> ({w.type}): {w.status || w.error} {w.passed ? 'passed' : 'failed'}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
