/**
 * The workload controller of the local engine: Deployment → ReplicaSets → pods, as
 * the Kubernetes Deployment and ReplicaSet controllers and kubelet do together. Each
 * replica is a Pod object and a supervised process. A changed pod template rolls
 * out as Kubernetes' RollingUpdate does, within maxSurge and maxUnavailable (by
 * default one new pod at a time for a few replicas, each old one stopped once a new
 * one is ready), and a pod is taken out of every proxy's endpoints (and the proxies
 * have ACKed that) before its process is asked to stop, so in-flight requests
 * finish. Each template is a ReplicaSet (revision history, replica-sets.ts); the
 * Deployment's status is computed from its pods (engine/deployment-status.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Deployment, Pod, ReplicaSet } from '../../api/objects.js';
import { freePort } from '../../runtime/ports.js';
import { isOurs } from '../../runtime/process-marker.js';
import type { PodState, Supervisor } from '../../runtime/supervisor.js';
import { TEMPLATE_HASH_LABEL } from '../../engine/deployments.js';
import { deploymentStatus, rolloutBudget } from '../../engine/deployment-status.js';
import type { Store } from '../store.js';
import { LISTENER_META, WORKLOAD_LABEL } from '../snapshot-builder.js';
import { podRun } from './pod-run.js';
import { podStatus } from './pod-status.js';
import { deleteReplicaSets, ensureCurrentReplicaSet, ownedReplicaSets, resolveHash, syncReplicaSets } from './replica-sets.js';

export { TEMPLATE_HASH_LABEL };
export const TERMINATING_ANNOTATION = 'graymesh.dev/terminating';
/** How long a stopping pod's process has between SIGTERM and SIGKILL. */
const GRACE_S = 10;

/** Kubernetes' alphabet for generated name suffixes (no vowels, no look-alikes). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export interface WorkloadHost {
  store: Store;
  supervisor: Supervisor;
  home: string;
  instance: string;
  /** Rebuilds and publishes the snapshot now; returns its version. */
  syncConfig(): number;
  /** Waits until every proxy enforces version (best effort, bounded). */
  waitForConfig(version: number): Promise<void>;
  log(msg: string): void;
}

/** A short stable hash of a pod template, in Kubernetes' alphabet. */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(template)).digest();
  let out = '';
  for (let i = 0; i < 5; i++) out += ALPHABET[(digest[i] as number) % ALPHABET.length];
  return out;
}

function randomSuffix(): string {
  const bytes = randomBytes(5);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export class WorkloadController {
  private readonly queue = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private closed = false;

  constructor(private readonly host: WorkloadHost) {}

  /** Re-runs reconcile for one Deployment; calls for the same one are serialized and coalesced. */
  enqueue(namespace: string, name: string): void {
    if (this.closed) return;
    const k = `${namespace}/${name}`;
    if (this.dirty.has(k)) return;
    this.dirty.add(k);
    const prev = this.queue.get(k) ?? Promise.resolve();
    const next = prev.then(async () => {
      this.dirty.delete(k);
      if (this.closed) return;
      try {
        await this.reconcile(namespace, name);
      } catch (err) {
        this.host.log(`workload ${k}: ${(err as Error).message}`);
      }
    });
    this.queue.set(k, next);
    void next.then(() => {
      if (this.queue.get(k) === next) this.queue.delete(k);
    });
  }

  /** Resolves when no reconcile is queued or running. */
  async idle(): Promise<void> {
    while (this.queue.size > 0) await Promise.all([...this.queue.values()]);
  }

  close(): void {
    this.closed = true;
  }

  /**
   * At start: adopt pods whose processes are still running (an earlier
   * control plane started them), restart the others, then reconcile all.
   */
  async resume(): Promise<void> {
    const { store, supervisor, instance } = this.host;
    const orphans: number[] = [];
    for (const pod of store.list<Pod>('Pod')) {
      const ns = pod.metadata.namespace ?? 'default';
      const dep = store.get<Deployment>('Deployment', ns, pod.metadata.labels?.[WORKLOAD_LABEL] ?? '');
      if (!dep) {
        // Its Deployment went while no control plane ran (or mid-removal): withdraw it, then stop its process.
        store.delete('Pod', ns, pod.metadata.name);
        if (pod.status?.pid !== undefined && isOurs(pod.status.pid, instance)) orphans.push(pod.status.pid);
        continue;
      }
      const run = podRun(dep, pod, await this.ensureListener(ns, dep.metadata.name), this.host.home, instance);
      const st = pod.status;
      if (st?.pid !== undefined && st.port && isOurs(st.pid, instance)) {
        supervisor.adopt(run, st.pid, {
          phase: 'Running',
          pid: st.pid,
          port: st.port,
          ready: st.containerStatuses?.[0]?.ready ?? false,
          restartCount: st.containerStatuses?.[0]?.restartCount ?? 0,
          ...(st.startTime ? { startTime: st.startTime } : {}),
        });
      } else {
        await supervisor.start(run, st?.containerStatuses?.[0]?.restartCount ?? 0);
      }
    }
    // ReplicaSets of a Deployment that went while no control plane ran.
    for (const rs of store.list<ReplicaSet>('ReplicaSet')) {
      const owner = rs.metadata.ownerReferences?.find((o) => o.kind === 'Deployment')?.name ?? '';
      if (!store.get('Deployment', rs.metadata.namespace, owner)) store.delete('ReplicaSet', rs.metadata.namespace, rs.metadata.name);
    }
    for (const d of store.list<Deployment>('Deployment')) this.enqueue(d.metadata.namespace ?? 'default', d.metadata.name);
    if (orphans.length > 0) void this.stopOrphans(orphans);
  }

  /**
   * Stops processes whose pods are gone, once every proxy stopped sending to them: SIGTERM
   * (they drain in-flight requests), SIGKILL after the grace period the supervisor gives too.
   */
  private async stopOrphans(pids: number[]): Promise<void> {
    await this.host.waitForConfig(this.host.syncConfig()).catch((err: Error) => this.host.log(`stopping orphaned processes ${pids.join(', ')} without every proxy's ACK: ${err.message}`));
    const signal = (sig: NodeJS.Signals): void => {
      for (const pid of pids) {
        if (!isOurs(pid, this.host.instance)) continue;
        try {
          process.kill(-pid, sig);
        } catch {
          // already gone
        }
      }
    };
    signal('SIGTERM');
    setTimeout(() => signal('SIGKILL'), 10_000).unref();
  }

  /** Supervisor callback: records a pod's observed state and re-reconciles its Deployment. */
  onPodState(namespace: string, name: string, state: PodState): void {
    const { store } = this.host;
    const pod = store.get<Pod>('Pod', namespace, name);
    if (!pod) return;
    store.updateStatus('Pod', namespace, name, podStatus(pod, state));
    const workload = pod.metadata.labels?.[WORKLOAD_LABEL];
    if (workload) this.enqueue(namespace, workload);
  }

  /** Deletes every pod of a deleted Deployment (endpoints withdrawn first), then its ReplicaSets. */
  private async removeAll(namespace: string, name: string): Promise<void> {
    const pods = this.host.store.list<Pod>('Pod', { namespace, labels: { [WORKLOAD_LABEL]: name } });
    await this.terminate(pods);
    deleteReplicaSets(this.host.store, namespace, name);
    this.host.store.setMeta(LISTENER_META(namespace, name), '0');
  }

  private podsOf(namespace: string, name: string): Pod[] {
    return this.host.store.list<Pod>('Pod', { namespace, labels: { [WORKLOAD_LABEL]: name } });
  }

  private async reconcile(namespace: string, name: string): Promise<void> {
    const { store, supervisor } = this.host;
    const dep = store.get<Deployment>('Deployment', namespace, name);
    if (!dep) return this.removeAll(namespace, name);
    const listenerPort = await this.ensureListener(namespace, name);
    const hash = resolveHash(dep, ownedReplicaSets(store, dep), templateHash(dep.spec?.template));
    const rs = ensureCurrentReplicaSet(store, dep, hash);
    const replicas = dep.spec?.replicas ?? 1;
    const { maxSurge, maxUnavailable } = rolloutBudget(dep);
    const live = this.podsOf(namespace, name).filter((p) => !terminating(p));
    const current = live.filter((p) => p.metadata.labels?.[TEMPLATE_HASH_LABEL] === hash);
    const old = live.filter((p) => p.metadata.labels?.[TEMPLATE_HASH_LABEL] !== hash);

    // Scale the new template up, within maxSurge above the desired count while old pods run.
    const toAdd = old.length === 0 ? replicas - current.length : Math.min(replicas - current.length, replicas + maxSurge - live.length);
    for (let i = 0; i < toAdd; i++) {
      const pod = store.create(this.newPod(dep, hash, listenerPort, rs));
      current.push(pod);
      await supervisor.start(podRun(dep, pod, listenerPort, this.host.home, this.host.instance));
    }
    const surplus = surplusOf(current, replicas);
    const doomed = [...surplus, ...oldToStop(current.filter((p) => !surplus.includes(p)), old, replicas, maxUnavailable)];
    if (doomed.length > 0) await this.terminate(doomed);
    this.writeStatus(dep, hash, rs);
    // A pod stopped makes room for the next new one.
    if (doomed.length > 0) this.enqueue(namespace, name);
  }

  /** The Deployment's and its ReplicaSets' status from the pods there are now (written only when changed). */
  private writeStatus(dep: Deployment, hash: string, rs: ReplicaSet): void {
    const { store } = this.host;
    const ns = dep.metadata.namespace ?? 'default';
    const fresh = store.get<Deployment>('Deployment', ns, dep.metadata.name);
    if (!fresh) return;
    const pods = this.podsOf(ns, dep.metadata.name);
    syncReplicaSets(store, fresh, hash, pods);
    // The generation this reconcile acted on: a change that came meanwhile is observed by the next one.
    const acted: Deployment = { ...fresh, metadata: { ...fresh.metadata, generation: dep.metadata.generation ?? 1 }, spec: dep.spec };
    const status = deploymentStatus({
      deployment: acted,
      hash,
      replicaSet: rs.metadata.name,
      pods: pods.map((p) => ({ hash: p.metadata.labels?.[TEMPLATE_HASH_LABEL] ?? '', ready: isReady(p), terminating: terminating(p) })),
      now: new Date().toISOString(),
    });
    store.updateStatus('Deployment', ns, dep.metadata.name, status);
  }

  private async terminate(pods: Pod[]): Promise<void> {
    if (pods.length === 0) return;
    const { store, supervisor } = this.host;
    for (const p of pods) {
      const fresh = store.get<Pod>('Pod', p.metadata.namespace, p.metadata.name);
      if (!fresh) continue;
      fresh.metadata.annotations = { ...fresh.metadata.annotations, [TERMINATING_ANNOTATION]: 'true' };
      fresh.metadata.deletionTimestamp = new Date().toISOString();
      fresh.metadata.deletionGracePeriodSeconds = GRACE_S;
      delete fresh.metadata.resourceVersion;
      store.update(fresh);
    }
    // Withdraw the endpoints, and stop the processes only once every proxy stopped sending to them.
    const version = this.host.syncConfig();
    try {
      await this.host.waitForConfig(version);
    } catch (err) {
      this.host.log(`stopping ${pods.map((p) => p.metadata.name).join(', ')} without every proxy's ACK of their withdrawal: ${(err as Error).message}`);
    }
    await Promise.all(
      pods.map(async (p) => {
        const ns = p.metadata.namespace ?? 'default';
        await supervisor.stop(ns, p.metadata.name, GRACE_S * 1000);
        store.delete('Pod', ns, p.metadata.name);
      }),
    );
  }

  private async ensureListener(namespace: string, name: string): Promise<number> {
    const { store } = this.host;
    const k = LISTENER_META(namespace, name);
    const existing = Number(store.getMeta(k) ?? '0');
    if (existing) return existing;
    const port = await freePort();
    store.setMeta(k, String(port));
    this.host.syncConfig();
    return port;
  }

  private newPod(dep: Deployment, hash: string, listenerPort: number, rs: ReplicaSet): Pod {
    const ns = dep.metadata.namespace ?? 'default';
    const tpl = dep.spec?.template;
    const name = `${dep.metadata.name}-${hash}-${randomSuffix()}`;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        labels: { ...tpl?.metadata?.labels, [WORKLOAD_LABEL]: dep.metadata.name, [TEMPLATE_HASH_LABEL]: hash },
        ...(tpl?.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: { ...structuredClone(tpl?.spec ?? { containers: [] }), nodeName: 'local' },
      status: { phase: 'Pending', proxyPort: listenerPort },
    };
  }
}

const isReady = (p: Pod): boolean => p.status?.containerStatuses?.[0]?.ready === true;
const terminating = (p: Pod): boolean => p.metadata.annotations?.[TERMINATING_ANNOTATION] === 'true';

/** New-template pods beyond the desired count: the unready ones go first. */
function surplusOf(current: Pod[], replicas: number): Pod[] {
  if (current.length <= replicas) return [];
  return [...current].sort((a, b) => Number(isReady(a)) - Number(isReady(b))).slice(0, current.length - replicas);
}

/**
 * Old-template pods that may stop now (Kubernetes' reconcileOldReplicaSets): unready ones first,
 * then ready ones, never taking the ready pods below replicas − maxUnavailable nor counting on
 * new pods that are not ready yet.
 */
function oldToStop(kept: Pod[], old: Pod[], replicas: number, maxUnavailable: number): Pod[] {
  const minAvailable = Math.max(0, replicas - maxUnavailable);
  const newUnavailable = kept.filter((p) => !isReady(p)).length;
  let budget = kept.length + old.length - minAvailable - newUnavailable;
  const unready = old.filter((p) => !isReady(p)).slice(0, Math.max(0, budget));
  budget -= unready.length;
  const readyOld = old.filter(isReady);
  const readyAll = kept.filter(isReady).length + readyOld.length;
  const ready = readyOld.slice(0, Math.max(0, Math.min(budget, readyAll - minAvailable)));
  return [...unready, ...ready];
}
