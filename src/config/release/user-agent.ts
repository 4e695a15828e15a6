/**
 * Client operating system and browser, read from the User-Agent with RE2
 * regexes (no lookarounds), so the same rule runs in Envoy on a cluster.
 * Full-match semantics, as Istio's `regex` StringMatch.
 */
import type { Browser, OperatingSystem } from './types.js';

/** Tokens found in the platform part of the User-Agent. */
const OS: Record<OperatingSystem, string> = {
  windows: 'Windows',
  // Desktop Linux says "(X11; Linux ..." or "(X11; Ubuntu; Linux ..."; Android says "Linux; Android" and is not Linux here.
  linux: 'X11;[^)]*Linux',
  macos: 'Macintosh',
  android: 'Android',
  ios: '(?:iPhone|iPad|iPod)',
};

/**
 * Patterns that must end the User-Agent. Chrome's UA ends "Chrome/x Safari/y";
 * Edge and Opera append their own token after it, so anchoring at the end tells
 * them apart without lookaheads. Safari's ends "Version/x [Mobile/z ]Safari/y".
 */
const BROWSER: Record<Browser, string> = {
  chrome: '(?:Chrome/[0-9.]+ (?:Mobile )?Safari/[0-9.]+|CriOS/.*)',
  firefox: '(?:Firefox|FxiOS)/.*',
  safari: 'Version/[0-9.]+ (?:Mobile/\\w+ )?Safari/[0-9.]+',
  edge: '(?:Edg|Edge|EdgA|EdgiOS)/.*',
};

export const OPERATING_SYSTEMS = Object.keys(OS) as OperatingSystem[];
export const BROWSERS = Object.keys(BROWSER) as Browser[];

/** One regex over the whole User-Agent: any of the systems and any of the browsers. */
export function userAgentRegex(os: OperatingSystem[] = [], browsers: Browser[] = []): string | undefined {
  const o = os.length > 0 ? `(?:${os.map((x) => OS[x]).join('|')})` : '';
  const b = browsers.length > 0 ? `(?:${browsers.map((x) => BROWSER[x]).join('|')})` : '';
  if (!o && !b) return undefined;
  if (o && b) return `.*${o}.*${b}`;
  if (o) return `.*${o}.*`;
  return `.*${b}`;
}
