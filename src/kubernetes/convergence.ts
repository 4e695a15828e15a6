/**
 * When is a change enforced on a cluster? The local engine waits for every proxy's ACK of a
 * config version. On Istio the nearest signal is istiod's own sync status, the one
 * `istioctl proxy-status` prints: `/debug/syncz` on istiod's monitoring port lists, per
 * connected proxy, the nonce last sent and last ACKed for clusters, listeners, routes and
 * endpoints (https://istio.io/latest/docs/ops/diagnostic-tools/proxy-cmd/). graymesh reads it
 * through the API server's service proxy, so it needs no port-forward and no route to istiod:
 *   GET /api/v1/namespaces/istio-system/services/istiod:15014/proxy/debug/syncz
 *
 * istiod names no object in a push, so "enforced" is read as: istiod has had time to see the
 * change and push (its debounce, PILOT_DEBOUNCE_AFTER, 100 ms by default), and then every proxy
 * has ACKed everything sent to it, on two polls in a row with the same nonces (nothing in
 * flight, nothing new). When istiod cannot be read (no Istio, RBAC without services/proxy,
 * another revision's name), graymesh waits a fixed settle time instead (5 s by default,
 * `--settle-time`), long enough for istiod's push in a quiet mesh, and says so in the log.
 */
import { invalid, timeout } from '../api/errors.js';
import type { Enforcement, Mesh, Settled } from '../engine/mesh.js';
import type { KubeClient } from './client.js';

export interface ConvergenceResult extends Settled {
  /** How the wait ended: istiod reported every proxy in sync, or the settle time passed. */
  method: 'istiod' | 'settle-time';
}

/** The engine's wait after each make-before-break step: the cluster's Mesh (src/engine/mesh.ts). */
export interface Convergence extends Mesh {
  settle(): Promise<ConvergenceResult>;
}

/** One proxy's entry in istiod's /debug/syncz (pilot/pkg/xds SyncStatus). */
export interface SyncStatus {
  proxy: string;
  proxy_type?: string;
  istio_version?: string;
  cluster_sent?: string;
  cluster_acked?: string;
  listener_sent?: string;
  listener_acked?: string;
  route_sent?: string;
  route_acked?: string;
  endpoint_sent?: string;
  endpoint_acked?: string;
}

export interface IstiodOptions {
  namespace?: string;
  service?: string;
  port?: number;
  /** Fixed wait when istiod cannot be read (ms). */
  settleMs?: number;
  /** istiod's push debounce to wait out before the first poll (ms). */
  debounceMs?: number;
  pollMs?: number;
  /** Give up waiting for proxies after this long (ms). */
  timeoutMs?: number;
  log?: (msg: string) => void;
}

export const DEFAULT_SETTLE_MS = 5_000;
const TYPES = ['cluster', 'listener', 'route', 'endpoint'] as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A cluster numbers no config versions: istiod names none in a push. */
function noVersions(version: number | undefined): void {
  if (version !== undefined) throw invalid('version: the kubernetes engine has no config versions (istiod names none in a push); wait without one for every proxy to enforce what the cluster holds');
}

/** The proxies with something sent and not yet ACKed. */
export function pendingProxies(statuses: SyncStatus[]): string[] {
  return statuses
    .filter((s) => TYPES.some((t) => (s[`${t}_sent`] ?? '') !== '' && s[`${t}_sent`] !== s[`${t}_acked`]))
    .map((s) => s.proxy);
}

const fingerprint = (statuses: SyncStatus[]): string =>
  JSON.stringify(statuses.map((s) => [s.proxy, ...TYPES.map((t) => s[`${t}_sent`] ?? '')]).sort());

export class IstiodConvergence implements Convergence {
  private unavailableUntil = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: IstiodOptions = {},
  ) {}

  /** The service proxy path to istiod's syncz. */
  get path(): string {
    const o = this.opts;
    return `/api/v1/namespaces/${o.namespace ?? 'istio-system'}/services/${o.service ?? 'istiod'}:${o.port ?? 15014}/proxy/debug/syncz`;
  }

  /** istiod's sync status, or undefined when it cannot be read. */
  async syncz(): Promise<SyncStatus[] | undefined> {
    try {
      const res = await this.client.raw('GET', this.path);
      const body = (await res.body.json()) as SyncStatus[] | null;
      return Array.isArray(body) ? body : [];
    } catch (err) {
      this.opts.log?.(`istiod sync status unavailable (${(err as Error).message}); waiting the settle time of ${this.settleMs} ms instead`);
      return undefined;
    }
  }

  private get settleMs(): number {
    return this.opts.settleMs ?? DEFAULT_SETTLE_MS;
  }

  /** The settle of a release step, bounded by `timeoutMs`; the proxies as istiod reports them after it. */
  async enforced(version: number | undefined, timeoutMs: number): Promise<Enforcement> {
    noVersions(version);
    const r = await this.settleWithin(timeoutMs);
    const statuses = r.method === 'istiod' ? ((await this.syncz()) ?? []) : [];
    const pending = new Set(pendingProxies(statuses));
    return { method: r.method, proxies: statuses.map((s) => ({ name: s.proxy, current: !pending.has(s.proxy) })), waitedMs: r.waitedMs };
  }

  settle(): Promise<ConvergenceResult> {
    return this.settleWithin(this.opts.timeoutMs ?? 30_000);
  }

  private async settleWithin(timeoutMs: number): Promise<ConvergenceResult> {
    const start = Date.now();
    await sleep(this.opts.debounceMs ?? 200);
    const fallback = async (): Promise<ConvergenceResult> => {
      await sleep(Math.max(0, this.settleMs - (Date.now() - start)));
      return { method: 'settle-time', waitedMs: Date.now() - start };
    };
    // Do not ask a missing istiod on every step: a minute of the settle time, then ask again.
    if (Date.now() < this.unavailableUntil) return fallback();
    const deadline = start + timeoutMs;
    let previous: string | undefined;
    for (;;) {
      const statuses = await this.syncz();
      if (statuses === undefined) {
        this.unavailableUntil = Date.now() + 60_000;
        return fallback();
      }
      const fp = fingerprint(statuses);
      if (pendingProxies(statuses).length === 0 && fp === previous) {
        return { method: 'istiod', proxies: statuses.length, waitedMs: Date.now() - start };
      }
      previous = pendingProxies(statuses).length === 0 ? fp : undefined;
      if (Date.now() > deadline) {
        const pending = pendingProxies(statuses);
        throw timeout(`proxies did not ACK istiod's push within ${timeoutMs} ms: ${pending.slice(0, 5).join(', ')}${pending.length > 5 ? ` and ${pending.length - 5} more` : ''}`);
      }
      await sleep(this.opts.pollMs ?? 200);
    }
  }
}

/** A fixed settle time: for clusters without Istio's debug endpoint, and for tests. */
export class SettleTime implements Convergence {
  constructor(private readonly ms: number) {}

  async enforced(version: number | undefined): Promise<Enforcement> {
    noVersions(version);
    const r = await this.settle();
    return { method: r.method, proxies: [], waitedMs: r.waitedMs };
  }

  async settle(): Promise<ConvergenceResult> {
    await sleep(this.ms);
    return { method: 'settle-time', waitedMs: this.ms };
  }
}
