/**
 * The consistent-hash key of a cluster whose load balancer hashes: a header,
 * the client's address, a query parameter, or a cookie. A client without the
 * cookie gets one made up (Set-Cookie on the answer), and the upstream sees
 * it as if the client had sent it, as Envoy's cookie hash policy does.
 */
import { randomBytes } from 'node:crypto';
import type { Exchange } from './exchange.js';
import { CONTINUE, type Next, type Stage } from './stage.js';
import { cookieValue } from '../istio/sticky.js';

export class HashKey implements Stage {
  readonly name = 'hash-key';

  run(x: Exchange): Next {
    const hashOn = x.cluster!.hashOn;
    if (!hashOn) return CONTINUE;
    const h = x.req.headers;
    if (hashOn.header) x.hashKey = headerValue(h[hashOn.header.toLowerCase()]);
    else if (hashOn.sourceIp) x.hashKey = x.rr.remoteAddress;
    else if (hashOn.queryParameter) x.hashKey = queryParam(x.rr.path, hashOn.queryParameter);
    else if (hashOn.cookie) {
      const c = hashOn.cookie;
      const value = cookieValue(h.cookie, c.name);
      if (value !== undefined) {
        x.hashKey = value;
        return CONTINUE;
      }
      const made = randomBytes(8).toString('hex');
      x.hashKey = made;
      x.setCookie = `${c.name}=${made}; Path=${c.path ?? '/'}${c.ttlSeconds ? `; Max-Age=${c.ttlSeconds}` : ''}; HttpOnly`;
      x.headers!.cookie = appendCookie(h.cookie, `${c.name}=${made}`);
    }
    return CONTINUE;
  }
}

/** A repeated field's values joined by commas, as one value. */
export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}


function appendCookie(existing: string | undefined, kv: string): string {
  return existing ? `${existing}; ${kv}` : kv;
}

/** The first value of query parameter `name` in a path, if it is there. */
export function queryParam(path: string, name: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(path.slice(q + 1)).get(name) ?? undefined;
}
