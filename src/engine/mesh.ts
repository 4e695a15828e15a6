/**
 * The Mesh port: how the release controller makes a step take effect. `settle`
 * publishes what the store holds and resolves once every proxy enforces it:
 * locally the distributor's snapshot ACKed by every node proxy
 * (ControlPlane.settle), on a cluster istiod's sync status, or a settle time
 * when istiod cannot be read (src/kubernetes/convergence.ts).
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

export interface Mesh {
  settle(): Promise<Settled>;
}
