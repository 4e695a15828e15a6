/**
 * What the Kubernetes API is given by whoever wires it (the CLI's `up`): the shared API's
 * parts (accounts and audit, projects, the object store, the engine's validation and writes,
 * the release controller) and the engine's pod logs (its PodLogs port, src/engine/deployments.ts).
 * Revisions need no port: they are the engine's ReplicaSets in the object store, served as
 * objects.
 */
import type { AuthService } from '../apiserver/auth/auth-service.js';
import type { ProjectDirectory } from '../apiserver/projects.js';
import type { ObjectWrites } from '../apiserver/routes/objects.js';
import type { ProjectWrites } from '../apiserver/routes/project-writes.js';
import type { PrepareObjects } from '../apiserver/routes/releases.js';
import type { PodLogs } from '../engine/deployments.js';
import type { ReleaseController } from '../engine/releases/controller.js';
import type { ObjectStore } from '../engine/store.js';

export interface KubeApiDeps {
  auth: AuthService;
  projects: ProjectDirectory;
  store: ObjectStore;
  releases: ReleaseController;
  writes: ObjectWrites;
  /** The engine's validation; the tenancy check is added here, as the shared routes add it. */
  prepare: PrepareObjects;
  projectWrites: ProjectWrites;
  /** The engine's pod logs (`kubectl logs`); without it pods/log answers NotImplemented. */
  logs?: PodLogs;
  log(msg: string): void;
}
