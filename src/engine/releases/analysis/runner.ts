/**
 * Moves automatic releases on by time: after each pass a timer (on the injected clock)
 * for when the next is due; a pass runs under the release's lock, like every operation
 * on it. Events (a reconcile, a promote) poke a release to look at once.
 */
import type { Release } from '../../../config/release/types.js';
import type { ReleaseHost } from '../host.js';
import { systemClock } from './clock.js';
import { advance } from './progress.js';
import { isAutomatic, TERMINAL } from './state.js';

/** After a pass that threw, look again in this long (ms). */
const RETRY_MS = 1_000;

export class AnalysisRunner {
  private readonly timers = new Map<string, () => void>();
  private closed = false;

  constructor(
    private readonly host: ReleaseHost,
    /** Runs fn under the release's lock. */
    private readonly locked: (ns: string, name: string, fn: () => Promise<number | undefined>) => Promise<number | undefined>,
  ) {}

  /** Something changed for this release: a pass now, if it is automatic and not finished. */
  poke(r: Release | undefined, ns: string, name: string): void {
    const key = `${ns}/${name}`;
    if (!r || !isAutomatic(r) || TERMINAL.has(r.status?.phase ?? '')) {
      this.cancel(key);
      this.host.load?.stop(key);
      return;
    }
    this.schedule(ns, name, 0);
  }

  private cancel(key: string): void {
    this.timers.get(key)?.();
    this.timers.delete(key);
  }

  private schedule(ns: string, name: string, ms: number): void {
    if (this.closed) return;
    const key = `${ns}/${name}`;
    this.cancel(key);
    const clock = this.host.clock ?? systemClock;
    this.timers.set(key, clock.after(ms, () => this.tick(ns, name)));
  }

  private tick(ns: string, name: string): void {
    const key = `${ns}/${name}`;
    this.timers.delete(key);
    this.locked(ns, name, () => advance(this.host, ns, name)).then(
      (next) => {
        if (next !== undefined) this.schedule(ns, name, Math.max(0, next));
      },
      (err: Error) => {
        this.host.log(`release ${key}: analysis: ${err.message}`);
        this.schedule(ns, name, RETRY_MS);
      },
    );
  }

  close(): void {
    this.closed = true;
    for (const [key, cancel] of this.timers) {
      cancel();
      this.host.load?.stop(key);
    }
    this.timers.clear();
  }
}
