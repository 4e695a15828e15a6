/**
 * Admission of a Gateway's ports (config/gateway-ports.ts): every server port the gateway
 * would bind besides its main listener must be free for it. A port is taken when it is one of
 * the instance's own (the API port, a workload's outbound listener or pod port), when another
 * project's Gateway, or a Gateway speaking another protocol on it, has it, or when something
 * else on the machine listens there (a test bind on the gateway's address says so). A port a
 * Gateway of the same project already serves with the same protocol is shared, as Istio merges
 * servers on one port. A refusal is one line naming the Gateway, the field and the fix, and
 * nothing of the apply is written.
 */
import net from 'node:net';
import type { KubeObject } from '../api/objects.js';
import { invalid } from '../api/errors.js';
import type { ConfigSnapshot } from '../config/snapshot.js';
import { bindPort, isStandingPort, listenerKind, type GatewayPortOptions } from '../config/gateway-ports.js';

export interface GatewayPortContext extends GatewayPortOptions {
  /** The address the gateway binds. */
  host: string;
  /** The control plane's API port. */
  apiPort: number;
  /** The Gateways stored now. */
  gateways: readonly KubeObject[];
  /** The config in force: workloads' outbound listener and pod ports. */
  snapshot: ConfigSnapshot | undefined;
}

interface ServerPort {
  port?: { number?: number; protocol?: string };
}

const key = (o: KubeObject): string => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

/** Refuses `gw` when a port it asks for is taken (GmError, invalid). */
export async function admitGatewayPorts(gw: KubeObject, ctx: GatewayPortContext): Promise<void> {
  const servers = ((gw.spec ?? {}) as { servers?: ServerPort[] }).servers ?? [];
  const own = ownPorts(ctx);
  for (const [i, s] of servers.entries()) {
    const number = s.port?.number;
    if (number === undefined || isStandingPort(number, ctx)) continue;
    const bind = bindPort(number, ctx);
    const where = `Gateway ${key(gw)}: spec.servers[${i}].port.number: port ${number}${bind === number ? '' : ` (bound as ${bind})`}`;
    const mine = own.get(bind);
    if (mine) throw invalid(`${where} is taken by ${mine}; choose another port`);
    const holder = holderOf(bind, gw, ctx);
    if (holder === 'shared' || storedBinds(gw, ctx).has(bind)) continue; // the proxy serves it already
    if (holder) throw invalid(`${where} is taken by ${holder}; choose another port or serve it from that Gateway`);
    const busy = await inUse(bind, ctx.host);
    if (busy) throw invalid(`${where} is already in use on ${ctx.host} (${busy}); choose another port or stop what listens there`);
  }
}

/** The instance's own ports, with what holds each. */
function ownPorts(ctx: GatewayPortContext): Map<number, string> {
  const out = new Map<number, string>([[ctx.apiPort, 'the control plane API']]);
  for (const l of ctx.snapshot?.listeners ?? []) out.set(l.port, `the outbound listener of workload ${l.project}/${l.workload}`);
  for (const e of ctx.snapshot?.endpoints ?? []) if (e.pod) out.set(e.port, `pod ${e.project}/${e.pod}`);
  return out;
}

/** Another Gateway binding `bind`: shared when it is of the same project and protocol, else its description. */
function holderOf(bind: number, gw: KubeObject, ctx: GatewayPortContext): string | 'shared' | undefined {
  const mine = ((gw.spec ?? {}) as { servers?: ServerPort[] }).servers?.find((s) => s.port?.number !== undefined && bindPort(s.port.number, ctx) === bind);
  let shared = false;
  for (const other of ctx.gateways) {
    if (key(other) === key(gw)) continue;
    for (const s of ((other.spec ?? {}) as { servers?: ServerPort[] }).servers ?? []) {
      const n = s.port?.number;
      if (n === undefined || bindPort(n, ctx) !== bind) continue;
      const sameProject = other.metadata.namespace === gw.metadata.namespace;
      if (sameProject && listenerKind(s.port?.protocol) === listenerKind(mine?.port?.protocol)) shared = true;
      else return `Gateway ${key(other)} (${s.port?.protocol ?? 'HTTP'})`;
    }
  }
  return shared ? 'shared' : undefined;
}

/** The ports the stored version of `gw` binds (its own listeners, which a test bind would meet). */
function storedBinds(gw: KubeObject, ctx: GatewayPortContext): Set<number> {
  const stored = ctx.gateways.find((o) => key(o) === key(gw));
  const servers = ((stored?.spec ?? {}) as { servers?: ServerPort[] }).servers ?? [];
  return new Set(servers.flatMap((s) => (s.port?.number === undefined ? [] : [bindPort(s.port.number, ctx)])));
}

/** Why `host:port` cannot be bound now (EADDRINUSE, EACCES), or undefined when it can. */
function inUse(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}
