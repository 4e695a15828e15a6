/**
 * Failed-login limiter: at most `limit` failures per key (a user, an address)
 * within a sliding window; past that, attempts are refused without checking
 * the password until the oldest failure leaves the window. Memory is bounded:
 * past `maxKeys` keys the stalest are forgotten.
 */

export interface LimiterOptions {
  /** Failures allowed within the window. */
  limit: number;
  /** Window length, in milliseconds. */
  windowMs: number;
  /** Keys remembered at most. */
  maxKeys?: number;
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly opts: LimiterOptions) {}

  /** Seconds to wait before `key` may try again; 0 when it may try now. */
  retryAfter(key: string, now = Date.now()): number {
    const list = this.recent(key, now);
    if (list.length < this.opts.limit) return 0;
    const oldest = list[list.length - this.opts.limit] as number;
    return Math.max(1, Math.ceil((oldest + this.opts.windowMs - now) / 1000));
  }

  /** Records a failure. */
  fail(key: string, now = Date.now()): void {
    const list = this.recent(key, now);
    list.push(now);
    // Re-insert so the map's order is least recently failed first.
    this.failures.delete(key);
    this.failures.set(key, list.slice(-this.opts.limit));
    const max = this.opts.maxKeys ?? 10_000;
    while (this.failures.size > max) {
      const first = this.failures.keys().next().value as string;
      this.failures.delete(first);
    }
  }

  /** Forgets a key's failures (after a successful login). */
  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.opts.windowMs);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }
}
