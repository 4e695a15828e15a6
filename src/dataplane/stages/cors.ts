/**
 * CORS, as Envoy's cors filter: a preflight (OPTIONS with
 * Access-Control-Request-Method) from an origin the route's corsPolicy
 * allows is answered by the proxy; any other request from an allowed origin
 * goes on, and its answer gets allow-origin (the response stage adds it).
 */
import type { HeaderMap } from '../hop-by-hop.js';
import type { DownstreamResponse } from '../downstream.js';
import type { CorsPolicy } from '../policy.js';
import type { RequestRecord } from '../request-record.js';
import type { Exchange } from './exchange.js';
import { CONTINUE, STOP, type Next, type Stage } from './stage.js';

export class Cors implements Stage {
  readonly name = 'cors';

  run(x: Exchange): Next {
    const policy = x.action.cors;
    if (policy === undefined) return CONTINUE;
    const h = x.req.headers;
    const origin = h.origin;
    if (typeof origin !== 'string' || !corsAllowed(policy, origin)) return CONTINUE;
    if (origin && x.req.method === 'OPTIONS' && h['access-control-request-method']) {
      preflight(x.res, x.rec, policy, origin);
      return STOP;
    }
    x.corsOrigin = origin;
    return CONTINUE;
  }
}

export function corsAllowed(c: CorsPolicy, origin: string): boolean {
  return c.allowOrigins.some((f) => f(origin));
}

/** The fields an answer to an allowed origin carries. */
export function corsHeaders(out: HeaderMap, c: CorsPolicy, origin: string): void {
  out['access-control-allow-origin'] = origin;
  if (c.allowCredentials) out['access-control-allow-credentials'] = 'true';
  if (c.exposeHeaders?.length) out['access-control-expose-headers'] = c.exposeHeaders.join(',');
}

function preflight(res: DownstreamResponse, rec: RequestRecord, c: CorsPolicy, origin: string): void {
  const h: HeaderMap = { 'access-control-allow-origin': origin, 'content-length': '0' };
  if (c.allowMethods?.length) h['access-control-allow-methods'] = c.allowMethods.join(',');
  if (c.allowHeaders?.length) h['access-control-allow-headers'] = c.allowHeaders.join(',');
  if (c.maxAgeSeconds !== undefined) h['access-control-max-age'] = String(c.maxAgeSeconds);
  if (c.allowCredentials) h['access-control-allow-credentials'] = 'true';
  rec.status = 200;
  res.writeHead(200, h);
  res.end();
}
