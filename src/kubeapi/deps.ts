/**
 * What the Kubernetes API is given by whoever wires it (the CLI's `up`): the shared API's
 * parts (accounts and audit, projects, the object store, the engine's validation and writes,
 * the release controller) and the ports this layer defines for what an engine offers beyond
 * objects: pod logs, and the revisions `kubectl rollout undo` reads.
 */
import type { KubeObject } from '../api/objects.js';
import type { AuthService } from '../apiserver/auth/auth-service.js';
import type { ProjectDirectory } from '../apiserver/projects.js';
import type { ObjectWrites } from '../apiserver/routes/objects.js';
import type { ProjectWrites } from '../apiserver/routes/project-writes.js';
import type { PrepareObjects } from '../apiserver/routes/releases.js';
import type { ReleaseController } from '../engine/releases/controller.js';
import type { ObjectStore } from '../engine/store.js';

export interface LogOptions {
  /** Only the last N lines (all when undefined). */
  tailLines?: number;
  /** Keep the stream open and send what the pod writes next. */
  follow: boolean;
  /** Ends the stream (the client went away). */
  signal: AbortSignal;
}

/** A pod's output, as `kubectl logs` reads it (the engine's port; follow may be unsupported). */
export interface PodLogs {
  /** Chunks of the pod's output; with follow, until the signal aborts or the pod goes. 404 when there is no such pod. */
  read(namespace: string, pod: string, opts: LogOptions): AsyncIterable<string>;
}

/**
 * A Deployment's revisions, as ReplicaSets (`kubectl rollout history` and `undo` list them):
 * each with the `deployment.kubernetes.io/revision` annotation, its pod template, and an owner
 * reference to the Deployment. The engine's port.
 */
export interface RevisionHistory {
  replicaSets(namespace: string): Promise<KubeObject[]>;
}

export interface KubeApiDeps {
  auth: AuthService;
  projects: ProjectDirectory;
  store: ObjectStore;
  releases: ReleaseController;
  writes: ObjectWrites;
  /** The engine's validation; the tenancy check is added here, as the shared routes add it. */
  prepare: PrepareObjects;
  projectWrites: ProjectWrites;
  logs?: PodLogs;
  revisions?: RevisionHistory;
  log(msg: string): void;
}
