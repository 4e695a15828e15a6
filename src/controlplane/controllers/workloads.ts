/**
 * The workload controller of the local engine: Deployment → pods, as the
 * Kubernetes Deployment controller and kubelet do together. Each replica is
 * a Pod object and a supervised process. A changed pod template rolls out
 * make-before-break: new pods first, old pods removed once the new ones are
 * ready, and a pod is taken out of every proxy's endpoints (and the proxies
 * have ACKed that) before its process is asked to stop, so in-flight
 * requests finish.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Container, Deployment, Pod, PodStatus } from '../../api/objects.js';
import { resolveContainer } from '../../runtime/image-catalog.js';
import { freePort } from '../../runtime/ports.js';
import { INSTANCE_ENV, isOurs } from '../../runtime/process-marker.js';
import { podLogFile } from '../../runtime/log-paths.js';
import type { PodRun, PodState, ProbeSpec, Supervisor } from '../../runtime/supervisor.js';
import type { Store } from '../store.js';
import { LISTENER_META, WORKLOAD_LABEL } from '../snapshot-builder.js';

export const TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const TERMINATING_ANNOTATION = 'graymesh.dev/terminating';

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

function probeOf(c: Container | undefined): ProbeSpec {
  const p = c?.readinessProbe;
  if (p?.tcpSocket) return { kind: 'tcp' };
  return { kind: 'http', path: p?.httpGet?.path ?? '/health' };
}

const PASSED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'NODE_OPTIONS'];

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
      const run = await this.podRun(dep, pod);
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
    const c = (pod.spec as { containers?: Container[] } | undefined)?.containers?.[0];
    const status: PodStatus = {
      phase: state.phase,
      port: state.port,
      podIP: '127.0.0.1',
      containerStatuses: [
        {
          name: c?.name ?? 'main',
          image: c?.image ?? '',
          ready: state.ready,
          restartCount: state.restartCount,
          started: state.pid !== undefined,
          state:
            state.pid !== undefined
              ? { running: { startedAt: state.startTime } }
              : { waiting: { reason: state.restartCount > 0 ? 'CrashLoopBackOff' : 'ContainerCreating', message: state.message } },
          ...(state.lastExit
            ? { lastState: { terminated: { exitCode: state.lastExit.code, signal: state.lastExit.signal, finishedAt: state.lastExit.at } } }
            : {}),
        },
      ],
    };
    if (state.pid !== undefined) status.pid = state.pid;
    if (state.startTime) status.startTime = state.startTime;
    if (state.message) status.message = state.message;
    const prior = pod.status as (PodStatus & { proxyPort?: number }) | undefined;
    if (prior?.proxyPort) status.proxyPort = prior.proxyPort;
    store.updateStatus('Pod', namespace, name, status);
    const workload = pod.metadata.labels?.[WORKLOAD_LABEL];
    if (workload) this.enqueue(namespace, workload);
  }

  /** Deletes every pod of a deleted Deployment (endpoints withdrawn first). */
  private async removeAll(namespace: string, name: string): Promise<void> {
    const pods = this.host.store.list<Pod>('Pod', { namespace, labels: { [WORKLOAD_LABEL]: name } });
    await this.terminate(pods);
    this.host.store.setMeta(LISTENER_META(namespace, name), '0');
  }

  private async reconcile(namespace: string, name: string): Promise<void> {
    const { store, supervisor } = this.host;
    const dep = store.get<Deployment>('Deployment', namespace, name);
    if (!dep) return this.removeAll(namespace, name);
    const listenerPort = await this.ensureListener(namespace, name);
    const hash = templateHash(dep.spec?.template);
    const replicas = dep.spec?.replicas ?? 1;
    const pods = store.list<Pod>('Pod', { namespace, labels: { [WORKLOAD_LABEL]: name } });
    const live = pods.filter((p) => p.metadata.annotations?.[TERMINATING_ANNOTATION] !== 'true');
    const current = live.filter((p) => p.metadata.labels?.[TEMPLATE_HASH_LABEL] === hash);
    const old = live.filter((p) => p.metadata.labels?.[TEMPLATE_HASH_LABEL] !== hash);
    const isReady = (p: Pod): boolean => p.status?.containerStatuses?.[0]?.ready === true;

    for (let i = current.length; i < replicas; i++) {
      const pod = this.newPod(dep, hash, listenerPort);
      store.create(pod);
      current.push(pod);
      await supervisor.start(await this.podRun(dep, pod));
    }
    const surplus: Pod[] = [];
    if (current.length > replicas) {
      const byReadiness = [...current].sort((a, b) => Number(isReady(a)) - Number(isReady(b)));
      surplus.push(...byReadiness.slice(0, current.length - replicas));
    }
    const readyCurrent = current.filter((p) => isReady(p) && !surplus.includes(p)).length;
    // Make-before-break: old pods go only once the new template's pods carry the load.
    if (old.length > 0 && (readyCurrent >= replicas || replicas === 0)) surplus.push(...old);
    if (surplus.length > 0) await this.terminate(surplus);

    const after = store.list<Pod>('Pod', { namespace, labels: { [WORKLOAD_LABEL]: name } });
    const updated = after.filter((p) => p.metadata.labels?.[TEMPLATE_HASH_LABEL] === hash);
    const ready = after.filter(isReady).length;
    store.updateStatus('Deployment', namespace, name, {
      observedGeneration: dep.metadata.generation ?? 1,
      replicas: after.length,
      updatedReplicas: updated.length,
      readyReplicas: ready,
      availableReplicas: ready,
    });
  }

  private async terminate(pods: Pod[]): Promise<void> {
    if (pods.length === 0) return;
    const { store, supervisor } = this.host;
    for (const p of pods) {
      const fresh = store.get<Pod>('Pod', p.metadata.namespace, p.metadata.name);
      if (!fresh) continue;
      fresh.metadata.annotations = { ...fresh.metadata.annotations, [TERMINATING_ANNOTATION]: 'true' };
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
        await supervisor.stop(ns, p.metadata.name);
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

  private newPod(dep: Deployment, hash: string, listenerPort: number): Pod {
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
          { apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata.name, uid: dep.metadata.uid ?? '', controller: true },
        ],
      },
      spec: { ...structuredClone(tpl?.spec ?? { containers: [] }), nodeName: 'local' },
      status: { phase: 'Pending', proxyPort: listenerPort },
    };
  }

  /** How to run a pod: the process, its environment and its readiness probe. */
  private async podRun(dep: Deployment, pod: Pod): Promise<PodRun> {
    const ns = pod.metadata.namespace ?? 'default';
    const containers = (pod.spec as { containers?: Container[] } | undefined)?.containers ?? [];
    const c = containers[0] as Container;
    const spec = resolveContainer(c, `Deployment ${dep.metadata.name}`);
    const listenerPort = await this.ensureListener(ns, dep.metadata.name);
    const labels = pod.metadata.labels ?? {};
    const env: Record<string, string> = {};
    for (const k of PASSED_ENV) {
      const v = process.env[k];
      if (v !== undefined) env[k] = v;
    }
    Object.assign(env, spec.env);
    for (const e of c.env ?? []) env[e.name] = e.value ?? '';
    Object.assign(env, {
      HTTP_PROXY: `http://127.0.0.1:${listenerPort}`,
      http_proxy: `http://127.0.0.1:${listenerPort}`,
      // https:// calls go through the same listener as CONNECT tunnels (HTTPS egress).
      HTTPS_PROXY: `http://127.0.0.1:${listenerPort}`,
      https_proxy: `http://127.0.0.1:${listenerPort}`,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      SERVICE_NAME: labels.app ?? dep.metadata.name,
      SERVICE_VERSION: labels.version ?? '',
      POD_NAME: pod.metadata.name,
      POD_NAMESPACE: ns,
      [INSTANCE_ENV]: this.host.instance,
    });
    const run: PodRun = {
      namespace: ns,
      name: pod.metadata.name,
      argv: spec.argv,
      env,
      logFile: podLogFile(this.host.home, ns, pod.metadata.name),
      probe: probeOf(c),
    };
    if (pod.status?.port) run.port = pod.status.port;
    return run;
  }
}

/** Where a pod's stdout and stderr are kept. */
