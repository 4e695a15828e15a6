/**
 * The Mesh port: how the release controller makes a step take effect. `settle`
 * publishes what the store holds and resolves once every proxy enforces it:
 * locally the distributor's snapshot ACKed by every node proxy
 * (ControlPlane.settle), on a cluster istiod's sync status, or a settle time
 * when istiod cannot be read (src/kubernetes/convergence.ts). `enforced` is the
 * same wait as the API's `GET /api/v1/config/wait` offers it.
 */
export interface Settled {
  /** The config version every proxy enforces, where the engine numbers them (the local engine). */
  version?: number;
  /** How the wait ended: `acks` (local), `istiod` or `settle-time` (cluster). */
  method: string;
  /** How many proxies enforce it, where known. */
  proxies?: number;
  waitedMs: number;
}

/** One proxy, as a config wait reports it. */
export interface ProxyState {
  name: string;
  /** Enforces the version waited for. */
  current: boolean;
  [detail: string]: unknown;
}

/** How a wait for a config version ended. */
export interface Enforcement {
  /** The version every proxy enforces, where the engine numbers them (the local engine). */
  version?: number;
  /** `acks` (local), `istiod` or `settle-time` (cluster). */
  method: string;
  proxies: ProxyState[];
  waitedMs: number;
}

export interface Mesh {
  settle(): Promise<Settled>;
  /**
   * Resolves once every proxy enforces config version N, or what the store holds now when no
   * version is given; throws the catalogue's timeout past `timeoutMs`. An engine that numbers
   * no versions (a cluster) refuses a version.
   */
  enforced(version: number | undefined, timeoutMs: number): Promise<Enforcement>;
}
