/**
 * Smooth weighted round-robin, nginx's algorithm (ngx_http_upstream_get_peer): every pick adds
 * each weight to its running score, takes the highest score and subtracts the total from it.
 * The sequence repeats every `sum(weights)` picks and each destination appears exactly its weight
 * times per period, spread out (90/10 gives one v2 in every ten, not ten in a row), so any window
 * of `sum` consecutive picks splits exactly. Envoy draws weighted clusters at random; graymesh
 * chooses this so a 90/10 canary is exactly 90/10 over every hundred requests.
 */
export class SmoothWeighted {
  private readonly current: number[];
  private readonly total: number;

  /** Weights must be positive; zero-weight destinations are left out by the caller. */
  constructor(private readonly weights: readonly number[]) {
    this.current = weights.map(() => 0);
    this.total = weights.reduce((a, b) => a + b, 0);
  }

  /** The index of the next destination. */
  next(): number {
    const n = this.weights.length;
    if (n === 1) return 0;
    let best = 0;
    for (let i = 0; i < n; i++) {
      const c = (this.current[i] as number) + (this.weights[i] as number);
      this.current[i] = c;
      if (c > (this.current[best] as number)) best = i;
    }
    this.current[best] = (this.current[best] as number) - this.total;
    return best;
  }
}
