/**
 * Mirrors: a fire-and-forget copy of the request to each mirror cluster, at
 * its percentage, with Host suffixed `-shadow` as Envoy does. The answer is
 * thrown away and never affects the main request. A buffered body is sent
 * whole; one of unknown length (a gRPC call's) is streamed to the mirror as
 * the client sends it (TeeBody.follow), up to the retry buffer's limit; any
 * other streamed body is not mirrored, nor is an upgrade request (a second
 * handshake would open a connection nobody speaks on). Each copy is recorded
 * (mirror-record.ts) as the mirror pod's proxy would record it.
 */
import type { BodySource } from '../downstream.js';
import type { HeaderMap } from '../hop-by-hop.js';
import type { Cluster } from '../policy.js';
import type { RequestRecord } from '../request-record.js';
import type { RequestTelemetry } from '../telemetry/request-telemetry.js';
import { DISCARD } from '../upstream-attempt.js';
import type { UpstreamPools } from '../upstream.js';
import { chance } from './chance.js';
import type { Exchange } from './exchange.js';
import { MirrorRecord } from './mirror-record.js';
import { CONTINUE, type Next, type Stage } from './stage.js';
import { TeeBody } from './tee-body.js';

export class Mirrors implements Stage {
  readonly name = 'mirror';

  constructor(
    private readonly pools: UpstreamPools,
    private readonly telemetry?: RequestTelemetry,
    /** Where a copy's record goes when it ends (the executor's sinks). */
    private readonly finish?: (rec: RequestRecord) => void,
  ) {}

  run(x: Exchange): Next {
    const mirrors = x.action.mirrors;
    if (mirrors.length === 0 || x.req.upgrade !== undefined) return CONTINUE;
    if (!x.replayable && !(x.body instanceof TeeBody)) return CONTINUE;
    for (const m of mirrors) if (chance(m.percent)) this.send(m.cluster, x);
    return CONTINUE;
  }

  private send(cluster: Cluster, x: Exchange): void {
    const ep = cluster.pick(x.hashKey);
    if (!ep) return;
    const headers = x.headers!;
    const host = shadowHost(String(headers.host ?? ''));
    const h: HeaderMap = { ...headers, host };
    const body: Buffer | BodySource | null = x.body instanceof TeeBody ? x.body.follow() : (x.body as Buffer | null);
    const handler = this.finish ? new MirrorRecord(x.rec, ep, host, this.telemetry, this.finish) : DISCARD;
    this.pools.get(ep.address, ep.port, cluster.protocol, cluster.tls).dispatch({ method: x.rr.method, path: x.path, headers: h, body, headersTimeout: 30_000 }, handler);
  }
}

/** `httpbin:8000` → `httpbin-shadow:8000`. */
export function shadowHost(host: string): string {
  const m = /^(.*?)(:\d+)?$/.exec(host);
  return `${m?.[1] ?? host}-shadow${m?.[2] ?? ''}`;
}
