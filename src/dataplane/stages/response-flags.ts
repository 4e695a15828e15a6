/** Envoy's response flags as a record carries them: '-' or several comma-separated. */

/** Envoy's order of response flags (ResponseFlagUtils), printed comma-separated when several apply. */
const FLAG_ORDER = ['UH', 'UT', 'LR', 'UR', 'UF', 'UC', 'UO', 'NR', 'DI', 'FI', 'DC', 'URX'];

export function addFlag(flags: string, flag: string): string {
  const all = new Set(flags === '-' ? [] : flags.split(','));
  all.add(flag);
  return [...all].sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b)).join(',');
}
