/**
 * The gateway's extra listeners: one per port the Gateways of a snapshot ask for besides the
 * standing ones, the main listener (80) and the TLS listener (443, gateway-tls/), bound on the gateway's
 * address through the proxy's ListenerBinder, so they are handed over to a successor and
 * survive a proxy restart as the main gateway port does. What a listener speaks comes from a
 * factory per kind (`http`: the gateway's HTTP/1.1 + HTTP/2 listener; `tcp`: a byte stream to
 * the TCP routes). TLS is terminated on the TLS listener only: a `tls` server on another port
 * has no factory and is not bound.
 *
 * As the rest of a snapshot, the ports are applied whole or not at all: `prepare` binds every
 * new port (and closes what it bound when one fails), `commit` then closes the ports the
 * snapshot no longer has.
 */
import type net from 'node:net';
import { gatewayPorts, type GatewayListenerKind, type GatewayPort, type GatewayPortOptions } from '../config/gateway-ports.js';
import type { KubeObject } from '../api/objects.js';
import type { ListenerBinder } from './handover.js';

/** Makes the server of one gateway port; `port()` is its current plan (the number route matches see). */
export type GatewayListenerFactory = (port: () => GatewayPort) => net.Server & { drain?(graceMs: number): Promise<void> };

interface Bound {
  plan: GatewayPort;
  server: ReturnType<GatewayListenerFactory>;
}

/** What `prepare` bound, for `commit` (or `rollback`). */
export interface GatewayPortChange {
  opened: Bound[];
  plans: Map<number, GatewayPort>;
}

export class GatewayListeners {
  private readonly bound = new Map<number, Bound>();

  constructor(
    private readonly binder: ListenerBinder,
    private readonly host: string,
    private readonly opts: GatewayPortOptions,
    private readonly factories: Partial<Record<GatewayListenerKind, GatewayListenerFactory>>,
  ) {}

  /** Adds (or replaces) the factory of a kind, for the ports bound from the next snapshot on. */
  register(kind: GatewayListenerKind, factory: GatewayListenerFactory): void {
    this.factories[kind] = factory;
  }

  /** The ports bound now, by port bound. */
  ports(): GatewayPort[] {
    return [...this.bound.values()].map((b) => b.plan);
  }

  /** Binds every port the Gateways ask for that is not bound yet (an error names the port; nothing stays bound). */
  async prepare(gateways: readonly KubeObject[]): Promise<GatewayPortChange> {
    const plans = new Map([...gatewayPorts(gateways, this.opts)].filter(([, p]) => this.factories[p.kind] !== undefined));
    const opened: Bound[] = [];
    try {
      for (const [bind, plan] of plans) {
        const have = this.bound.get(bind);
        if (have && have.plan.kind === plan.kind) continue;
        if (have) continue; // the kind changed: rebound at commit, once the old listener is closed
        const entry = this.create(plan);
        opened.push(entry);
        await this.binder.listen(entry.server, bind, this.host);
      }
    } catch (err) {
      this.rollback({ opened, plans });
      throw new Error(`gateway port: ${(err as Error).message}`, { cause: err });
    }
    return { opened, plans };
  }

  /** Takes what `prepare` bound and closes the ports the snapshot no longer has. */
  async commit(change: GatewayPortChange): Promise<void> {
    for (const b of change.opened) this.bound.set(b.plan.bind, b);
    const rebind: GatewayPort[] = [];
    for (const [bind, b] of this.bound) {
      const want = change.plans.get(bind);
      if (want && want.kind === b.plan.kind) {
        b.plan = want;
        continue;
      }
      this.closeOne(bind, b);
      if (want) rebind.push(want);
    }
    for (const plan of rebind) {
      const entry = this.create(plan);
      await this.binder.listen(entry.server, plan.bind, this.host);
      this.bound.set(plan.bind, entry);
    }
  }

  rollback(change: GatewayPortChange): void {
    for (const b of change.opened) {
      b.server.close();
      this.binder.release(b.plan.bind, this.host);
    }
  }

  /** Every bound listener's server, for drain and close. */
  servers(): ReturnType<GatewayListenerFactory>[] {
    return [...this.bound.values()].map((b) => b.server);
  }

  clear(): void {
    this.bound.clear();
  }

  private create(plan: GatewayPort): Bound {
    const entry: Bound = { plan, server: undefined as unknown as Bound['server'] };
    entry.server = this.factories[plan.kind]!(() => entry.plan);
    return entry;
  }

  private closeOne(bind: number, b: Bound): void {
    this.bound.delete(bind);
    b.server.close();
    (b.server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    this.binder.release(bind, this.host);
  }
}
