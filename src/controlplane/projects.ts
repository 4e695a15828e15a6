/** The local engine's projects for the API's access decisions: the Namespaces of its SQLite store, read as they are. */
import type { Namespace } from '../api/objects.js';
import type { ProjectDirectory } from '../apiserver/projects.js';
import type { Store } from './store.js';

export function storeProjects(store: Store): ProjectDirectory {
  return {
    get: (name) => store.get<Namespace>('Namespace', undefined, name),
    list: () => store.list<Namespace>('Namespace'),
    onDeleted: (listener) =>
      store.watch((e) => {
        if (e.type === 'DELETED' && e.object.kind === 'Namespace') listener(e.object.metadata.name);
      }),
  };
}
