/**
 * What the shared route plugins (src/apiserver/routes/) get of the Kubernetes engine: its
 * validation, how it writes (server-side apply, admission of Releases before they are
 * written), and its status. The cluster identity graymesh runs with is used by the engine's
 * client and object store only; who may do what is decided by graymesh's accounts first.
 */
import { invalid } from '../api/errors.js';
import type { ObjectWrites } from '../apiserver/routes/objects.js';
import type { PrepareObjects } from '../apiserver/routes/releases.js';
import type { ProjectCache } from '../apiserver/projects.js';
import type { Namespace } from '../api/objects.js';
import type { KubernetesEngine } from './engine.js';

export function clusterPrepare(engine: KubernetesEngine): PrepareObjects {
  return async (docs, project, o) => engine.prepareObjects(docs, project, o.onlyIn);
}

export function clusterWrites(engine: KubernetesEngine, projects: ProjectCache): ObjectWrites {
  return {
    async apply(body) {
      if (body.dryRun) throw invalid('--dry-run is not offered by the kubernetes engine; use kubectl apply --dry-run=server');
      const out = await engine.applyObjects(body.objects, body.project);
      // A project applied here is known to the access checks at once, not only when its watch event lands.
      for (const r of out.results) {
        if (r.kind !== 'Namespace') continue;
        const ns = await engine.store.get<Namespace>('Namespace', undefined, r.name);
        if (ns) projects.remember(ns);
      }
      return { ...out, configVersion: 0 };
    },
    async remove(kind, obj) {
      await engine.store.delete(kind.kind, obj.metadata.namespace, obj.metadata.name);
    },
  };
}
