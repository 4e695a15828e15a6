/**
 * The Kubernetes + Istio engine: the cluster's API server is the store, Istio the data plane.
 * graymesh applies the same objects there (validated by the same rules), runs releases with the
 * same compiler and order, and watches Releases and the Deployments they create to move a
 * release on when its new version becomes ready (or when a Release is applied with kubectl).
 */
import type { KubeObject } from '../api/objects.js';
import { invalid } from '../api/errors.js';
import { formatIssue, validateObject } from '../config/validate/index.js';
import type { ReleaseStatus } from '../config/release/types.js';
import { KubeClient } from './client.js';
import { IstiodConvergence, type Convergence, type IstiodOptions } from './convergence.js';
import { graymeshCrds } from '../config/export/crds.js';
import { EXPORT_ORDER, exportProject, INJECTION_LABEL, type ExportOptions, type ExportResult } from '../config/export/export.js';
import { Informer, type InformerEvent } from './informer.js';
import type { ClusterConnection } from './kubeconfig.js';
import { ClusterReleases } from './releases.js';
import { RESOURCES } from './resources.js';
import { RELEASE_LABEL } from './workloads.js';

export interface EngineOptions {
  log?: (msg: string) => void;
  /** How the engine waits after each make-before-break step; default istiod's sync status with a settle-time fallback. */
  convergence?: Convergence;
  istiod?: IstiodOptions;
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
  readonly releases: ClusterReleases;
  readonly convergence: Convergence;
  private readonly log: (msg: string) => void;
  private informers: Informer[] = [];

  constructor(conn: ClusterConnection | KubeClient, opts: EngineOptions = {}) {
    this.client = conn instanceof KubeClient ? conn : new KubeClient(conn);
    this.log = opts.log ?? (() => undefined);
    this.convergence = opts.convergence ?? new IstiodConvergence(this.client, { ...opts.istiod, log: this.log });
    this.releases = new ClusterReleases({ client: this.client, convergence: this.convergence, log: this.log });
  }

  /** Applies graymesh's CRDs and waits until the API server serves them (condition Established). */
  async installCrds(timeoutMs = 60_000): Promise<void> {
    for (const crd of graymeshCrds()) {
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
   * Applies manifests as `graymesh apply` does: all validated first (nothing written when one is
   * wrong), then server-side applied in dependency order. Namespaces get sidecar injection.
   */
  async applyObjects(docs: unknown[], defaultNamespace?: string): Promise<{ results: ClusterApplyResult[]; warnings: string[] }> {
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
      if (v.object) {
        delete v.object.status;
        objects.push(v.object);
      }
    }
    if (errors.length > 0) throw invalid(errors.length === 1 ? (errors[0] as string) : `${errors.length} problems, nothing applied: ${errors[0]}`, errors);
    objects.sort((a, b) => rank(a.kind) - rank(b.kind));
    const results: ClusterApplyResult[] = [];
    for (const o of objects) {
      if (o.kind === 'Namespace') o.metadata.labels = { ...o.metadata.labels, [INJECTION_LABEL]: 'enabled' };
      if (o.kind === 'Release') await this.releases.admit(o as never);
      const before = await this.client.get(o.kind, o.metadata.namespace, o.metadata.name);
      const after = await this.client.apply(o);
      const action = !before ? 'created' : before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'configured';
      results.push({ kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), action });
    }
    return { results, warnings };
  }

  /** A namespace of the cluster as manifests, as `graymesh export` gives a local project. */
  async exportNamespace(namespace: string, opts: ExportOptions = {}): Promise<ExportResult> {
    const ns = await this.client.get('Namespace', undefined, namespace);
    if (!ns) throw invalid(`namespace ${namespace} not found on the cluster`);
    const objects: KubeObject[] = [];
    for (const rt of RESOURCES) {
      if (!rt.namespaced || rt.kind === 'Pod') continue;
      try {
        objects.push(...(await this.client.list(rt.kind, namespace)).items);
      } catch (err) {
        // A kind whose CRD is not installed (Application without KubeSphere) has nothing to export.
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
    }
    // The cluster's own objects in every namespace: the root CA and the default account.
    const own = (o: KubeObject): boolean => o.kind === 'ServiceAccount' && o.metadata.name === 'default';
    return exportProject({ namespace: ns, objects: objects.filter((o) => !own(o)) }, opts);
  }

  /**
   * Watches Releases and the Deployments releases create; reconciles a release when its spec
   * changes (kubectl apply of a Release) or its new Deployment changes readiness.
   */
  async startController(namespace?: string): Promise<void> {
    const onRelease = (e: InformerEvent): void => {
      if (e.type === 'DELETED') return;
      const st = e.object.status as ReleaseStatus | undefined;
      if (st?.observedGeneration !== e.object.metadata.generation || st?.phase === 'Pending') this.enqueue(e.object.metadata.namespace as string, e.object.metadata.name);
    };
    const onDeployment = (e: InformerEvent): void => {
      const rel = e.object.metadata.labels?.[RELEASE_LABEL];
      if (rel) this.enqueue(e.object.metadata.namespace as string, rel);
    };
    const common = { timeoutSeconds: 300, log: this.log, ...(namespace ? { namespace } : {}) };
    this.informers = [
      new Informer(this.client, 'Release', common, onRelease),
      new Informer(this.client, 'Deployment', { ...common, labelSelector: RELEASE_LABEL }, onDeployment),
    ];
    await Promise.all(this.informers.map((i) => i.start()));
  }

  get informerStats(): Record<string, Informer['stats']> {
    return Object.fromEntries(this.informers.map((i) => [i.rt.plural, { ...i.stats }]));
  }

  private enqueue(ns: string, name: string): void {
    void this.releases.reconcileLocked(ns, name).catch((err: Error) => this.log(`release ${ns}/${name}: ${err.message}`));
  }

  async close(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.client.close();
  }
}
