import { describe, expect, it } from 'vitest';
import { compileRe2, re2Error, Re2Error } from './re2.js';

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
  ];
  it.each(CASES)('%s on %j → %s', (pattern, input, matches) => {
    expect(compileRe2(pattern).test(input)).toBe(matches);
  });
});

describe('compileRe2 refuses what RE2 refuses, and what JavaScript cannot compile', () => {
  const REFUSED: [string, string][] = [
    ['a(?=b)', 'lookaround (?= is not supported by RE2; match the text itself instead'],
    ['a(?!b)', 'lookaround (?! is not supported by RE2; match the text itself instead'],
    ['(?<=a)b', 'lookaround (?<= is not supported by RE2; match the text itself instead'],
    ['(?<!a)b', 'lookaround (?<! is not supported by RE2; match the text itself instead'],
    ['(a)\\1', 'backreference \\1 is not supported by RE2'],
    ['(?<x>a)\\k<x>', 'backreference \\k<name> is not supported by RE2'],
    ['a(?i)b', 'flags such as (?i) are only supported at the start of the pattern, where they apply to all of it'],
    ['(?U)a+', 'the ungreedy flag (?U) has no JavaScript equivalent; write lazy quantifiers such as .*? instead'],
    ['a{1001}', "repeat count {1001} exceeds RE2's limit of 1000"],
    ['a{3,2}', 'invalid repeat count {3,2}: the maximum is below the minimum'],
    ['\\Z', 'invalid escape \\Z'],
    ['\\C', 'invalid escape \\C'],
    ['[a', 'missing closing ]'],
    ['(a', 'not a valid regular expression: Unterminated group'],
    ['a**', 'not a valid regular expression: Nothing to repeat'],
    ['abc\\', 'trailing backslash at the end of the pattern'],
  ];
  it.each(REFUSED)('%s', (pattern, message) => {
    expect(() => compileRe2(pattern)).toThrow(Re2Error);
    expect(re2Error(pattern)).toBe(message);
  });

  it('reports nothing for a valid pattern', () => {
    expect(re2Error('^/reviews/[0-9]+$')).toBeUndefined();
  });
});
