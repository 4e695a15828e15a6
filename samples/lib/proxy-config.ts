/**
 * Decides whether an outbound call goes through the workload's HTTP proxy.
 *
 * The engine hands every workload HTTP_PROXY (its outbound listener in the node
 * proxy) and NO_PROXY (`127.0.0.1,localhost`), see samples/README.md. NO_PROXY has
 * no formal spec; this follows the common curl/Go reading: a comma (or space)
 * separated list, `*` matches every host, an entry matches the host itself and its
 * subdomains (a leading `.` or `*.` is ignored), and `host:port` matches that port
 * only.
 */

/** Proxy settings; fields left out are read from process.env at call time. */
export interface ProxySettings {
  /** Proxy URL such as `http://127.0.0.1:15001`; an empty string means "connect directly". */
  proxy?: string;
  /** NO_PROXY-style list of hosts reached directly. */
  noProxy?: string;
}

/** Returns the proxy URL to use for `target`, or undefined to connect directly. */
export function proxyFor(target: URL, settings: ProxySettings = {}): URL | undefined {
  const proxy = settings.proxy ?? process.env.HTTP_PROXY ?? process.env.http_proxy ?? '';
  if (proxy.trim() === '') return undefined;
  const noProxy = settings.noProxy ?? process.env.NO_PROXY ?? process.env.no_proxy ?? '';
  if (bypassesProxy(target, noProxy)) return undefined;
  // A bare `host:port` (no scheme) is accepted by most clients, so accept it too.
  return new URL(proxy.includes('://') ? proxy : `http://${proxy}`);
}

/** Whether `target` matches an entry of a NO_PROXY list. */
export function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = stripBrackets(target.hostname.toLowerCase());
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const { name, entryPort } = splitEntry(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

function splitEntry(entry: string): { name: string; entryPort: string | undefined } {
  let rest = entry.replace(/^\*?\./, '');
  let entryPort: string | undefined;
  // `[::1]:80` or `host:80`; a bare IPv6 address has several colons and no port.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) return { name: bracketed[1] ?? rest, entryPort: bracketed[2] };
  const parts = rest.split(':');
  if (parts.length === 2 && /^\d+$/.test(parts[1] ?? '')) {
    rest = parts[0] ?? rest;
    entryPort = parts[1];
  }
  return { name: rest, entryPort };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
