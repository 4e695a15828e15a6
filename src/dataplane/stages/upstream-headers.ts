/**
 * The request as the upstream receives it: end-to-end fields only, Host (or
 * the route's authority rewrite), the gateway's X-Forwarded-For,
 * X-Forwarded-Proto and X-Envoy-External-Address, the route's header
 * operations, then the trace context (after the route's changes, as Envoy's
 * router sets it), and the path or its rewrite. An upgrade request keeps
 * `Connection: upgrade` and its Upgrade field, the only hop-by-hop fields
 * passed on, on this path only.
 */
import { endToEnd } from '../hop-by-hop.js';
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';
import type { Exchange } from './exchange.js';
import { applyOps } from './header-ops.js';
import { CONTINUE, type Next, type Stage } from './stage.js';

export class UpstreamHeaders implements Stage {
  readonly name = 'upstream-headers';

  constructor(private readonly telemetry: RequestTelemetry | undefined) {}

  run(x: Exchange): Next {
    const req = x.req;
    const rr = x.rr;
    const action = x.action;
    const headers = endToEnd(req.headers);
    // The proxy answered 100-continue itself; the upstream gets the body directly.
    delete headers.expect;
    if (req.upgrade !== undefined) {
      headers.connection = 'upgrade';
      headers.upgrade = req.upgrade;
    }
    headers.host = action.rewriteAuthority ?? rr.authority;
    if (rr.source.kind === 'gateway') {
      const remote = req.socket.remoteAddress ?? '';
      const xff = req.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = typeof xff === 'string' && xff ? `${xff}, ${remote}` : remote;
      headers['x-forwarded-proto'] = rr.scheme;
      headers['x-envoy-external-address'] = remote;
    }
    applyOps(headers, action.requestHeaders);
    this.telemetry?.inject(headers, x.rec);
    x.headers = headers;
    x.path = action.rewritePath ?? rr.path;
    return CONTINUE;
  }
}
