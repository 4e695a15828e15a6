/** A coloured dot and word for a status: Running, Updating, Stopped, Failed, healthy, degraded… */

const TONES: Record<string, string> = {
  running: 'ok',
  ready: 'ok',
  healthy: 'ok',
  succeeded: 'ok',
  updating: 'warn',
  pending: 'warn',
  degraded: 'warn',
  paused: 'muted',
  waiting: 'warn',
  progressing: 'warn',
  promoting: 'warn',
  waitingforpromotion: 'warn',
  failed: 'bad',
  failure: 'bad',
  stopped: 'muted',
  idle: 'muted',
  unknown: 'muted',
  allowed: 'ok',
  refused: 'warn',
};

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const tone = TONES[status.toLowerCase()] ?? 'muted';
  return (
    <span className={`badge badge-${tone}`} data-testid={testId}>
      <span className="badge-dot" aria-hidden="true" />
      {status}
    </span>
  );
}
