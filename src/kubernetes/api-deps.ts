/**
 * What the shared route plugins (src/apiserver/routes/) get of the Kubernetes engine: its
 * validation, how it writes (server-side apply, admission of Releases before they are
 * written; create, replace with the object's resourceVersion, delete), and its status. The
 * cluster identity graymesh runs with is used by the engine's client and object store only;
 * who may do what is decided by graymesh's accounts first.
 */
import { invalid } from '../api/errors.js';
import type { DeleteResult, ObjectWrites } from '../apiserver/routes/objects.js';
import type { ProjectWrites } from '../apiserver/routes/project-writes.js';
import type { PrepareObjects } from '../apiserver/routes/releases.js';
import type { ProjectCache } from '../apiserver/projects.js';
import type { KubeObject, Namespace } from '../api/objects.js';
import { EXPORT_ORDER, INJECTION_LABEL } from '../config/export/export.js';
import { withoutAllows } from '../config/tenancy/facts.js';
import type { KubernetesEngine } from './engine.js';

/** On a cluster every write is the API server's own: nothing waits on proxies, no config version. */
const SETTLED = { configVersion: 0, warnings: [] as string[] };

const rank = (kind: string): number => {
  const i = EXPORT_ORDER.indexOf(kind);
  return i < 0 ? EXPORT_ORDER.length : i;
};

export function clusterPrepare(engine: KubernetesEngine): PrepareObjects {
  return async (docs, project, o) => engine.prepareObjects(docs, project, o.onlyIn);
}

export function clusterWrites(engine: KubernetesEngine, projects: ProjectCache): ObjectWrites {
  const { store } = engine;

  /** Deletes in reverse dependency order (what names another first; a Namespace last, its contents with it). */
  const removeObjects = async (objects: KubeObject[]): Promise<{ results: DeleteResult[] } & typeof SETTLED> => {
    const results: DeleteResult[] = [];
    for (const o of [...objects].sort((a, b) => rank(b.kind) - rank(a.kind))) {
      const ns = o.metadata.namespace;
      await store.delete(o.kind, ns, o.metadata.name);
      if (o.kind === 'Namespace') projects.forget(o.metadata.name);
      results.push({ kind: o.kind, name: o.metadata.name, ...(ns ? { namespace: ns } : {}), action: 'deleted' });
    }
    return { results, ...SETTLED };
  };

  return {
    async apply(prepared, body) {
      if (body.dryRun) throw invalid('--dry-run is not offered by the kubernetes engine; use kubectl apply --dry-run=server');
      const out = await engine.applyPrepared(prepared);
      // A project applied here is known to the access checks at once, not only when its watch event lands.
      for (const r of out.results) {
        if (r.kind !== 'Namespace') continue;
        const ns = await store.get<Namespace>('Namespace', undefined, r.name);
        if (ns) projects.remember(ns);
      }
      return { ...out, configVersion: 0 };
    },
    async remove(kind, obj) {
      await store.delete(kind.kind, obj.metadata.namespace, obj.metadata.name);
    },
    async create(obj) {
      return { object: await store.create(obj), ...SETTLED };
    },
    async replace(obj) {
      return { object: await store.update(obj), ...SETTLED };
    },
    removeObjects,
  };
}

/**
 * Projects as the cluster's Namespaces with sidecar injection, known to the access checks at
 * once (before their watch event lands). A deleted Namespace takes its objects with it.
 */
export function clusterProjectWrites(engine: KubernetesEngine, projects: ProjectCache): ProjectWrites {
  const { store } = engine;
  return {
    async create(ns) {
      const created = await store.create<Namespace>({ ...ns, metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, [INJECTION_LABEL]: 'enabled' } } });
      projects.remember(created);
      return created;
    },
    async update(ns) {
      const updated = await store.update(ns);
      projects.remember(updated);
      return updated;
    },
    async remove(name) {
      await store.delete('Namespace', undefined, name);
      projects.forget(name);
      // A project created again under the name is trusted by nobody.
      for (const ns of withoutAllows(projects.list(), name)) projects.remember(await store.update(ns));
    },
  };
}
