/**
 * The local engine's release controller: the engine-neutral one
 * (src/engine/releases/controller.ts) over the SQLite store, with the distributor's
 * ACKs as the mesh and the local workload controller's reading of a Deployment.
 */
import type { Deployment } from '../../api/objects.js';
import { ReleaseController } from '../../engine/releases/controller.js';
import type { Mesh } from '../../engine/mesh.js';
import type { Workloads } from '../../engine/workloads.js';
import { SqliteObjectStore } from '../object-store.js';
import type { Store } from '../store.js';
import { checkTenancyOn } from '../../engine/tenancy.js';
import type { AnalysisMetrics } from '../../engine/releases/analysis/metrics.js';
import type { AutomaticStep, LoadPort } from '../../engine/releases/host.js';
import { runLoad } from '../../runtime/load-generator.js';

/**
 * Ready when the workload controller observed the current generation and every replica of the
 * current template passes its readiness probe (it counts them in status.updatedReplicas and
 * readyReplicas), as Kubernetes' reading of a Deployment.
 */
export const localWorkloads: Workloads = {
  ready(d: Deployment | undefined): boolean {
    const replicas = d?.spec?.replicas ?? 1;
    const st = d?.status;
    return !!d && replicas > 0 && (st?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) && (st?.readyReplicas ?? 0) >= replicas && (st?.updatedReplicas ?? 0) >= replicas;
  },
  // A pod drains its in-flight requests for 30 s at the most.
  drainMs: 30_000,
};

export interface LocalMeshHost {
  /** Publishes the current config and waits until every proxy enforces it; returns its version. */
  settle(): Promise<number>;
  /** Publishes the current config without waiting; returns its version. */
  publish(): number;
  /** Waits until every proxy enforces version N (throws past the timeout). */
  waitFor(version: number, timeoutMs: number): Promise<void>;
  /** The proxies with the version each has ACKed. */
  proxies(): { name: string; connected: boolean; ackedVersion: number }[];
}

export interface LocalReleaseHost {
  store: Store;
  mesh: Mesh;
  log(msg: string): void;
  /** Each version's traffic for automatic releases (the telemetry's metrics source). */
  metrics?: AnalysisMetrics;
  /** Tells the audit log of a step graymesh took by itself. */
  audit?(step: AutomaticStep): void;
}

/** Automatic releases' load tests: graymesh's load generator, one per release, until stopped. */
export function localLoad(log: (msg: string) => void): LoadPort & { close(): void } {
  const running = new Map<string, AbortController>();
  return {
    start(key, spec) {
      if (running.has(key)) return;
      const stop = new AbortController();
      running.set(key, stop);
      log(`release ${key}: load test of ${spec.rps} req/s to ${spec.url}`);
      const day = 86_400_000;
      void runLoad(spec.url, { rps: spec.rps, durationMs: day, concurrency: Math.max(4, Math.ceil(spec.rps)), headers: spec.headers, signal: stop.signal })
        .catch((err: Error) => log(`release ${key}: load test: ${err.message}`))
        .finally(() => {
          if (running.get(key) === stop) running.delete(key);
        });
    },
    stop(key) {
      running.get(key)?.abort();
      running.delete(key);
    },
    close() {
      for (const c of running.values()) c.abort();
      running.clear();
    },
  };
}

/** The mesh of the local engine: the distributor's snapshot, ACKed by every node proxy. */
export function localMesh(host: LocalMeshHost): Mesh {
  return {
    async settle() {
      const start = Date.now();
      const version = await host.settle();
      return { version, method: 'acks', proxies: host.proxies().filter((p) => p.connected).length, waitedMs: Date.now() - start };
    },
    async enforced(given, timeoutMs) {
      const start = Date.now();
      const version = given ?? host.publish();
      await host.waitFor(version, timeoutMs);
      const proxies = host.proxies().map((p) => ({ ...p, current: p.connected && p.ackedVersion >= version }));
      return { version, method: 'acks', proxies, waitedMs: Date.now() - start };
    },
  };
}

export function localReleaseController(host: LocalReleaseHost, load?: LoadPort): ReleaseController {
  const store = new SqliteObjectStore(host.store);
  return new ReleaseController({
    ...(host.metrics ? { metrics: host.metrics } : {}),
    ...(host.audit ? { audit: host.audit } : {}),
    ...(load ? { load } : {}),
    store,
    mesh: host.mesh,
    workloads: localWorkloads,
    log: host.log,
    // The compiler's output passes the same tenancy check as a user's apply.
    checkRule: (obj) => checkTenancyOn(store, [obj]),
  });
}
