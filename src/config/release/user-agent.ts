/**
 * Client operating system and browser, read from the User-Agent with RE2
 * regexes (no lookarounds), so the same rule runs in Envoy on a cluster.
 * Full-match semantics, as Istio's `regex` StringMatch.
 */
import type { Browser, OperatingSystem } from './types.js';

/**
 * Tokens of the platform part of the User-Agent (the first parenthesis). Desktop Linux says
 * "(X11; Linux ..." or "(X11; Ubuntu; Linux ..."; Android says "(Linux; Android ..." and is not
 * Linux here, nor is ChromeOS ("X11; CrOS"). "Windows NT" leaves out Windows Phone, which also
 * claims Android. iPhone and iPod say "like Mac OS X", never "Macintosh"; iPadOS 13+ Safari
 * sends the Mac's User-Agent byte for byte, so it reads as macOS: no regex can tell them apart.
 */
const OS: Record<OperatingSystem, string> = {
  windows: 'Windows NT',
  linux: 'X11;[^)]*Linux',
  macos: 'Macintosh',
  android: 'Android',
  ios: '(?:iPhone|iPad|iPod)',
};

/** A version number, `120.0.6099.144`. */
const V = '[0-9.]+';
/** What follows the engine: WebKit and Blink browsers name their product right after it. */
const KHTML = '\\(KHTML, like Gecko\\) ';

/**
 * Patterns that must end the User-Agent (the regex is a full match), written from each
 * vendor's format. Without lookarounds (RE2), a browser built on another is told apart by
 * where its own token sits: Chrome's UA is "(KHTML, like Gecko) Chrome/x [Mobile ]Safari/y"
 * exactly, so Edge, Opera and Vivaldi (their token appended), Samsung Internet and Android
 * WebView (a token between KHTML and Chrome) and Yandex (one inside the tail) are not Chrome.
 * Safari's is "(KHTML, like Gecko) Version/x [Mobile/z ]Safari/y"; Edge on iOS has Version/ too,
 * after its EdgiOS token. On iOS every browser is WebKit and names itself instead of Version/:
 * CriOS (Chrome), FxiOS (Firefox), EdgiOS (Edge).
 */
const BROWSER: Record<Browser, string> = {
  chrome: `(?:${KHTML}(?:Headless)?Chrome/${V} (?:Mobile )?Safari/${V}|${KHTML}CriOS/${V} Mobile/\\w+ Safari/${V})`,
  firefox: `(?: Firefox/${V}| FxiOS/${V} (?:Mobile/\\w+ )?Safari/${V})`,
  safari: `${KHTML}Version/${V} (?:Mobile/\\w+ )?Safari/${V}`,
  edge: `(?: (?:Edg|Edge|EdgA)/${V}| EdgiOS/.*)`,
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
