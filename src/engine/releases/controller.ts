/**
 * The release controller of both engines. It compiles each Release to a
 * VirtualService and a DestinationRule (src/config/release/compile.ts) and drives
 * every step make-before-break on the mesh's settle, over the engine's object store:
 *   subsets enforced → route pinned to the principal enforced → new workload created
 *   and ready → release rules enforced; offline and delete are recorded as pending
 *   before their first step and finished by a restarted controller.
 * Operations on one release are serialised; each is kept in its history (who, when,
 * what, before, after, result). Waiting for a workload happens outside the release's
 * lock: a pause or a delete is not held up by a create waiting for readiness.
 */
import { invalid, notFound } from '../../api/errors.js';
import type { Deployment, KubeObject } from '../../api/objects.js';
import { historyEntry, pushHistory, releaseSummary, restoreOp, rollbackOp, setPolicyOp, setWeightsOp, takeoverOp, type SpecMutation } from '../../config/release/operations.js';
import { RELEASE_API_VERSION, type Release, type ReleaseHistoryEntry, type ReleaseSpec, type ReleaseStatus } from '../../config/release/types.js';
import type { StoreEvent, Unwatch } from '../store.js';
import { retryOnConflict } from '../store.js';
import { podLabels } from '../workloads.js';
import { beginDelete, finishDelete } from './abandon.js';
import { admitRelease } from './admission.js';
import { pollMs, sleep, type OperationOptions, type ReleaseHost } from './host.js';
import { collectOwned, manifestOf, replaceSpec, sameManifest } from './manifest.js';
import { beginOffline, finishOffline } from './offline.js';
import { KeyedQueue } from './queue.js';
import { reconcile } from './reconcile.js';
import { resultOf, writeResult } from './status.js';
import { refuseIfPending } from './steps.js';
import { AnalysisRunner } from './analysis/runner.js';
import { abortRelease, automaticStart, promoteRelease } from './analysis/operations.js';

export type { OperationOptions, ReleaseHost } from './host.js';

type Meta = Pick<Release['metadata'], 'labels' | 'annotations'>;

export class ReleaseController {
  private readonly queue = new KeyedQueue();
  /** The service of every release seen, by namespace/name: a workload's change moves its release on. */
  private readonly services = new Map<string, { namespace: string; service: string }>();
  private unwatch: Unwatch[] = [];
  /** Events move releases on only once the controller has resumed (locally: once a proxy is back to ACK the steps). */
  private resumed = false;
  private closed = false;

  private readonly runner: AnalysisRunner;

  constructor(private readonly host: ReleaseHost) {
    this.runner = new AnalysisRunner(host, (ns, name, fn) => this.locked(ns, name, fn));
  }

  /**
   * Watches Releases (applied around the controller, e.g. by kubectl) and Deployments (a
   * version's workload changing); they move releases on once `resume` has run.
   */
  async start(namespace?: string): Promise<void> {
    const opts = namespace ? { namespace } : {};
    this.unwatch = await Promise.all([
      this.host.store.watch('Release', opts, (e) => this.onRelease(e)),
      this.host.store.watch('Deployment', opts, (e) => this.onDeployment(e)),
    ]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.runner.close();
    await Promise.all(this.unwatch.map((u) => u()));
    this.unwatch = [];
  }

  /** Resolves when no release operation or reconcile is queued or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Reconciles every release (at start): a pending offline or delete is finished. From here on, events move releases on. */
  async resume(): Promise<void> {
    this.resumed = true;
    for (const r of await this.host.store.list<Release>('Release')) {
      this.remember(r);
      this.enqueue(r.metadata.namespace as string, r.metadata.name);
    }
  }

  private remember(r: KubeObject): void {
    const namespace = r.metadata.namespace as string;
    this.services.set(`${namespace}/${r.metadata.name}`, { namespace, service: (r.spec as { service?: string } | undefined)?.service ?? '' });
  }

  private onRelease(e: StoreEvent): void {
    const o = e.object;
    const ns = o.metadata.namespace as string;
    if (e.type === 'DELETED') {
      this.services.delete(`${ns}/${o.metadata.name}`);
      this.runner.poke(undefined, ns, o.metadata.name);
      // What a release deleted around the controller owned goes with it (a cluster's garbage collector does the same).
      void this.locked(ns, o.metadata.name, () => collectOwned(this.host.store, o as Release)).catch((err: Error) => this.host.log(`release ${ns}/${o.metadata.name}: ${err.message}`));
      return;
    }
    this.remember(o);
    if ((o.status as ReleaseStatus | undefined)?.observedGeneration !== o.metadata.generation) this.enqueue(ns, o.metadata.name);
  }

  private onDeployment(e: StoreEvent): void {
    // A version's workload changed (created, ready, gone): its release routes to it once ready and reports its replicas.
    const app = podLabels(e.object as Deployment).app;
    const ns = e.object.metadata.namespace ?? '';
    for (const [key, r] of this.services) if (r.namespace === ns && r.service === app) this.enqueue(ns, key.slice(ns.length + 1));
  }

  private enqueue(ns: string, name: string): void {
    if (this.closed || !this.resumed) return;
    this.queue.coalesce(
      `${ns}/${name}`,
      async () => this.runner.poke(await reconcile(this.host, ns, name), ns, name),
      (err) => this.host.log(`release ${ns}/${name}: ${err.message}`),
    );
  }

  private locked<T>(ns: string, name: string, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(`${ns}/${name}`, fn);
  }

  /** Refuses a release that cannot run (src/engine/releases/admission.ts). */
  admit(r: Release): Promise<void> {
    return admitRelease(this.host.store, r, this.host.metrics?.kind);
  }

  async get(ns: string, name: string): Promise<Release> {
    const r = await this.host.store.get<Release>('Release', ns, name);
    if (!r) throw notFound(`release ${name} not found in project ${ns}`);
    return r;
  }

  /** One reconcile pass under the release's lock; returns the release after it. */
  async reconcile(ns: string, name: string): Promise<Release | undefined> {
    const r = await this.locked(ns, name, () => reconcile(this.host, ns, name));
    this.runner.poke(r, ns, name);
    return r;
  }

  /** Creates a release and returns once its rules are enforced (or it waits for its workload). */
  async create(given: Release, opts: OperationOptions): Promise<Release> {
    // An automatic release starts with the principal serving everything.
    const r: Release = given.spec?.analysis ? { ...given, spec: automaticStart(given.spec as ReleaseSpec) as Release['spec'] } : given;
    const ns = r.metadata.namespace as string;
    const name = r.metadata.name;
    const e = historyEntry(opts.user, 'create', undefined, releaseSummary(r.spec as ReleaseSpec));
    await this.locked(ns, name, async () => {
      await this.admit(r);
      const body: Release = { ...r, apiVersion: RELEASE_API_VERSION, kind: 'Release' };
      delete body.status;
      const status: ReleaseStatus = { phase: 'Pending', versions: [], history: [e] };
      await this.host.store.transaction([{ op: 'create', object: body }, { op: 'updateStatus', object: { ...body, status } }]);
      this.remember(body);
      await reconcile(this.host, ns, name);
    });
    return this.untilSettled(ns, name, e, opts);
  }

  /**
   * Reconciles until the release no longer waits for its workload (or the wait times out),
   * then writes how the operation `e` ended into its history entry.
   */
  private async untilSettled(ns: string, name: string, e: ReleaseHistoryEntry, opts: OperationOptions): Promise<Release> {
    try {
      let r = await this.reconcile(ns, name);
      const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
      while (r?.status?.phase === 'Pending' && Date.now() < deadline && !this.closed) {
        // Outside the lock, so a pause or a delete meanwhile is not held up.
        await sleep(pollMs(this.host));
        r = await this.reconcile(ns, name);
      }
      if (!r) throw notFound(`release ${name} in project ${ns} was deleted while waiting for its workload`);
      return await writeResult(this.host, r, e, resultOf(r));
    } catch (err) {
      const r = await this.host.store.get<Release>('Release', ns, name).catch(() => undefined);
      if (r) await writeResult(this.host, r, e, `failed: ${(err as Error).message}`).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A Release applied from a manifest (`graymesh apply -f`): a new one is created as `create`
   * does; a changed one has its spec (and labels, annotations) replaced, recorded in its history
   * as an `apply` operation with before and after, and returns once enforced.
   */
  async apply(given: Release, opts: OperationOptions): Promise<{ action: 'created' | 'configured' | 'unchanged'; release: Release }> {
    const ns = given.metadata.namespace as string;
    const name = given.metadata.name;
    const current = await this.host.store.get<Release>('Release', ns, name);
    if (!current) return { action: 'created', release: await this.create(given, opts) };
    // An automatic release's routes are the controller's: a manifest applied again keeps where it stands.
    const r: Release = given.spec?.analysis && current.spec?.analysis ? { ...given, spec: { ...given.spec, routes: current.spec.routes } } : given;
    if (sameManifest(current, r)) return { action: 'unchanged', release: current };
    const spec = r.spec as ReleaseSpec;
    const service = (current.spec as ReleaseSpec).service;
    if (spec.service !== service) {
      throw invalid(`Release ${name}: spec.service: a release cannot move from service ${service} to ${spec.service}; delete it (graymesh release delete ${name} -p ${ns}) and create another`);
    }
    const release = await this.operate(ns, name, 'apply', opts, (s) => replaceSpec(s, spec), manifestOf(r));
    return { action: 'configured', release };
  }

  /** Changes the spec with `mutate` (read-modify-write, redone on a conflict), records the operation, and returns once enforced. */
  async operate(ns: string, name: string, operation: string, opts: OperationOptions, mutate: SpecMutation, meta?: Meta): Promise<Release> {
    let e: ReleaseHistoryEntry | undefined;
    await this.locked(ns, name, () =>
      retryOnConflict(`release ${ns}/${name}`, this.host.log, async () => {
        const r = await this.get(ns, name);
        refuseIfPending(r, operation);
        const spec = structuredClone(r.spec) as ReleaseSpec;
        mutate(spec, r);
        e = historyEntry(opts.user, operation, releaseSummary(r.spec as ReleaseSpec), releaseSummary(spec));
        const next: Release = { ...r, spec: spec as Release['spec'] };
        if (meta) {
          const { labels: _l, annotations: _a, ...rest } = r.metadata;
          next.metadata = { ...rest, ...meta };
        }
        const status = (r.status as ReleaseStatus | undefined) ?? { phase: 'Pending', versions: [], history: [] };
        const { resourceVersion: _rv, ...unversioned } = next.metadata;
        await this.host.store.transaction([
          { op: 'update', object: next },
          { op: 'updateStatus', object: { ...next, metadata: unversioned, status: { ...status, history: pushHistory(status.history, e) } } },
        ]);
      }),
    );
    return this.untilSettled(ns, name, e as ReleaseHistoryEntry, opts);
  }

  setWeights(ns: string, name: string, weights: Record<string, number>, opts: OperationOptions): Promise<Release> {
    return this.operate(ns, name, 'set-weights', opts, setWeightsOp(weights));
  }

  takeover(ns: string, name: string, version: string, opts: OperationOptions): Promise<Release> {
    return this.operate(ns, name, 'takeover', opts, takeoverOp(version));
  }

  restore(ns: string, name: string, opts: OperationOptions): Promise<Release> {
    return this.operate(ns, name, 'restore', opts, restoreOp);
  }

  rollback(ns: string, name: string, opts: OperationOptions): Promise<Release> {
    return this.operate(ns, name, 'rollback', opts, rollbackOp);
  }

  /** Sets the policy (Paused to hold the rules, WaitForWorkloadReady or Immediately to apply them). */
  setPolicy(ns: string, name: string, policy: ReleaseSpec['policy'], opts: OperationOptions): Promise<Release> {
    return this.operate(ns, name, 'set-policy', opts, setPolicyOp(policy));
  }

  /** Moves an automatic release past the step or gate holding it (src/engine/releases/analysis/operations.ts). */
  async promote(ns: string, name: string, opts: OperationOptions): Promise<Release> {
    const r = await this.locked(ns, name, () => promoteRelease(this.host, ns, name, opts.user));
    this.runner.poke(r, ns, name);
    return r;
  }

  /** Rolls an automatic release back now, as a failed analysis does. */
  async abort(ns: string, name: string, opts: OperationOptions): Promise<Release> {
    const r = await this.locked(ns, name, () => abortRelease(this.host, ns, name, opts.user));
    this.runner.poke(r, ns, name);
    return r;
  }

  /** Takes the version no longer serving offline (src/engine/releases/offline.ts). */
  offline(ns: string, name: string, opts: OperationOptions): Promise<{ survivor: string; removed: string }> {
    return this.locked(ns, name, async () => {
      const r = await this.get(ns, name);
      const prior = (r.status as ReleaseStatus | undefined)?.pending;
      // Asked again after an interruption: finish what was begun.
      const pending = prior?.operation === 'offline' ? prior : await beginOffline(this.host, r, opts.user);
      await finishOffline(this.host, r, pending);
      return { survivor: pending.survivor, removed: pending.removed as string };
    });
  }

  /** Abandons a release (src/engine/releases/abandon.ts). */
  async delete(ns: string, name: string, opts: OperationOptions): Promise<void> {
    await this.locked(ns, name, async () => {
      const r = await this.get(ns, name);
      const prior = (r.status as ReleaseStatus | undefined)?.pending;
      const pending = prior?.operation === 'delete' ? prior : await beginDelete(this.host, r, opts.user);
      await finishDelete(this.host, r, pending);
    });
  }
}
