/**
 * The Kubernetes + Istio engine: the cluster's API server is the store, Istio the data plane.
 * graymesh applies the same objects there (validated by the same rules) and runs releases with
 * the one release controller (src/engine/releases/), over the cluster's object store
 * (object-store.ts), istiod's sync status as the mesh (convergence.ts) and the deployment
 * controller's reading of a workload (workloads.ts). The controller watches Releases and
 * Deployments, so a release moves on when its new version becomes ready, or when a Release is
 * applied with kubectl.
 */
import type { KubeObject } from '../api/objects.js';
import { invalid } from '../api/errors.js';
import { formatIssue, validateObject } from '../config/validate/index.js';
import type { Release } from '../config/release/types.js';
import { ReleaseController } from '../engine/releases/controller.js';
import type { AnalysisMetrics } from '../engine/releases/analysis/metrics.js';
import { checkTenancyOn } from '../engine/tenancy.js';
import { KubeClient } from './client.js';
import { IstiodConvergence, type Convergence, type IstiodOptions } from './convergence.js';
import { accountCrds } from '../config/export/account-crds.js';
import { graymeshCrds } from '../config/export/crds.js';
import { EXPORT_ORDER, INJECTION_LABEL } from '../config/export/export.js';
import type { InformerStats } from './informer.js';
import type { ClusterConnection } from './kubeconfig.js';
import { KubeObjectStore } from './object-store.js';
import { RESOURCES } from './resources.js';
import { clusterWorkloads } from './workloads.js';
import { ClusterPodLogs } from './pod-logs.js';

export interface EngineOptions {
  log?: (msg: string) => void;
  /** How the engine waits after each make-before-break step; default istiod's sync status with a settle-time fallback. */
  convergence?: Convergence;
  istiod?: IstiodOptions;
  /** How often a release waiting for its workload is looked at again (ms; default 500). */
  pollMs?: number;
  /** Each version's traffic for automatic releases: the cluster's Prometheus, when the engine reads one. */
  metrics?: AnalysisMetrics;
}

export interface ClusterApplyResult {
  kind: string;
  name: string;
  namespace?: string;
  action: 'created' | 'configured' | 'unchanged';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const rank = (kind: string): number => {
  const i = EXPORT_ORDER.indexOf(kind);
  return i < 0 ? EXPORT_ORDER.length : i;
};

export class KubernetesEngine {
  readonly client: KubeClient;
  readonly store: KubeObjectStore;
  readonly releases: ReleaseController;
  readonly convergence: Convergence;
  /** Pods' logs from the kubelet, through the API server (the PodLogs port). */
  readonly podLogs: ClusterPodLogs;

  constructor(conn: ClusterConnection | KubeClient, opts: EngineOptions = {}) {
    this.client = conn instanceof KubeClient ? conn : new KubeClient(conn);
    const log = opts.log ?? (() => undefined);
    this.store = new KubeObjectStore(this.client, { log });
    this.podLogs = new ClusterPodLogs(this.client);
    this.convergence = opts.convergence ?? new IstiodConvergence(this.client, { ...opts.istiod, log });
    this.releases = new ReleaseController({
      store: this.store,
      mesh: this.convergence,
      workloads: clusterWorkloads,
      log,
      pollMs: opts.pollMs ?? 500,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      // The compiler's output passes the same tenancy check as a user's apply.
      checkRule: (obj) => checkTenancyOn(this.store, [obj]),
    });
  }

  /** Applies graymesh's CRDs (its kinds' and its accounts') and waits until the API server serves them (condition Established). */
  async installCrds(timeoutMs = 60_000): Promise<void> {
    for (const crd of [...graymeshCrds(), ...accountCrds()]) {
      await this.client.apply(crd);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const cur = await this.client.get('CustomResourceDefinition', undefined, crd.metadata.name);
        const conds = ((cur?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
        if (conds.some((c) => c.type === 'Established' && c.status === 'True')) break;
        if (Date.now() > deadline) throw invalid(`CustomResourceDefinition ${crd.metadata.name} not established within ${timeoutMs} ms`);
        await sleep(250);
      }
    }
  }

  /**
   * Validates manifests as `graymesh apply` does, each namespaced one given `defaultNamespace`
   * when it names none; with `onlyIn`, every namespaced one must be in that namespace. Throws
   * one GmError listing every problem.
   */
  prepareObjects(docs: unknown[], defaultNamespace?: string, onlyIn?: string): { objects: KubeObject[]; warnings: string[] } {
    const errors: string[] = [];
    const warnings: string[] = [];
    const objects: KubeObject[] = [];
    for (const doc of docs) {
      const raw = structuredClone(doc) as KubeObject;
      const rt = RESOURCES.find((r) => r.kind === raw?.kind);
      if (rt?.namespaced && raw.metadata && !raw.metadata.namespace && defaultNamespace) raw.metadata.namespace = defaultNamespace;
      const v = validateObject(raw);
      errors.push(...v.errors.map(formatIssue));
      warnings.push(...v.warnings.map(formatIssue));
      if (!v.object) continue;
      delete v.object.status;
      if (rt?.namespaced && onlyIn !== undefined && v.object.metadata.namespace !== onlyIn) {
        errors.push(`${v.object.kind} ${v.object.metadata.name}: metadata.namespace: "${v.object.metadata.namespace}" is not project ${onlyIn}, where it was sent; remove the field, or send it to that project`);
      }
      objects.push(v.object);
    }
    if (errors.length > 0) throw invalid(errors.length === 1 ? (errors[0] as string) : `${errors.length} problems, nothing applied: ${errors[0]}`, errors);
    return { objects, warnings };
  }

  /**
   * Applies manifests as `graymesh apply` does: all validated first (nothing written when one is
   * wrong), then server-side applied in dependency order, each Release admitted before it is
   * written. Namespaces get sidecar injection.
   */
  async applyObjects(docs: unknown[], defaultNamespace?: string): Promise<{ results: ClusterApplyResult[]; warnings: string[] }> {
    const prepared = this.prepareObjects(docs, defaultNamespace);
    await checkTenancyOn(this.store, prepared.objects);
    return this.applyPrepared(prepared);
  }

  /** Applies validated, tenancy-checked objects in dependency order, each Release admitted before it is written. */
  async applyPrepared({ objects: given, warnings }: { objects: KubeObject[]; warnings: string[] }): Promise<{ results: ClusterApplyResult[]; warnings: string[] }> {
    const objects = [...given];
    objects.sort((a, b) => rank(a.kind) - rank(b.kind));
    const results: ClusterApplyResult[] = [];
    for (const o of objects) {
      if (o.kind === 'Namespace') o.metadata.labels = { ...o.metadata.labels, [INJECTION_LABEL]: 'enabled' };
      // Admitted once what it names (its principal's workload, earlier in the order) is applied.
      if (o.kind === 'Release') await this.releases.admit(o as Release);
      const before = await this.client.get(o.kind, o.metadata.namespace, o.metadata.name);
      const after = await this.client.apply(o);
      const action = !before ? 'created' : before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'configured';
      results.push({ kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), action });
    }
    return { results, warnings };
  }

  /** What a user wrote in a namespace: every kind graymesh knows but pods and ReplicaSets, without the cluster's own objects. */
  async namespaceObjects(namespace: string): Promise<KubeObject[]> {
    const objects: KubeObject[] = [];
    for (const rt of RESOURCES) {
      if (!rt.namespaced || rt.kind === 'Pod' || rt.kind === 'ReplicaSet') continue;
      try {
        objects.push(...(await this.client.list(rt.kind, namespace)).items);
      } catch (err) {
        // A kind whose CRD is not installed (Application without KubeSphere) has nothing to export.
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
    }
    // The cluster's own objects in every namespace: the root CA and the default account.
    const own = (o: KubeObject): boolean => o.kind === 'ServiceAccount' && o.metadata.name === 'default';
    return objects.filter((o) => !own(o));
  }

  /** Starts the release controller: it watches Releases and Deployments, and finishes what a previous one began. */
  async startController(namespace?: string): Promise<void> {
    await this.releases.start(namespace);
    await this.releases.resume();
  }

  get informerStats(): Record<string, InformerStats> {
    return this.store.informerStats;
  }

  async close(): Promise<void> {
    await this.releases.close();
    await this.client.close();
  }
}
