/** "Did you mean" suggestions for misspelled field names and values. */

const normalize = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment): spce → spec is 1. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (d[0] ??= [])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[i - 1]?.[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (d[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[i - 2]?.[j - 2] ?? 0) + 1);
      row[j] = best;
    }
  }
  return d[a.length]?.[b.length] ?? 0;
}

/** Whether `short` can be read out of `long` in order, as imagePolicy out of imagePullPolicy. */
function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const c of long) if (c === short[i]) i++;
  return i === short.length;
}

/**
 * The candidate `word` was most likely meant to be, or undefined when none is close:
 * same word in another case or with `_`/`-` (mirror_percent, Hosts), or a typo or two away.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const norm = normalize(word);
  const same = list.find((c) => normalize(c) === norm);
  if (same !== undefined) return same;
  const limit = word.length <= 2 ? 0 : word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of list) {
    const d = distance(norm, normalize(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  // A word with a part left out (percent for percentage, imagePolicy for imagePullPolicy).
  const whole = list
    .filter((c) => norm.length >= 4 && norm.length >= 0.6 * c.length && isSubsequence(norm, normalize(c)))
    .sort((x, y) => x.length - y.length);
  return whole[0];
}
