/**
 * The one-sided exact test comparing the new version's errors with the principal's in
 * the same window (Fisher's exact test on the 2x2 table of errors and successes): the
 * p-value is the chance, were both versions equally good, that the new version would
 * get at least as many of the window's errors as it did, given how many requests each
 * served (the hypergeometric upper tail).
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; ~15 significant digits). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const logChoose = (n: number, k: number): number => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * P(X >= x) for X ~ Hypergeometric: `total` requests of which `errors` failed, `drawn` of
 * them served by the new version. 1 when nothing could be told apart.
 */
export function hypergeometricUpperTail(total: number, errors: number, drawn: number, x: number): number {
  const hi = Math.min(errors, drawn);
  const lo = Math.max(0, drawn - (total - errors));
  if (x <= lo) return 1;
  if (x > hi) return 0;
  const denom = logChoose(total, drawn);
  let p = 0;
  for (let k = x; k <= hi; k++) p += Math.exp(logChoose(errors, k) + logChoose(total - errors, drawn - k) - denom);
  return Math.min(1, p);
}

/** The one-sided p-value that the new version (errors of requests) is worse than the baseline's. */
export function worseThanBaseline(canary: { requests: number; errors: number }, baseline: { requests: number; errors: number }): number {
  return hypergeometricUpperTail(canary.requests + baseline.requests, canary.errors + baseline.errors, canary.requests, canary.errors);
}
