/**
 * Quantiles from cumulative histogram buckets, computed as Prometheus'
 * histogram_quantile does (promql/quantile.go, bucketQuantile): find the
 * bucket holding the rank, interpolate linearly inside it, and answer the
 * highest finite bound when the rank falls into +Inf.
 */

/**
 * The q-quantile of a histogram. `bounds` are the finite upper bounds in
 * increasing order; `cumulative` holds one count per bound and then the +Inf
 * count (length bounds + 1). Returns null when the histogram is empty.
 */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: ArrayLike<number>): number | null {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const n = bounds.length + 1;
  if (cumulative.length < n || n < 2) return null;
  // Counts must not decrease (Prometheus' ensureMonotonic): floating point or torn reads can make them.
  const counts: number[] = [];
  let max = 0;
  for (let i = 0; i < n; i++) {
    max = Math.max(max, cumulative[i] as number);
    counts.push(max);
  }
  const observations = counts[n - 1] as number;
  if (!(observations > 0)) return null;
  let rank = q * observations;
  let b = counts.findIndex((c) => c >= rank);
  if (b < 0) b = n - 1;
  if (b === n - 1) return bounds[n - 2] as number;
  if (b === 0 && (bounds[0] as number) <= 0) return bounds[0] as number;
  let start = 0;
  const end = bounds[b] as number;
  let count = counts[b] as number;
  if (b > 0) {
    start = bounds[b - 1] as number;
    count -= counts[b - 1] as number;
    rank -= counts[b - 1] as number;
  }
  return start + (end - start) * (rank / count);
}
