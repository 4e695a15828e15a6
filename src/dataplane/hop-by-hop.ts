/**
 * Hop-by-hop header handling, RFC 9110 §7.6.1: a proxy removes the fields the
 * Connection header lists and the connection-specific fields, and never
 * forwards them.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export type HeaderMap = Record<string, string | string[]>;

/** A copy of headers without hop-by-hop fields (and those Connection names). */
export function endToEnd(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): HeaderMap {
  const out: HeaderMap = {};
  const conn = headers.connection;
  let listed: Set<string> | undefined;
  if (typeof conn === 'string' && conn.length > 0 && conn !== 'keep-alive' && conn !== 'close') {
    listed = new Set(conn.toLowerCase().split(',').map((s) => s.trim()));
  }
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined || HOP_BY_HOP.has(k)) continue;
    if (listed?.has(k)) continue;
    out[k] = v;
  }
  return out;
}
