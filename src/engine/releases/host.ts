/** What the release controller runs over: the engine's store, its mesh, its reading of workloads. */
import type { KubeObject } from '../../api/objects.js';
import type { Mesh } from '../mesh.js';
import type { ObjectStore } from '../store.js';
import type { Workloads } from '../workloads.js';

export interface ReleaseHost {
  store: ObjectStore;
  mesh: Mesh;
  workloads: Workloads;
  log(msg: string): void;
  /**
   * The engine's own check of a rule the compiler wrote, before it is stored (the local
   * engine's tenancy check: a release routes only its own project's hosts); throws to refuse.
   */
  checkRule?(obj: KubeObject): void | Promise<void>;
  /** How often a call waiting for its workload, or for a removed workload's pods, looks again (ms; default 100). */
  pollMs?: number;
}

export interface OperationOptions {
  /** Who asks; kept in the release's history. */
  user: string;
  /** How long a call waits for the new workload before returning with phase Pending. */
  readyTimeoutMs?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const pollMs = (host: ReleaseHost): number => host.pollMs ?? 100;
