/** Time for the analysis: the real clock in an engine, a fake one in unit tests (no sleeps). */
export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Calls fn once after ms; returns a cancel. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return () => clearTimeout(t);
  },
};
