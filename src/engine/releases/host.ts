/** What the release controller runs over: the engine's store, its mesh, its reading of workloads. */
import type { KubeObject } from '../../api/objects.js';
import type { Mesh } from '../mesh.js';
import type { ObjectStore } from '../store.js';
import type { Workloads } from '../workloads.js';
import type { Clock } from './analysis/clock.js';
import type { AnalysisMetrics } from './analysis/metrics.js';

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
  /** Time for automatic releases (default: the system clock). */
  clock?: Clock;
  /** Each version's traffic, for the checks of automatic releases. */
  metrics?: AnalysisMetrics;
  /** Starts and stops an automatic release's load test (the engine's load generator). */
  load?: LoadPort;
  /** Tells the engine's audit log of a step graymesh took by itself. */
  audit?(step: AutomaticStep): void;
}

export interface LoadPort {
  /** Sends `rps` GETs a second to `url` until stopped; starting one already running does nothing. */
  start(key: string, spec: { url: string; rps: number; headers: Record<string, string> }): void;
  stop(key: string): void;
}

/** A step graymesh took by itself for a release, as the audit log keeps it. */
export interface AutomaticStep {
  namespace: string;
  release: string;
  /** What it did: set-weight, promote, rollback. */
  operation: string;
  /** The release's creator, on whose behalf. */
  onBehalfOf: string;
  message: string;
}

export interface OperationOptions {
  /** Who asks; kept in the release's history. */
  user: string;
  /** How long a call waits for the new workload before returning with phase Pending. */
  readyTimeoutMs?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const pollMs = (host: ReleaseHost): number => host.pollMs ?? 100;
