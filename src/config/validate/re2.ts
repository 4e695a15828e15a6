/**
 * RE2 regular expressions (https://github.com/google/re2/wiki/Syntax), as Istio's `regex`
 * fields take them, compiled to JavaScript with the full-match semantics of Envoy's safe_regex:
 * a header `regex: "v[12]"` matches "v1", never "xv1y".
 *
 * RE2 refuses what needs backtracking (lookarounds, backreferences), so those are refused here
 * too, even though JavaScript could run them: a rule must mean the same on Envoy.
 */

export class Re2Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Re2Error';
  }
}

/** Unicode general categories: RE2's \pL is JavaScript's \p{L}; other names are scripts. */
const CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Any'.split(' '),
);

/** POSIX classes, valid inside a bracket expression: [[:alpha:]]. */
const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7f', blank: '\\t ', cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/** RE2's \s is ASCII whitespace only, narrower than JavaScript's. */
const RE2_SPACE = '\\t\\n\\f\\r ';
const MAX_REPEAT = 1000;

const hex = (code: number): string => `\\u{${code.toString(16)}}`;

class Converter {
  private i = 0;
  private out = '';
  readonly flags = new Set<string>(['u']);

  constructor(private readonly p: string) {}

  convert(): string {
    this.leadingFlags();
    while (this.i < this.p.length) this.atom();
    return this.out;
  }

  /** RE2 flags `(?i)`, `(?s)`, `(?m)`; JavaScript has them only for the whole pattern. */
  private leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([a-zA-Z]+)\)/.exec(this.p.slice(this.i));
      if (!m) return;
      for (const f of m[1] ?? '') {
        if (f === 'U') throw new Re2Error('the ungreedy flag (?U) has no JavaScript equivalent; write lazy quantifiers such as .*? instead');
        if (f !== 'i' && f !== 's' && f !== 'm') throw new Re2Error(`unknown flag "${f}" in (?${m[1]}); RE2 flags are i, m, s and U`);
        this.flags.add(f);
      }
      this.i += m[0].length;
    }
  }

  private atom(): void {
    const c = this.p[this.i] ?? '';
    switch (c) {
      case '\\':
        this.out += this.escape(false);
        return;
      case '[':
        this.charClass();
        return;
      case '(':
        this.group();
        return;
      case '{':
        this.repeat();
        return;
      case '}':
      case ']':
        this.out += `\\${c}`;
        this.i++;
        return;
      default:
        this.out += c;
        this.i++;
    }
  }

  private group(): void {
    const rest = this.p.slice(this.i);
    if (!rest.startsWith('(?')) {
      this.out += '(';
      this.i++;
      return;
    }
    if (rest.startsWith('(?=') || rest.startsWith('(?!') || rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
      throw new Re2Error(`lookaround ${rest.slice(0, rest.startsWith('(?<') ? 4 : 3)} is not supported by RE2; match the text itself instead`);
    }
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named) {
      this.out += `(?<${named[1]}>`;
      this.i += named[0].length;
      return;
    }
    if (rest.startsWith('(?:')) {
      this.out += '(?:';
      this.i += 3;
      return;
    }
    if (/^\(\?[a-zA-Z-]+[:)]/.test(rest)) {
      throw new Re2Error('flags such as (?i) are only supported at the start of the pattern, where they apply to all of it');
    }
    throw new Re2Error(`invalid group ${rest.slice(0, 3)}; use (...), (?:...) or (?P<name>...)`);
  }

  /** `{n}`, `{n,}`, `{n,m}` repeat; any other brace is a literal in RE2. */
  private repeat(): void {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
    if (!m) {
      this.out += '\\{';
      this.i++;
      return;
    }
    const min = Number(m[1]);
    const max = m[3] === undefined || m[3] === '' ? min : Number(m[3]);
    if (min > MAX_REPEAT || max > MAX_REPEAT) throw new Re2Error(`repeat count ${m[0]} exceeds RE2's limit of ${MAX_REPEAT}`);
    if (m[3] !== undefined && m[3] !== '' && max < min) throw new Re2Error(`invalid repeat count ${m[0]}: the maximum is below the minimum`);
    this.out += m[0];
    this.i += m[0].length;
  }

  private charClass(): void {
    this.i++; // [
    let body = '';
    if (this.p[this.i] === '^') {
      body += '^';
      this.i++;
    }
    let first = true;
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined) throw new Re2Error('missing closing ]');
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.p[this.i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.p.slice(this.i));
        if (m) {
          const set = POSIX[m[2] ?? ''];
          if (set === undefined) throw new Re2Error(`unknown character class [:${m[2]}:]`);
          if (m[1] === '^') throw new Re2Error(`negated class [:^${m[2]}:] is not supported here; use [^[:${m[2]}:]]`);
          body += set;
          this.i += m[0].length;
          continue;
        }
      }
      if (c === '\\') {
        body += this.escape(true);
        continue;
      }
      body += c === '[' || c === ']' ? `\\${c}` : c;
      this.i++;
    }
    this.i++; // ]
    this.out += `[${body}]`;
  }

  /** One escape sequence starting at `\`, as JavaScript (u flag) writes it. */
  private escape(inClass: boolean): string {
    const n = this.p[this.i + 1];
    this.i += 2;
    if (n === undefined) throw new Re2Error('trailing backslash at the end of the pattern');
    if (/[1-9]/.test(n)) throw new Re2Error(`backreference \\${n} is not supported by RE2`);
    switch (n) {
      case 'k':
        throw new Re2Error('backreference \\k<name> is not supported by RE2');
      case '0': {
        const m = /^[0-7]{0,2}/.exec(this.p.slice(this.i))?.[0] ?? '';
        this.i += m.length;
        return hex(parseInt(`0${m}`, 8));
      }
      case 'Q': {
        const end = this.p.indexOf('\\E', this.i);
        const literal = this.p.slice(this.i, end < 0 ? undefined : end);
        this.i = end < 0 ? this.p.length : end + 2;
        return [...literal].map((ch) => hex(ch.codePointAt(0) ?? 0)).join('');
      }
      case 'E':
        return '';
      case 'A':
        return this.flags.has('m') ? '(?<![\\s\\S])' : '^';
      case 'z':
        return this.flags.has('m') ? '(?![\\s\\S])' : '$';
      case 'x':
        return this.hexEscape();
      case 'p':
      case 'P':
        return this.property(n === 'P');
      case 's':
        return inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      case 'S':
        return inClass ? '\\S' : `[^${RE2_SPACE}]`;
      case 'a':
        return '\\x07';
      case 'd': case 'D': case 'w': case 'W': case 'f': case 't': case 'n': case 'r': case 'v':
        return `\\${n}`;
      case 'b': case 'B':
        if (inClass) throw new Re2Error(`\\${n} is not allowed inside a character class`);
        return `\\${n}`;
      default:
        if (/[A-Za-z0-9]/.test(n)) throw new Re2Error(`invalid escape \\${n}`);
        // RE2 lets any punctuation be escaped; JavaScript's u flag only some, so write its code.
        return hex(n.codePointAt(0) ?? 0);
    }
  }

  private hexEscape(): string {
    const rest = this.p.slice(this.i);
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(rest);
    const plain = /^[0-9A-Fa-f]{2}/.exec(rest);
    const m = braced ?? plain;
    if (!m) throw new Re2Error('invalid hex escape; write \\x41 or \\x{41}');
    this.i += m[0].length;
    const code = parseInt(braced ? (braced[1] ?? '') : m[0], 16);
    if (code > 0x10ffff) throw new Re2Error(`invalid hex escape ${m[0]}: beyond Unicode`);
    return hex(code);
  }

  private property(negated: boolean): string {
    const rest = this.p.slice(this.i);
    const m = /^\{(\^?)([A-Za-z_]+)\}/.exec(rest) ?? /^()([A-Za-z])/.exec(rest);
    if (!m) throw new Re2Error('invalid Unicode class; write \\pL or \\p{Greek}');
    this.i += m[0].length;
    const name = m[2] ?? '';
    const neg = negated !== (m[1] === '^');
    const body = CATEGORIES.has(name) ? name : `Script=${name}`;
    return `\\${neg ? 'P' : 'p'}{${body}}`;
  }
}

/**
 * Compiles an RE2 pattern to a JavaScript RegExp that matches only whole strings, as Envoy's
 * safe_regex does. Throws Re2Error naming the problem when RE2 or JavaScript cannot run it.
 */
export function compileRe2(pattern: string): RegExp {
  const conv = new Converter(pattern);
  const body = conv.convert();
  const flags = [...conv.flags].sort().join('');
  // With (?m), ^ and $ match at lines; a full match still needs the ends of the whole input.
  const source = conv.flags.has('m') ? `(?<![\\s\\S])(?:${body})(?![\\s\\S])` : `^(?:${body})$`;
  try {
    return new RegExp(source, flags);
  } catch (e) {
    const detail = e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') : String(e);
    throw new Re2Error(`not a valid regular expression: ${detail}`);
  }
}

/** Why `pattern` is not a usable RE2 regex, or undefined when it is one. */
export function re2Error(pattern: string): string | undefined {
  try {
    compileRe2(pattern);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
