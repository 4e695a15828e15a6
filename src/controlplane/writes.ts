/**
 * How the local engine writes for the shared object routes (src/apiserver/routes/objects.ts):
 * manifests validated, tenancy-checked and admitted first, then written in one SQLite
 * transaction (releases through their controller), and the new config enforced by every
 * proxy before the answer.
 */
import { forbidden } from '../api/errors.js';
import type { Release } from '../config/release/types.js';
import type { ObjectWrites, WriteContext } from '../apiserver/routes/objects.js';
import type { ProjectWrites } from '../apiserver/routes/project-writes.js';
import { inOrder } from '../apiserver/routes/object-writes.js';
import type { PrepareObjects } from '../apiserver/routes/releases.js';
import { admitObjects, applyObjects, deleteNamespaceContents, deleteObjects, prepare, type ApplyResult, type PrepareOptions } from './apply.js';
import type { ControlPlane } from './control-plane.js';
import { matchesLabels } from './store.js';

/** After a write: the new config, enforced by every proxy (bounded wait). */
export async function enforce(cp: ControlPlane): Promise<{ configVersion: number; warnings: string[] }> {
  const v = cp.syncConfig();
  try {
    await cp.distributor.waitFor(v, 5_000);
    return { configVersion: v, warnings: [] };
  } catch (err) {
    return { configVersion: v, warnings: [(err as Error).message] };
  }
}

/** The tenancy check as the caller may hear it: owners of hosts are named only when the caller sees their project. */
export function tenancyFor(ctx: Pick<WriteContext, 'canSee'>): PrepareOptions {
  return { tenancy: { canSee: ctx.canSee } };
}

/** The local engine's validation for the shared routes; they run the tenancy check themselves (src/engine/tenancy.ts). */
export function localPrepare(cp: ControlPlane): PrepareObjects {
  return async (docs, project, o) => prepare(cp.store, docs, project, { ...(o.onlyIn ? { onlyIn: o.onlyIn } : {}), tenancy: false });
}

export function localWrites(cp: ControlPlane): ObjectWrites {
  const { store } = cp;
  return {
    async apply({ objects, warnings }, body, ctx) {
      await admitObjects(objects, (o) => cp.admit(o));
      if (body.dryRun) return { results: objects.map((o) => ({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace, action: 'validated' })), warnings };
      // Releases go through their controller, which records who applied them in their history and
      // returns once their rules are enforced; everything else is written in one transaction first.
      const releases = objects.filter((o): o is Release => o.kind === 'Release');
      const written = applyObjects(store, objects.filter((o) => o.kind !== 'Release'));
      const released = await Promise.all(
        releases.map(async (r): Promise<ApplyResult> => {
          const { action } = await cp.releases.apply(r, { user: ctx.user });
          return { kind: r.kind, name: r.metadata.name, namespace: r.metadata.namespace as string, action };
        }),
      );
      const results = inOrder(objects, [...written, ...released]);
      const e = await enforce(cp);
      return { results, warnings: [...warnings, ...e.warnings], configVersion: e.configVersion };
    },

    async remove(kind, obj) {
      const project = obj.metadata.namespace as string;
      store.transaction(() => {
        if (kind.kind === 'Application') {
          // A composed app takes its components with it (KubeSphere's app deletion).
          const sel = (obj.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels;
          if (sel && Object.keys(sel).length > 0) {
            for (const k of ['Deployment', 'Service', 'ServiceAccount', 'VirtualService', 'DestinationRule']) {
              for (const o of store.list(k, { namespace: project })) {
                if (matchesLabels(o.metadata.labels, sel)) store.delete(k, project, o.metadata.name);
              }
            }
          }
        } else if (!kind.writable) {
          throw forbidden(`${kind.plural} are managed by graymesh; delete or scale their workload instead`);
        }
        store.delete(kind.kind, project, obj.metadata.name);
      });
      await enforce(cp);
    },

    async create(obj) {
      if (obj.kind === 'Gateway') await cp.admit(obj); // its ports (a Release is admitted by its route)
      const object = store.create(obj);
      return { object, ...(await enforce(cp)) };
    },

    async replace(obj) {
      if (obj.kind === 'Gateway') await cp.admit(obj); // its ports (a Release is admitted by its route)
      const object = store.update(obj);
      return { object, ...(await enforce(cp)) };
    },

    async removeObjects(objects) {
      // In one transaction; what went between the route's look and this is not an error.
      const results = deleteObjects(store, objects, true).map((r) => ({ ...r, action: 'deleted' as const }));
      return { results, ...(await enforce(cp)) };
    },
  };
}

/** Projects in the SQLite store; a deleted one takes its objects with it in one transaction. */
export function localProjectWrites(cp: ControlPlane): ProjectWrites {
  const { store } = cp;
  return {
    async create(ns) {
      return store.create(ns);
    },
    async update(ns) {
      const out = store.update(ns);
      await enforce(cp);
      return out;
    },
    async remove(name) {
      store.transaction(() => {
        deleteNamespaceContents(store, name);
        store.delete('Namespace', undefined, name);
      });
      await enforce(cp);
    },
  };
}
