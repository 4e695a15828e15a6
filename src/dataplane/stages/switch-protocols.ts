/**
 * An upgrade request the upstream answered `101 Switching Protocols` (a
 * WebSocket handshake): the 101 goes back to the client with the upstream's
 * fields, the route's response header operations and Connection/Upgrade (kept
 * on this path only), the request is recorded with status 101 there, and from
 * then on the two sockets are one tunnel (`../tunnel.ts`) until either side
 * closes. The tunnel belongs to neither the pool nor the router: a new
 * snapshot never cuts it. Any other answer goes on to the response stage.
 */
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';
import { tunnel } from '../tunnel.js';
import type { Exchange } from './exchange.js';
import { appendHeader, applyOps, toHeaderMap } from './header-ops.js';
import { CONTINUE, STOP, type Next, type Stage } from './stage.js';

export class SwitchProtocols implements Stage {
  readonly name = 'switch-protocols';

  constructor(private readonly telemetry: RequestTelemetry | undefined) {}

  run(x: Exchange): Next {
    const up = x.head?.upgraded;
    if (!up) return CONTINUE;
    const rec = x.rec;
    rec.upstream = x.upstream;
    rec.upstreamMs = Date.now() - x.upstreamStart;
    rec.upstreamStatus = 101;
    rec.status = 101;
    x.attempt!.takeUpgraded();
    const meter = this.telemetry?.tunnel?.(rec);
    const client = x.res.switchProtocols(answerFields(x, up.protocol ?? x.req.upgrade!));
    tunnel(client, up, meter);
    return STOP;
  }
}

/** The 101's fields: the upstream's end-to-end ones, the service time, cookies and header operations, then Connection and Upgrade. */
function answerFields(x: Exchange, protocol: string): string[] {
  const headers = x.head!.headers!;
  const action = x.action;
  const out = toHeaderMap(headers);
  out['x-envoy-upstream-service-time'] = String(x.rec.upstreamMs);
  if (x.setCookie !== undefined) out['set-cookie'] = appendHeader(out['set-cookie'], x.setCookie);
  if (action.setCookie) out['set-cookie'] = appendHeader(out['set-cookie'], action.setCookie);
  applyOps(out, action.responseHeaders);
  const flat: string[] = [];
  for (const k in out) {
    const v = out[k]!;
    if (Array.isArray(v)) for (const one of v) flat.push(k, one);
    else flat.push(k, v);
  }
  flat.push('connection', 'upgrade', 'upgrade', protocol);
  return flat;
}
