/**
 * Istio's StringMatch compiled once into a predicate, with the semantics pilot gives it when
 * it writes Envoy matchers (pilot/pkg/networking/core/route/route.go, translateHeaderMatch):
 * an empty match, or `regex: "*"`, means "present"; a regex matches the whole value (RE2,
 * Envoy safe_regex); exact and prefix are case-sensitive unless `ignoreCase`.
 */
import { compileRe2, compileRe2Search, type Re2Matcher, type Re2Replacer } from '../../config/validate/re2.js';
import type { StringMatch } from './types.js';

/** A value test; `undefined` is an absent header or parameter. */
export type ValueTest = (value: string | undefined) => boolean;

/** Whether the match only asks for presence (Istio's canBeConvertedToPresentMatch). */
export function isPresenceMatch(m: StringMatch | undefined): boolean {
  if (m === undefined || m === null) return true;
  if (m.exact === undefined && m.prefix === undefined && m.regex === undefined) return true;
  return m.exact === undefined && m.prefix === undefined && m.regex === '*';
}

/** `where` names the field in errors, e.g. `spec.http[0].match[1].headers.end-user`. */
export function compileStringMatch(m: StringMatch | undefined, where: string, ignoreCase = false): ValueTest {
  if (isPresenceMatch(m)) return (v) => v !== undefined;
  const sm = m as StringMatch;
  if (sm.exact !== undefined) {
    const want = ignoreCase ? sm.exact.toLowerCase() : sm.exact;
    return ignoreCase ? (v) => v !== undefined && v.toLowerCase() === want : (v) => v === want;
  }
  if (sm.prefix !== undefined) {
    const want = ignoreCase ? sm.prefix.toLowerCase() : sm.prefix;
    return ignoreCase
      ? (v) => v !== undefined && v.slice(0, want.length).toLowerCase() === want
      : (v) => v !== undefined && v.startsWith(want);
  }
  // Envoy ignores case_sensitive for safe_regex: a regex says its own case rules, e.g. (?i).
  const re = regex(sm.regex as string, where);
  return (v) => v !== undefined && re.test(v);
}

/**
 * `withoutHeaders` (an inverted Envoy header matcher): a presence match requires absence; any
 * other match treats a missing header as empty (treat_missing_header_as_empty) and must fail.
 */
export function compileAbsentMatch(m: StringMatch | undefined, where: string): ValueTest {
  if (isPresenceMatch(m)) return (v) => v === undefined;
  const test = compileStringMatch(m, where);
  return (v) => !test(v ?? '');
}

/** compileRe2 with the field named in the error, so a NACK says which rule is wrong. */
export function regex(pattern: string, where: string): Re2Matcher {
  return named(() => compileRe2(pattern), `${where}.regex`);
}

/** compileRe2Search (a regex that searches, for rewrites) with the field `where` named in the error. */
export function searchRegex(pattern: string, where: string): Re2Replacer {
  return named(() => compileRe2Search(pattern), where);
}

function named<T>(compile: () => T, where: string): T {
  try {
    return compile();
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
}
