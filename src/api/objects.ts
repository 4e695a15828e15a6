/**
 * Kubernetes-shaped objects: everything a user creates in graymesh has
 * apiVersion, kind, metadata, spec and status, so manifests written for a
 * cluster apply here as they are.
 */

/** Object metadata, after Kubernetes' ObjectMeta. */
export interface ObjectMeta {
  /** DNS-1123 name, unique per kind within a namespace. */
  name: string;
  /** The project (namespace) the object lives in; absent for cluster-scoped kinds. */
  namespace?: string;
  /** Labels; `app` and `version` select workloads. */
  labels?: Record<string, string>;
  /** Free-form annotations. */
  annotations?: Record<string, string>;
  /** Opaque version of this object, bumped on every write; stale writes get 409. */
  resourceVersion?: string;
  /** Bumped when the spec changes. */
  generation?: number;
  /** RFC 3339 creation time. */
  creationTimestamp?: string;
  /** Stable identity of this object. */
  uid?: string;
  /** Objects this one belongs to; deleting the owner deletes it. */
  ownerReferences?: OwnerReference[];
  /** RFC 3339: set when the object is being removed (a pod draining before its process stops). */
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
}

/** A reference to an owning object, after Kubernetes' OwnerReference. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any stored object. */
export interface KubeObject<Spec = Record<string, unknown>, Status = Record<string, unknown>> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
  [extra: string]: unknown;
}

/** A container of a Deployment's pod template. */
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  imagePullPolicy?: string;
  resources?: Record<string, unknown>;
}

/** A readiness or liveness probe; HTTP GET or TCP socket. */
export interface Probe {
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: { containers: Container[]; serviceAccountName?: string; [k: string]: unknown };
  };
  [k: string]: unknown;
}

export interface DeploymentStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  observedGeneration?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  [k: string]: unknown;
}

/** Available or Progressing, as Kubernetes' deployment controller writes them. */
export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export type Deployment = KubeObject<DeploymentSpec, DeploymentStatus>;

export interface ReplicaSetSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: DeploymentSpec['template'];
  [k: string]: unknown;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  [k: string]: unknown;
}

/** One revision of a Deployment's pod template, with the pods running it (apps/v1 ReplicaSet). */
export type ReplicaSet = KubeObject<ReplicaSetSpec, ReplicaSetStatus>;

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  /** The application protocol (`grpc`, `http2`, `kubernetes.io/h2c`, ...): Istio's protocol selection reads it first. */
  appProtocol?: string;
}

export interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePort[];
  type?: string;
  [k: string]: unknown;
}

export type Service = KubeObject<ServiceSpec>;

export interface PodStatus {
  /** Pending, Running, Succeeded, Failed. */
  phase: string;
  /** OS process id of the running instance. */
  pid?: number;
  /** The port the instance listens on. */
  port?: number;
  /** The port of the outbound listener its HTTP_PROXY points at. */
  proxyPort?: number;
  podIP?: string;
  podIPs?: { ip: string }[];
  hostIP?: string;
  hostIPs?: { ip: string }[];
  startTime?: string;
  /** PodScheduled, Initialized, ContainersReady, Ready: as a kubelet reports them. */
  conditions?: { type: string; status: 'True' | 'False'; lastTransitionTime?: string; reason?: string; message?: string }[];
  message?: string;
  containerStatuses?: {
    name: string;
    image: string;
    imageID?: string;
    containerID?: string;
    ready: boolean;
    restartCount: number;
    started?: boolean;
    state?: Record<string, unknown>;
    lastState?: Record<string, unknown>;
  }[];
  [k: string]: unknown;
}

export type Pod = KubeObject<Record<string, unknown>, PodStatus>;

export interface NamespaceSpec {
  [k: string]: unknown;
}

export type Namespace = KubeObject<NamespaceSpec>;

/** Annotation on a project: application governance (tracing at the gateway). */
export const GOVERNANCE_ANNOTATION = 'graymesh.dev/governance';

/**
 * Annotation on a project: its outbound traffic policy, `REGISTRY_ONLY` or `ALLOW_ANY` (absent:
 * ALLOW_ANY, as Istio's meshConfig.outboundTrafficPolicy), for calls its workloads make to
 * hosts outside the mesh (`graymesh project set P --outbound-policy REGISTRY_ONLY`).
 */
export const OUTBOUND_POLICY_ANNOTATION = 'graymesh.dev/outbound-traffic-policy';

/** Istio's outbound traffic policy modes. */
export const OUTBOUND_POLICIES = ['ALLOW_ANY', 'REGISTRY_ONLY'] as const;
export type OutboundPolicy = (typeof OUTBOUND_POLICIES)[number];

/** A project's outbound policy, from its annotation; anything else than REGISTRY_ONLY is ALLOW_ANY. */
export function outboundPolicyOf(ns: Namespace): OutboundPolicy {
  return ns.metadata.annotations?.[OUTBOUND_POLICY_ANNOTATION] === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY';
}

/**
 * Annotation on a project: the projects (comma-separated) whose traffic rules may name this
 * project's hosts and route to its services (`graymesh project set P --allow-routes-from X`).
 */
export const ALLOW_ROUTES_ANNOTATION = 'graymesh.dev/allow-routes-from';

/** The projects an ALLOW_ROUTES_ANNOTATION value lists: trimmed, lowercase, without empty entries. */
export function parseProjectList(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== ''))];
}

/** A Namespace letting exactly `projects` in (the annotation removed when none). */
export function withAllowRoutesFrom(ns: Namespace, projects: readonly string[]): Namespace {
  const { [ALLOW_ROUTES_ANNOTATION]: _old, ...rest } = ns.metadata.annotations ?? {};
  const annotations = projects.length > 0 ? { ...rest, [ALLOW_ROUTES_ANNOTATION]: projects.join(',') } : rest;
  return { ...ns, metadata: { ...ns.metadata, annotations } };
}
