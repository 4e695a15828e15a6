/**
 * An RE2 pattern (https://github.com/google/re2/wiki/Syntax) written so that the `re2` package
 * hands RE2 exactly that pattern. The package first rewrites JavaScript-only syntax into RE2's
 * (`\u0041`, `\cA`, `\p{Letter}`, `\p{Script=Greek}`), which would let a rule through here that
 * RE2 in Envoy refuses; and it does so without knowing `\Q...\E` or character classes, so a
 * `(?<` inside `[...]` or a `\u` inside `\Q...\E` would change meaning. This pass writes the
 * pattern so that the package's rewrite has nothing left to change:
 *
 * - `\Q...\E` becomes its literals (`\x{2e}` for a `.`), which RE2 reads the same way;
 * - `/` becomes `\/` and `(?<name>` becomes `(?P<name>`, as the package would write them;
 * - `(` inside a class becomes `\(`, `\p{L}` becomes `\pL`: the same class, either way;
 * - `\u` and `\c`, which RE2 does not have, are refused.
 *
 * Everything else is left to RE2's own parser. `compileRe2` checks that the package passed
 * the result through unchanged, so what validation accepts is what RE2 runs.
 */
import { Re2Error } from './re2-error.js';

const WORD = /[A-Za-z0-9_]/;

/** A code point as an RE2 literal: itself when it is a word character, else `\x{...}`. */
const literal = (ch: string): string => (WORD.test(ch) ? ch : `\\x{${(ch.codePointAt(0) ?? 0).toString(16)}}`);

class SourceWriter {
  private i = 0;
  private out = '';
  private inClass = false;
  /** Where the current class's members start: a `]` there is a member, not the end. */
  private classStart = -1;

  constructor(private readonly p: string) {}

  write(): string {
    while (this.i < this.p.length) {
      if (this.inClass) this.classChar();
      else this.topChar();
    }
    return this.out;
  }

  private topChar(): void {
    const c = this.p[this.i] as string;
    if (c === '\\') return this.escape();
    if (c === '[') {
      this.inClass = true;
      this.out += c;
      this.i++;
      if (this.p[this.i] === '^') {
        this.out += '^';
        this.i++;
      }
      this.classStart = this.i;
      return;
    }
    if (c === '(' && this.p.startsWith('(?<', this.i) && this.p[this.i + 3] !== '=' && this.p[this.i + 3] !== '!') {
      this.out += '(?P<';
      this.i += 3;
      return;
    }
    this.plain(c);
  }

  private classChar(): void {
    const c = this.p[this.i] as string;
    if (c === '\\') return this.escape();
    if (c === ']' && this.i !== this.classStart) {
      this.inClass = false;
      this.out += c;
      this.i++;
      return;
    }
    if (c === '[' && this.p[this.i + 1] === ':') {
      // A POSIX class [:alpha:] is one member, however RE2 judges its name.
      const end = this.p.indexOf(':]', this.i + 2);
      if (end >= 0) {
        this.out += this.p.slice(this.i, end + 2);
        this.i = end + 2;
        return;
      }
    }
    if (c === '(') {
      this.out += '\\(';
      this.i++;
      return;
    }
    this.plain(c);
  }

  private plain(c: string): void {
    this.out += c === '/' ? '\\/' : c;
    this.i++;
  }

  /** One escape starting at `\`: `\Q...\E` expanded, `\p{L}` shortened, the rest as written. */
  private escape(): void {
    const n = this.p[this.i + 1];
    if (n === 'u') throw new Re2Error('invalid escape sequence: \\u; RE2 writes a code point as \\x{41} (up to \\x{10FFFF})');
    if (n === 'c') throw new Re2Error('invalid escape sequence: \\c; RE2 writes a control character by its code, e.g. \\x01');
    if (n === 'Q' && !this.inClass) return this.quoted();
    const short = /^\\([pP])\{([^}^])\}/.exec(this.p.slice(this.i, this.i + 5));
    if (short) {
      this.out += `\\${short[1]}${short[2]}`;
      this.i += 5;
      return;
    }
    this.out += this.p.slice(this.i, this.i + 2);
    this.i += 2;
  }

  /** `\Q...\E` (or to the end): every code point a literal. */
  private quoted(): void {
    const start = this.i + 2;
    const end = this.p.indexOf('\\E', start);
    for (const ch of this.p.slice(start, end < 0 ? undefined : end)) this.out += literal(ch);
    this.i = end < 0 ? this.p.length : end + 2;
  }
}

/** `pattern` as the `re2` package must be given it to run exactly that RE2 pattern. */
export function engineSource(pattern: string): string {
  return new SourceWriter(pattern).write();
}
