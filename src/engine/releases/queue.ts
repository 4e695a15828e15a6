/**
 * Per-key serialisation: every operation on one release runs after the ones before
 * it, and a reconcile queued (not yet running) covers every later request for one.
 */
export class KeyedQueue {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly queued = new Set<string>();

  /** Runs fn after everything queued before on the same key. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.locks.set(key, next);
    void next.catch(() => undefined).then(() => {
      if (this.locks.get(key) === next) this.locks.delete(key);
    });
    return next;
  }

  /** Queues fn unless a call for the same key is queued and not yet running. */
  coalesce(key: string, fn: () => Promise<unknown>, onError: (err: Error) => void): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    void this.run(key, () => {
      this.queued.delete(key);
      return fn();
    }).catch(onError);
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.locks.size > 0) await Promise.allSettled([...this.locks.values()]);
  }
}
