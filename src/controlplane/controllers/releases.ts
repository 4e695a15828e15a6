/**
 * The release controller: compiles each Release to a VirtualService and a
 * DestinationRule and drives every step make-before-break on the proxies'
 * ACKs, so no request is lost:
 *   subsets acked everywhere → route pinned to the principal acked →
 *   new workload created and ready → release rules acked → and on offline,
 *   route to the survivor acked → old subset removed (acked) → old workload
 *   removed (its pods leave every proxy's endpoints before they are asked to
 *   stop, and stop once their in-flight requests finished).
 * Offline and delete are recorded as pending in the release's status before
 * their first step, so a control plane restarted mid-way finishes them.
 * Waiting for a workload happens outside the release's lock: a pause or a
 * delete is not held up by a create waiting for readiness.
 */
import type { Deployment, KubeObject } from '../../api/objects.js';
import { conflict, invalid, notFound } from '../../api/errors.js';
import {
  compileDestinationRule,
  compileSurvivor,
  compileVirtualService,
  effectiveWeights,
  releaseVersions,
  type Stage,
} from '../../config/release/compile.js';
import {
  MANAGED_ANNOTATION,
  RELEASE_ANNOTATION,
  type PendingOperation,
  type Release,
  type ReleaseHistoryEntry,
  type ReleaseSpec,
  type ReleaseStatus,
} from '../../config/release/types.js';
import type { Store, WatchEvent } from '../store.js';
import { checkIncoming } from '../tenancy.js';
import { historyEntry, pushHistory, releaseSummary, restoreOp, rollbackOp, setPolicyOp, setWeightsOp, takeoverOp } from '../../config/release/operations.js';

export const RELEASE_LABEL = 'graymesh.dev/release';

export interface ReleaseHost {
  store: Store;
  /** Publishes the current config and waits until every proxy enforces it. */
  settle(): Promise<number>;
  log(msg: string): void;
}

export interface OperationOptions {
  user: string;
  /** How long a call waits for the new workload before returning with phase Pending. */
  readyTimeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ReleaseController {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly queued = new Set<string>();
  private closed = false;

  constructor(private readonly host: ReleaseHost) {}

  close(): void {
    this.closed = true;
  }

  /** Resolves when no release operation or reconcile is queued or running. */
  async idle(): Promise<void> {
    while (this.locks.size > 0) await Promise.allSettled([...this.locks.values()]);
  }

  /** Store events: a release applied from YAML, or the workload of a released service changing. */
  onEvent(e: WatchEvent): void {
    const o = e.object;
    const ns = o.metadata.namespace ?? 'default';
    if (o.kind === 'Release' && e.type !== 'DELETED' && (o.status as ReleaseStatus | undefined)?.observedGeneration !== o.metadata.generation) {
      this.enqueue(ns, o.metadata.name);
    }
    if (o.kind === 'Release' && e.type === 'DELETED') {
      // Garbage collection of what the release owned (a release deleted around the controller).
      for (const kind of ['VirtualService', 'DestinationRule']) {
        const owned = this.host.store.get(kind, ns, (o.spec as { service?: string } | undefined)?.service ?? '');
        if (owned?.metadata.annotations?.[RELEASE_ANNOTATION] === o.metadata.name) this.host.store.delete(kind, ns, owned.metadata.name);
      }
    }
    if (o.kind === 'Deployment') {
      // A version's workload changed (created, ready, gone): its release routes to it once ready and reports its replicas.
      const app = podLabels(o as Deployment).app;
      for (const r of this.host.store.list<Release>('Release', { namespace: ns })) if (r.spec?.service === app) this.enqueue(ns, r.metadata.name);
    }
  }

  /** Re-reconciles every release (at start). */
  resume(): void {
    for (const r of this.host.store.list<Release>('Release')) this.enqueue(r.metadata.namespace ?? 'default', r.metadata.name);
  }

  /** Queues a reconcile; one already queued (not yet running) covers this call too. */
  private enqueue(ns: string, name: string): void {
    const k = `${ns}/${name}`;
    if (this.closed || this.queued.has(k)) return;
    this.queued.add(k);
    const run = (): Promise<unknown> => {
      this.queued.delete(k);
      return this.reconcile(ns, name);
    };
    void this.locked(ns, name, run).catch((err: Error) => this.host.log(`release ${ns}/${name}: ${err.message}`));
  }

  private locked<T>(ns: string, name: string, fn: () => Promise<T>): Promise<T> {
    const k = `${ns}/${name}`;
    const prev = this.locks.get(k) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    this.locks.set(k, next);
    void next.catch(() => undefined).then(() => {
      if (this.locks.get(k) === next) this.locks.delete(k);
    });
    return next;
  }

  /**
   * Refuses a release that cannot run: the principal's workload must exist, one
   * release per service, and the service's Istio objects must be graymesh's.
   */
  admit(r: Release): void {
    const { store } = this.host;
    const ns = r.metadata.namespace as string;
    const spec = r.spec as ReleaseSpec;
    const name = `Release ${r.metadata.name}`;
    if (!store.get('Service', ns, spec.service)) throw invalid(`${name}: spec.service: service ${spec.service} not found in project ${ns}`);
    const versions = this.versionsOf(ns, spec.service);
    if (!this.workloadOf(ns, spec.service, spec.principal)) {
      throw invalid(
        `${name}: spec.principal: service ${spec.service} has no workload of version ${spec.principal}; its versions are ${versions.join(', ') || 'none'}`,
      );
    }
    for (const other of store.list<Release>('Release', { namespace: ns })) {
      if (other.spec?.service === spec.service && other.metadata.name !== r.metadata.name) {
        throw conflict(`${name}: service ${spec.service} already has release ${other.metadata.name}; one release per service at a time (finish or delete ${other.metadata.name} first)`);
      }
    }
    for (const kind of ['VirtualService', 'DestinationRule']) {
      const o = store.get(kind, ns, spec.service);
      const owner = o?.metadata.annotations?.[RELEASE_ANNOTATION];
      if (o && o.metadata.annotations?.[MANAGED_ANNOTATION] !== 'graymesh' && owner !== r.metadata.name) {
        throw conflict(`${name}: ${kind} ${spec.service} already exists and is not managed by graymesh; delete it (graymesh delete ${kind === 'VirtualService' ? 'vs' : 'dr'} ${spec.service} -p ${ns}) so the release can own the routing`);
      }
    }
  }

  /** The versions of a service's workloads, read from their pod template labels (what subsets select). */
  private versionsOf(ns: string, service: string): string[] {
    return this.host.store
      .list<Deployment>('Deployment', { namespace: ns })
      .filter((d) => podLabels(d).app === service)
      .map((d) => podLabels(d).version ?? '')
      .filter(Boolean)
      .sort();
  }

  /**
   * The workload of one version: by its pod template labels, as a DestinationRule subset selects
   * the pods (manifests such as Istio's httpbin.yaml label only the template, not the Deployment).
   */
  private workloadOf(ns: string, service: string, version: string): Deployment | undefined {
    return this.host.store.list<Deployment>('Deployment', { namespace: ns }).find((d) => podLabels(d).app === service && podLabels(d).version === version);
  }

  /** Creates a release and returns once its rules are enforced (or it waits for its workload). */
  async create(r: Release, opts: OperationOptions): Promise<Release> {
    const ns = r.metadata.namespace as string;
    const name = r.metadata.name;
    const e = historyEntry(opts.user, 'create', undefined, releaseSummary(r.spec as ReleaseSpec));
    await this.locked(ns, name, async () => {
      this.admit(r);
      this.host.store.create({ ...r, status: { phase: 'Pending', versions: [], history: [e] } });
      await this.reconcile(ns, name);
    });
    return this.untilSettled(ns, name, e, opts);
  }

  /**
   * Reconciles until the release no longer waits for its workload (or the wait times out),
   * then writes how the operation `e` ended into its history entry.
   */
  private async untilSettled(ns: string, name: string, e: ReleaseHistoryEntry, opts: OperationOptions): Promise<Release> {
    try {
      let r = await this.locked(ns, name, () => this.reconcile(ns, name));
      const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
      while (r?.status?.phase === 'Pending' && Date.now() < deadline && !this.closed) {
        // Outside the lock, so a pause or a delete meanwhile is not held up.
        await sleep(100);
        r = await this.locked(ns, name, () => this.reconcile(ns, name));
      }
      if (!r) throw notFound(`release ${name} in project ${ns} was deleted while waiting for its workload`);
      return this.result(r, e, resultOf(r));
    } catch (err) {
      const r = this.host.store.get<Release>('Release', ns, name);
      if (r) this.result(r, e, `failed: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Writes the result of history entry `e` (found by time and operation). */
  private result(r: Release, e: ReleaseHistoryEntry, result: string): Release {
    const status = r.status as ReleaseStatus;
    const history = (status.history ?? []).map((h) => (h.time === e.time && h.operation === e.operation && h.user === e.user ? { ...h, result } : h));
    return this.host.store.updateStatus<Release>('Release', r.metadata.namespace, r.metadata.name, { ...status, history }) ?? r;
  }

  get(ns: string, name: string): Release {
    const r = this.host.store.get<Release>('Release', ns, name);
    if (!r) throw notFound(`release ${name} not found in project ${ns}`);
    return r;
  }

  /**
   * A Release applied from a manifest (`graymesh apply -f`): a new one is created as `create`
   * does; a changed one has its spec (and labels, annotations) replaced, recorded in its history
   * as an `apply` operation with before and after, and returns once enforced.
   */
  async apply(r: Release, opts: OperationOptions): Promise<{ action: 'created' | 'configured' | 'unchanged'; release: Release }> {
    const ns = r.metadata.namespace as string;
    const name = r.metadata.name;
    const current = this.host.store.get<Release>('Release', ns, name);
    if (!current) return { action: 'created', release: await this.create(r, opts) };
    if (sameManifest(current, r)) return { action: 'unchanged', release: current };
    const spec = r.spec as ReleaseSpec;
    const service = (current.spec as ReleaseSpec).service;
    if (spec.service !== service) {
      throw invalid(`Release ${name}: spec.service: a release cannot move from service ${service} to ${spec.service}; delete it (graymesh release delete ${name} -p ${ns}) and create another`);
    }
    const meta = { ...(r.metadata.labels ? { labels: r.metadata.labels } : {}), ...(r.metadata.annotations ? { annotations: r.metadata.annotations } : {}) };
    const release = await this.operate(ns, name, 'apply', opts, (s) => replaceSpec(s, spec), meta);
    return { action: 'configured', release };
  }

  /** Changes the spec with `mutate`, records the operation, and returns once enforced. */
  async operate(
    ns: string,
    name: string,
    operation: string,
    opts: OperationOptions,
    mutate: (spec: ReleaseSpec, r: Release) => void,
    meta?: Pick<Release['metadata'], 'labels' | 'annotations'>,
  ): Promise<Release> {
    let e: ReleaseHistoryEntry | undefined;
    await this.locked(ns, name, async () => {
      const r = this.get(ns, name);
      refuseIfPending(r, operation);
      const spec = structuredClone(r.spec) as ReleaseSpec;
      const before = releaseSummary(r.spec as ReleaseSpec);
      mutate(spec, r);
      e = historyEntry(opts.user, operation, before, releaseSummary(spec));
      const next: Release = { ...r, spec: spec as Release['spec'] };
      if (meta) {
        const { labels: _l, annotations: _a, ...rest } = r.metadata;
        next.metadata = { ...rest, ...(meta.labels ? { labels: meta.labels } : {}), ...(meta.annotations ? { annotations: meta.annotations } : {}) };
      }
      const status = r.status as ReleaseStatus;
      next.status = { ...status, history: pushHistory(status.history, e) };
      delete next.metadata.resourceVersion;
      this.host.store.update(next, { withStatus: true });
    });
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

  /**
   * Takes the version no longer serving offline: route everything to the
   * survivor (acked), drop the other subset (acked), delete the other workload,
   * then the release; what remains is a plain route to the survivor.
   */
  async offline(ns: string, name: string, opts: OperationOptions): Promise<{ survivor: string; removed: string }> {
    return this.locked(ns, name, async () => {
      const r = this.get(ns, name);
      const spec = r.spec as ReleaseSpec;
      const prior = (r.status as ReleaseStatus | undefined)?.pending;
      if (prior?.operation === 'offline') {
        // Asked again after an interruption: finish what was begun.
        await this.finishOffline(r, prior);
        return { survivor: prior.survivor, removed: prior.removed as string };
      }
      refuseIfPending(r, 'offline');
      let survivor: string;
      if (spec.governor) survivor = spec.governor;
      else if (spec.type === 'mirror') survivor = spec.principal;
      else {
        throw invalid(
          `Release ${name}: offline needs one version serving all traffic; take over first (graymesh release takeover ${name} ${spec.newVersion.version} -p ${ns}) or roll back (graymesh release rollback ${name} -p ${ns})`,
        );
      }
      const removed = releaseVersions(r).find((v) => v !== survivor) as string;
      const w = this.workloadOf(ns, spec.service, survivor);
      if (!isReady(w)) {
        throw invalid(
          `Release ${name}: offline would leave ${survivor} serving alone, but its workload ${w?.metadata.name ?? `${spec.service}-${survivor}`} has ${w?.status?.readyReplicas ?? 0}/${w?.spec?.replicas ?? 1} ready replicas; wait until it is ready`,
        );
      }
      const pending: PendingOperation = { operation: 'offline', user: opts.user, survivor, removed };
      this.recordStatus(r, { pending, history: pushHistory((r.status as ReleaseStatus).history, historyEntry(opts.user, 'offline', releaseSummary(spec), { survivor, removed })) });
      await this.finishOffline(r, pending);
      return { survivor, removed };
    });
  }

  private async finishOffline(r: Release, p: PendingOperation): Promise<void> {
    const ns = r.metadata.namespace as string;
    const spec = r.spec as ReleaseSpec;
    const plain = compileSurvivor(ns, spec.service, p.survivor);
    this.host.log(`release ${ns}/${r.metadata.name}: offline by ${p.user}: ${p.survivor} takes all traffic, ${p.removed} goes`);
    // The route first: every proxy sends everything to the survivor...
    this.put(plain.virtualService);
    await this.host.settle();
    // ...then the removed version's subset goes...
    this.put(plain.destinationRule);
    await this.host.settle();
    // ...then its workload, whose pods leave every proxy's endpoints before they stop.
    if (p.removed) await this.removeWorkload(ns, spec.service, p.removed);
    this.release(ns, spec.service, p.survivor, r.metadata.name);
    this.host.store.delete('Release', ns, r.metadata.name);
    await this.host.settle();
  }

  /** The survivor's Deployment no longer names the finished release. */
  private release(ns: string, service: string, version: string, name: string): void {
    const d = this.workloadOf(ns, service, version);
    if (d?.metadata.labels?.[RELEASE_LABEL] !== name) return;
    const labels = { ...d.metadata.labels };
    delete labels[RELEASE_LABEL];
    this.host.store.update({ ...d, metadata: { ...d.metadata, labels, resourceVersion: undefined } });
  }

  /**
   * Abandons a release: the principal serves everything again (acked), the new
   * version's workload (when the release created it) is removed, then the rules:
   * deleted when only the principal is left, else a plain route to the principal.
   */
  async delete(ns: string, name: string, opts: OperationOptions): Promise<void> {
    await this.locked(ns, name, async () => {
      const r = this.get(ns, name);
      const status = r.status as ReleaseStatus;
      if (status.pending?.operation === 'delete') return this.finishDelete(r, status.pending);
      refuseIfPending(r, 'delete');
      const spec = r.spec as ReleaseSpec;
      const pending: PendingOperation = { operation: 'delete', user: opts.user, survivor: spec.principal };
      this.recordStatus(r, { pending, history: pushHistory(status.history, historyEntry(opts.user, 'delete', releaseSummary(spec), { survivor: spec.principal })) });
      await this.finishDelete(r, pending);
    });
  }

  private async finishDelete(r: Release, p: PendingOperation): Promise<void> {
    const { store } = this.host;
    const ns = r.metadata.namespace as string;
    const name = r.metadata.name;
    const spec = r.spec as ReleaseSpec;
    this.host.log(`release ${ns}/${name} deleted by ${p.user}: ${p.survivor} takes all traffic`);
    this.put(withStage(compileVirtualService(r, 'pin'), 'pin'));
    await this.host.settle();
    const created = this.workloadOf(ns, spec.service, spec.newVersion.version);
    if (created?.metadata.labels?.[RELEASE_LABEL] === name) await this.removeWorkload(ns, spec.service, spec.newVersion.version);
    if (this.versionsOf(ns, spec.service).some((v) => v !== p.survivor)) {
      // Other versions still run: without rules they would get traffic again, so a plain route keeps the principal alone.
      const plain = compileSurvivor(ns, spec.service, p.survivor);
      this.put(plain.virtualService);
      await this.host.settle();
      this.put(plain.destinationRule);
      store.delete('Release', ns, name);
    } else {
      store.transaction(() => {
        for (const kind of ['VirtualService', 'DestinationRule']) {
          const o = store.get(kind, ns, spec.service);
          if (o?.metadata.annotations?.[RELEASE_ANNOTATION] === name) store.delete(kind, ns, spec.service);
        }
        store.delete('Release', ns, name);
      });
    }
    await this.host.settle();
  }

  private async removeWorkload(ns: string, service: string, version: string): Promise<void> {
    const d = this.workloadOf(ns, service, version);
    if (d) this.host.store.delete('Deployment', ns, d.metadata.name);
    const name = d?.metadata.name ?? `${service}-${version}`;
    // The workload controller withdraws the pods from every proxy (acked) before stopping them.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && this.host.store.list('Pod', { namespace: ns, labels: { 'graymesh.dev/workload': name } }).length > 0) {
      await sleep(100);
    }
  }

  /** One reconcile pass; returns the release as it stands after it. */
  private async reconcile(ns: string, name: string): Promise<Release | undefined> {
    const { store } = this.host;
    const r = store.get<Release>('Release', ns, name);
    if (!r) return undefined;
    const pending = (r.status as ReleaseStatus | undefined)?.pending;
    if (pending) {
      // An offline or delete a previous control plane began: finish it.
      if (pending.operation === 'offline') await this.finishOffline(r, pending);
      else await this.finishDelete(r, pending);
      return undefined;
    }
    const spec = r.spec as ReleaseSpec;
    const policy = spec.policy ?? 'WaitForWorkloadReady';
    // Subsets first, acked by every proxy, so every route that names one finds it defined.
    this.put(compileDestinationRule(r));
    await this.host.settle();
    let workload = this.workloadOf(ns, spec.service, spec.newVersion.version);
    const current = store.get(VS, ns, spec.service);
    const rulesApplied = current?.metadata.annotations?.[RELEASE_ANNOTATION] === name && current.metadata.annotations?.[STAGE] === 'rules';
    // Once applied, the rules stay while a ready workload restarts (no flapping back to the principal).
    let stage: Stage = policy === 'Paused' || (policy === 'WaitForWorkloadReady' && !isReady(workload) && !rulesApplied) ? 'pin' : 'rules';
    if (!workload && stage === 'rules' && policy === 'WaitForWorkloadReady') stage = 'pin';
    this.put(withStage(compileVirtualService(r, stage), stage));
    const version = await this.host.settle();
    if (!workload) {
      workload = this.newWorkload(r);
      if (!workload) {
        this.recordStatus(r, { phase: 'Failed', message: `principal workload of ${spec.service} ${spec.principal} is gone` });
        return store.get<Release>('Release', ns, name);
      }
      store.create(workload);
    }
    let phase = 'Running';
    let message: string | undefined;
    if (policy === 'Paused') {
      phase = 'Paused';
      message = 'rules held: the principal serves all traffic; set the policy to apply them';
    } else if (stage === 'pin') {
      phase = 'Pending';
      message = `waiting for workload ${workload.metadata.name} to be ready`;
    }
    this.recordStatus(store.get<Release>('Release', ns, name) ?? r, {
      phase,
      message,
      configVersion: version,
      observedGeneration: r.metadata.generation ?? 1,
      stage,
    });
    const after = store.get<Release>('Release', ns, name);
    const last = (after?.status as ReleaseStatus | undefined)?.history?.at(-1);
    // An operation whose caller went away (a control plane killed mid-way) gets its result here.
    if (after && last && last.result === undefined && phase !== 'Pending') return this.result(after, last, resultOf(after));
    return after;
  }

  /** The new version's Deployment: the principal's, with the new version's labels, image and replicas. */
  private newWorkload(r: Release): Deployment | undefined {
    const ns = r.metadata.namespace as string;
    const spec = r.spec as ReleaseSpec;
    const principal = this.workloadOf(ns, spec.service, spec.principal);
    if (!principal) return undefined;
    const v = spec.newVersion.version;
    const d = structuredClone(principal);
    const relabel = (labels: Record<string, string> | undefined): Record<string, string> => ({ ...labels, version: v });
    const tplSpec = d.spec!.template.spec;
    const c = tplSpec.containers[0];
    if (c) c.image = spec.newVersion.image;
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: `${spec.service}-${v}`,
        namespace: ns,
        labels: { ...relabel(principal.metadata.labels), [RELEASE_LABEL]: r.metadata.name },
        ...(principal.metadata.annotations ? { annotations: principal.metadata.annotations } : {}),
      },
      spec: {
        ...d.spec!,
        replicas: spec.newVersion.replicas ?? principal.spec?.replicas ?? 1,
        selector: { matchLabels: relabel(d.spec!.selector?.matchLabels) },
        template: { ...d.spec!.template, metadata: { ...d.spec!.template.metadata, labels: relabel(d.spec!.template.metadata?.labels) } },
      },
    };
  }

  /**
   * Creates or replaces a managed Istio object when its content changed. The compiler's output
   * passes the same tenancy check as a user's apply (a release routes only its own service).
   */
  private put(obj: KubeObject): void {
    const { store } = this.host;
    const refused = checkIncoming(store, [obj]);
    if (refused.length > 0) throw invalid(refused[0] as string, refused);
    const cur = store.get(obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (!cur) {
      store.create(obj);
      return;
    }
    const same = JSON.stringify([cur.spec, cur.metadata.annotations, cur.metadata.labels]) === JSON.stringify([obj.spec, obj.metadata.annotations, obj.metadata.labels]);
    if (!same) store.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
  }

  private recordStatus(r: Release, patch: Partial<ReleaseStatus>): void {
    const { store } = this.host;
    const ns = r.metadata.namespace as string;
    const fresh = store.get<Release>('Release', ns, r.metadata.name);
    if (!fresh) return;
    const spec = fresh.spec as ReleaseSpec;
    const prior = fresh.status as ReleaseStatus;
    const stage = (patch.stage as Stage | undefined) ?? (prior.stage as Stage | undefined) ?? 'pin';
    const weights = effectiveWeights(fresh, stage);
    const versions = releaseVersions(fresh).map((v) => {
      const d = this.workloadOf(ns, spec.service, v);
      return {
        version: v,
        workload: d?.metadata.name ?? `${spec.service}-${v}`,
        weight: weights[v] ?? 0,
        replicas: d?.spec?.replicas ?? 0,
        readyReplicas: d?.status?.readyReplicas ?? 0,
      };
    });
    const status: ReleaseStatus = { ...prior, ...patch, versions };
    if (spec.governor) status.governor = spec.governor;
    else delete status.governor;
    if (status.message === undefined) delete status.message;
    store.updateStatus('Release', ns, r.metadata.name, status);
  }
}

const VS = 'VirtualService';
/** Annotation on a release's VirtualService telling which stage it enforces (pin or rules). */
const STAGE = 'graymesh.dev/stage';

function withStage(vs: KubeObject, stage: Stage): KubeObject {
  vs.metadata.annotations = { ...vs.metadata.annotations, [STAGE]: stage };
  return vs;
}

/** Whether an applied manifest asks for what the stored release already is (spec, labels, annotations). */
function sameManifest(a: Release, b: Release): boolean {
  const pick = (o: Release): string => JSON.stringify([o.metadata.labels ?? {}, o.metadata.annotations ?? {}, o.spec ?? null]);
  return pick(a) === pick(b);
}

/** Replaces `spec` in place by `next` (the manifest's whole spec: a field it leaves out is cleared, as `kubectl apply` of a full object does). */
function replaceSpec(spec: ReleaseSpec, next: ReleaseSpec): void {
  for (const k of Object.keys(spec)) delete (spec as unknown as Record<string, unknown>)[k];
  Object.assign(spec, structuredClone(next));
}

/** The labels a Deployment's pods carry (its own labels when the template has none). */
function podLabels(d: Deployment): Record<string, string> {
  return d.spec?.template?.metadata?.labels ?? d.metadata.labels ?? {};
}

/** A workload whose every replica is ready (and which has at least one). */
function isReady(d: Deployment | undefined): boolean {
  const replicas = d?.spec?.replicas ?? 1;
  return !!d && replicas > 0 && (d.status?.readyReplicas ?? 0) >= replicas;
}

/** Refuses an operation while an offline or delete is under way. */
function refuseIfPending(r: Release, operation: string): void {
  const p = (r.status as ReleaseStatus | undefined)?.pending;
  if (p) throw conflict(`Release ${r.metadata.name}: ${operation} refused: ${p.operation} is under way (asked by ${p.user}); wait for it to finish`);
}

/** How an operation ended, for its history entry. */
function resultOf(r: Release): string {
  const st = r.status as ReleaseStatus;
  const at = st.configVersion !== undefined ? ` at config version ${st.configVersion}` : '';
  if (st.phase === 'Running') return `enforced${at}`;
  if (st.phase === 'Paused') return `held${at}: the principal serves all traffic`;
  return `${st.phase.toLowerCase()}${st.message ? `: ${st.message}` : ''}`;
}
