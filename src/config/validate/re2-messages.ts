/**
 * RE2's parse errors (re2/regexp.cc, kErrorStrings: "<what>: <where>"), each given the way to
 * write the pattern instead. RE2 names where it stopped in the pattern as the `re2` package was
 * given it (engineSource), so `\/` is shown as the `/` the user wrote.
 */

type Fix = (arg: string) => string;

const LOOKAROUNDS = new Set(['(?=', '(?!', '(?<=', '(?<!']);

const FIXES: [string, Fix][] = [
  ['invalid perl operator', (a) =>
    LOOKAROUNDS.has(a)
      ? `lookaround ${a} is not supported by RE2; match the text itself instead`
      : `invalid group or flag ${a}; RE2 groups are (...), (?:...) and (?P<name>...), its flags (?i), (?m), (?s) and (?U)`],
  ['invalid escape sequence', (a) =>
    /^\\[1-9]$/.test(a) ? `backreference ${a} is not supported by RE2; write the repeated text out`
      : a === '\\k' ? 'backreference \\k<name> is not supported by RE2; write the repeated text out'
        : a === '\\Z' ? 'invalid escape sequence \\Z; RE2 writes the end of the text as \\z'
          : a === '\\E' ? 'invalid escape sequence \\E; \\E only ends a quote begun with \\Q'
            : `invalid escape sequence ${a}; escape only punctuation, or use one of RE2's escapes (\\d \\s \\w \\b \\pL \\x{41} \\Q...\\E)`],
  ['missing ]', () => 'missing ]: a character class is not closed; close it, or write a literal [ as \\['],
  ['missing )', () => 'missing ): a group is not closed; close it, or write a literal ( as \\('],
  ['unexpected )', () => 'unexpected ): a ) closes no group; remove it, or write a literal ) as \\)'],
  ['trailing \\', () => 'trailing backslash at the end of the pattern; write a literal backslash as \\\\'],
  ['no argument for repetition operator', (a) => `nothing to repeat before ${a}; write a literal ${a.charAt(0)} as \\${a.charAt(0)}`],
  ['bad repetition operator', (a) => `bad repetition operator ${a}: a repetition cannot be repeated directly; group it first, e.g. (?:a*)*`],
  ['invalid repetition size', (a) => `invalid repetition size ${a}: counts go from 0 to 1000, the smaller first, and nested counts multiply up to 1000 at most`],
  ['invalid character class range', (a) => `invalid character class ${a}: a range runs from low to high (a-z); named classes are [[:alpha:]], \\pL, \\p{Lu} and \\p{Greek}`],
  ['invalid character class', (a) => `invalid character class ${a}: named classes are [[:alpha:]], \\pL, \\p{Lu} and \\p{Greek}`],
  ['invalid named capture group', (a) => `invalid named capture group ${a}; a name is letters, digits and _, e.g. (?P<version>v[0-9]+)`],
  ['duplicate capture group name', () => 'duplicate capture group name; give each named group its own name'],
  ['pattern too large', () => "pattern too large: its compiled program exceeds RE2's memory limit; use fewer or smaller repetitions"],
];

/** RE2's error `message` for a pattern, with how to write it instead. */
export function explainRe2(message: string): string {
  for (const [what, fix] of FIXES) {
    if (message !== what && !message.startsWith(`${what}:`) && !message.startsWith(`${what} `)) continue;
    const arg = message.slice(what.length).replace(/^:\s*/, '').replaceAll('\\/', '/');
    return fix(arg);
  }
  return message;
}
