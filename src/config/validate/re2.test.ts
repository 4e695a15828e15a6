import { describe, expect, it } from 'vitest';
import { compileRe2, compileRe2Search, re2Error, Re2Error } from './re2.js';

describe('compileRe2 matches whole strings, as Envoy safe_regex does', () => {
  // [pattern, input, matches]
  const CASES: [string, string, boolean][] = [
    ['v[12]', 'v1', true],
    ['v[12]', 'xv1y', false], // full match, not search
    ['/api/.*', '/api/v1/products', true],
    ['/api/.*', '/v2/api/x', false],
    ['a|b', 'b', true], // alternation is grouped inside the anchors
    ['a|b', 'ab', false],
    ['(?i)jason', 'JaSon', true], // RE2 flags at the start
    ['(?s)a.b', 'a\nb', true],
    ['a.b', 'a\nb', false],
    ['(?P<ver>v\\d+)/.*', 'v12/x', true], // RE2 named group
    ['\\Qa.b\\E', 'a.b', true], // quoted literal
    ['\\Qa.b\\E', 'axb', false],
    ['[[:alpha:]]+[[:digit:]]', 'abc1', true], // POSIX classes
    ['\\pL+', 'héllo', true], // Unicode classes
    ['\\p{Greek}+', 'αβγ', true],
    ['\\x{41}\\x42', 'AB', true],
    ['a{2}', 'aa', true],
    ['a{', 'a{', true], // a brace that is no repeat is a literal in RE2
    ['x]', 'x]', true],
    ['\\-\\"\\@', '-"@', true], // RE2 escapes any punctuation
    ['[\\-a]+', '-a-', true],
    ['\\s', '\u00a0', false], // RE2's \s is ASCII whitespace only
    ['\\s', '\t', true],
    ['\\Aabc\\z', 'abc', true],
    ['(?m)^a$\\n^b$', 'a\nb', true],
    ['(?m)b', 'a\nb', false], // still a full match of the whole input
    // RE2 takes flags anywhere, scoped to their group, and the ungreedy flag.
    ['a(?i)b', 'aB', true],
    ['a(?i)b', 'AB', false],
    ['(?i:a)b', 'Ab', true],
    ['(?U)a+', 'aaa', true],
    ['\\C', 'a', true], // any byte: one ASCII character is one byte
    ['\\C', 'é', false], // ... and é is two
    ['\\Qa)\\E', 'a)', true], // a quoted ) closes nothing, the anchors' group included
    ['\\Qa.b', 'a.b', true], // a quote without \E runs to the end of the pattern
    ['[(?<x]+', '(?<x', true], // no named group inside a class
    ['[]a]+', ']a]', true], // a ] first in a class is a member
    ['[^]a]', 'b', true],
    ['[[:alpha:]/]+', 'a/b', true],
    ['\\p{L}+', 'héllo', true],
    ['[\\p{Greek}x]+', 'αx', true],
    ['/api/v1', '/api/v1', true],
    ['(?<ver>v\\d+)', 'v2', true],
    ['(a+)+b', 'a'.repeat(30), false], // RE2 runs it in one pass (V8's backtracking took 2^30 steps)
    ['(a+)+b', `${'a'.repeat(5000)}b`, true],
  ];
  it.each(CASES)('%s on %j → %s', (pattern, input, matches) => {
    expect(compileRe2(pattern).test(input)).toBe(matches);
  });
});

describe('compileRe2 refuses what RE2 refuses, with how to write it instead', () => {
  const REFUSED: [string, string][] = [
    ['a(?=b)', 'lookaround (?= is not supported by RE2; match the text itself instead'],
    ['a(?!b)', 'lookaround (?! is not supported by RE2; match the text itself instead'],
    ['(?<=a)b', 'lookaround (?<= is not supported by RE2; match the text itself instead'],
    ['(?<!a)b', 'lookaround (?<! is not supported by RE2; match the text itself instead'],
    ['(a)\\1', 'backreference \\1 is not supported by RE2; write the repeated text out'],
    ['(?<x>a)\\k<x>', 'backreference \\k<name> is not supported by RE2; write the repeated text out'],
    ['(?x)a', 'invalid group or flag (?x; RE2 groups are (...), (?:...) and (?P<name>...), its flags (?i), (?m), (?s) and (?U)'],
    ['a{1001}', 'invalid repetition size {1001}: counts go from 0 to 1000, the smaller first, and nested counts multiply up to 1000 at most'],
    ['a{3,2}', 'invalid repetition size {3,2}: counts go from 0 to 1000, the smaller first, and nested counts multiply up to 1000 at most'],
    ['\\Z', 'invalid escape sequence \\Z; RE2 writes the end of the text as \\z'],
    ['\\E', 'invalid escape sequence \\E; \\E only ends a quote begun with \\Q'],
    ['\\y', "invalid escape sequence \\y; escape only punctuation, or use one of RE2's escapes (\\d \\s \\w \\b \\pL \\x{41} \\Q...\\E)"],
    ['[a', 'missing ]: a character class is not closed; close it, or write a literal [ as \\['],
    ['/api/(v1', 'missing ): a group is not closed; close it, or write a literal ( as \\('],
    ['a)(b', 'unexpected ): a ) closes no group; remove it, or write a literal ) as \\)'],
    ['*a', 'nothing to repeat before *; write a literal * as \\*'],
    ['a**', 'bad repetition operator **: a repetition cannot be repeated directly; group it first, e.g. (?:a*)*'],
    ['abc\\', 'trailing backslash at the end of the pattern; write a literal backslash as \\\\'],
    ['[z-a]', 'invalid character class z-a: a range runs from low to high (a-z); named classes are [[:alpha:]], \\pL, \\p{Lu} and \\p{Greek}'],
    ['[[:alpah:]]', 'invalid character class [:alpah:]: a range runs from low to high (a-z); named classes are [[:alpha:]], \\pL, \\p{Lu} and \\p{Greek}'],
    ['(?P<v>a)(?P<v>b)', 'duplicate capture group name; give each named group its own name'],
    ['\\pL{1000}', "pattern too large: its compiled program exceeds RE2's memory limit; use fewer or smaller repetitions"],
  ];
  it.each(REFUSED)('%s', (pattern, message) => {
    expect(() => compileRe2(pattern)).toThrow(Re2Error);
    expect(re2Error(pattern)).toBe(message);
  });

  // JavaScript syntax the re2 package would rewrite into RE2's: RE2 in Envoy refuses it, so here too.
  const JAVASCRIPT_ONLY: [string, string][] = [
    ['\\u0041', 'invalid escape sequence: \\u; RE2 writes a code point as \\x{41} (up to \\x{10FFFF})'],
    ['[\\u0041]', 'invalid escape sequence: \\u; RE2 writes a code point as \\x{41} (up to \\x{10FFFF})'],
    ['\\cA', 'invalid escape sequence: \\c; RE2 writes a control character by its code, e.g. \\x01'],
    ['\\p{Letter}', "Unicode class \\p{Letter} is not RE2's; write a general category by its short name (\\pL, \\p{Lu}) or a script by its name (\\p{Greek})"],
    ['[\\p{Script=Greek}]', "Unicode class \\p{Script=Greek} is not RE2's; write a general category by its short name (\\pL, \\p{Lu}) or a script by its name (\\p{Greek})"],
  ];
  it.each(JAVASCRIPT_ONLY)('%s', (pattern, message) => {
    expect(re2Error(pattern)).toBe(message);
  });

  it('reports nothing for a valid pattern', () => {
    expect(re2Error('^/reviews/[0-9]+$')).toBeUndefined();
    expect(re2Error('\\Q\\u0041\\E')).toBeUndefined(); // quoted: the literal text \u0041
    expect(compileRe2('\\Q\\u0041\\E').test('\\u0041')).toBe(true);
  });
});

describe('compileRe2Search replaces every match, as RE2::GlobalReplace', () => {
  it('substitutes groups, again on the next input', () => {
    const re = compileRe2Search('^/service/([^/]+)(/.*)$');
    expect(re.replace('/service/a/b', '$2/instance/$1')).toBe('/b/instance/a');
    expect(re.replace('/service/c/d', '$2/instance/$1')).toBe('/d/instance/c');
    expect(compileRe2Search('[0-9]+').replace('/v1/items/42', 'N')).toBe('/vN/items/N');
  });

  it('refuses what RE2 refuses', () => {
    expect(() => compileRe2Search('/api/(v1')).toThrow(Re2Error);
  });
});
