/**
 * Mirrors: a fire-and-forget copy of the request to each mirror cluster, at
 * its percentage, with Host suffixed `-shadow` as Envoy does. The answer is
 * thrown away and never affects the main request; a body that cannot be sent
 * twice (streamed) is not mirrored, nor is an upgrade request (a second
 * handshake would open a connection nobody speaks on).
 */
import type { HeaderMap } from '../hop-by-hop.js';
import type { Cluster } from '../policy.js';
import { DISCARD } from '../upstream-attempt.js';
import type { UpstreamPools } from '../upstream.js';
import { chance } from './chance.js';
import type { Exchange } from './exchange.js';
import { CONTINUE, type Next, type Stage } from './stage.js';

export class Mirrors implements Stage {
  readonly name = 'mirror';

  constructor(private readonly pools: UpstreamPools) {}

  run(x: Exchange): Next {
    const mirrors = x.action.mirrors;
    if (mirrors.length === 0 || !x.replayable || x.req.upgrade !== undefined) return CONTINUE;
    for (const m of mirrors) if (chance(m.percent)) this.send(m.cluster, x);
    return CONTINUE;
  }

  private send(cluster: Cluster, x: Exchange): void {
    const ep = cluster.pick(x.hashKey);
    if (!ep) return;
    const headers = x.headers!;
    const h: HeaderMap = { ...headers, host: shadowHost(String(headers.host ?? '')) };
    this.pools.get(ep.address, ep.port, cluster.protocol, cluster.tls).dispatch({ method: x.rr.method, path: x.path, headers: h, body: x.body as Buffer | null, headersTimeout: 30_000 }, DISCARD);
  }
}

/** `httpbin:8000` → `httpbin-shadow:8000`. */
export function shadowHost(host: string): string {
  const m = /^(.*?)(:\d+)?$/.exec(host);
  return `${m?.[1] ?? host}-shadow${m?.[2] ?? ''}`;
}
