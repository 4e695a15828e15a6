/**
 * The target of a CONNECT request: authority-form, `host:port` (RFC 9110 §9.3.6), the port
 * required. The host is a DNS name (letters, digits, `-`, `.`, `_`), an IPv4 address, or an
 * IPv6 literal in brackets; no userinfo, path or query. Anything else is refused with why.
 */

export interface ConnectTarget {
  /** Lowercase, without brackets for IPv6. */
  host: string;
  port: number;
}

const NAME = /^[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?$/;
const IPV6 = /^[0-9a-f:.]+$/;

/** The host and port a CONNECT names, or the reason it is malformed. */
export function parseConnectTarget(target: string): ConnectTarget | { error: string } {
  const bad = (why: string): { error: string } => ({ error: `malformed CONNECT target "${target}": ${why}; send CONNECT host:port, e.g. CONNECT api.example.com:443` });
  if (target.includes('/') || target.includes('@') || target.includes('?')) return bad('authority-form has no scheme, userinfo or path');
  const colon = target.lastIndexOf(':');
  if (colon < 0) return bad('the port is missing');
  const portText = target.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return bad('the port is not a number');
  const port = Number(portText);
  if (port < 1 || port > 65535) return bad('the port is out of range 1-65535');
  let host = target.slice(0, colon).toLowerCase();
  if (host.startsWith('[')) {
    if (!host.endsWith(']') || !IPV6.test(host.slice(1, -1))) return bad('an IPv6 address goes in brackets, e.g. [2001:db8::1]:443');
    host = host.slice(1, -1);
  } else if (host === '' || host.length > 253 || !NAME.test(host)) {
    return bad('the host is not a DNS name or IP address');
  }
  return { host: host.endsWith('.') ? host.slice(0, -1) : host, port };
}
