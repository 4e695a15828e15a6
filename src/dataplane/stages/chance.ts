/** A percentage of requests (fault injection, mirrors): true for that share of calls; absent means all. */
export function chance(percent: number | undefined): boolean {
  if (percent === undefined) return true;
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  return Math.random() * 100 < percent;
}
