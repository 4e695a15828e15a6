/**
 * The Release kind (graymesh.dev/v1alpha1), after KubeSphere's
 * servicemesh.kubesphere.io Strategy: a grayscale release job of one service,
 * from its principal (old) version to a new version, by canary, blue-green or
 * mirror, compiled to plain Istio VirtualService and DestinationRule objects.
 */
import type { KubeObject } from '../../api/objects.js';
import type { AnalysisStatus, ReleaseAnalysis, ReleaseCondition } from './analysis.js';

export type * from './analysis.js';

export const RELEASE_API_VERSION = 'graymesh.dev/v1alpha1';
/** Annotation naming the release that compiled an Istio object. */
export const RELEASE_ANNOTATION = 'graymesh.dev/release';
/** Annotation marking Istio objects graymesh manages (a release's, or the plain route it left behind). */
export const MANAGED_ANNOTATION = 'graymesh.dev/managed-by';
/** Label on a Deployment a release created (taken off the survivor when the release ends). */
export const RELEASE_LABEL = 'graymesh.dev/release';
/** Annotation on a release's VirtualService telling which stage it enforces (pin or rules). */
export const STAGE_ANNOTATION = 'graymesh.dev/stage';
/**
 * VirtualService annotation asking the data plane to keep each user on one version:
 * `cookie:NAME` or `header:NAME` (see src/dataplane/istio/sticky.ts). A graymesh extension:
 * Istio on Kubernetes ignores it, and there users are split per request.
 */
export const STICKY_ANNOTATION = 'graymesh.dev/sticky';

export type ReleaseType = 'canary' | 'bluegreen' | 'mirror';
export type ReleasePolicy = 'WaitForWorkloadReady' | 'Immediately' | 'Paused';
export type OperatingSystem = 'windows' | 'linux' | 'macos' | 'android' | 'ios';
export type Browser = 'chrome' | 'firefox' | 'safari' | 'edge';

/** A string condition: exact, or regex (RE2, full match). */
export interface ValueMatch {
  exact?: string;
  regex?: string;
}

/** Canary by request content: the new version serves requests matching all of these. */
export interface ContentMatch {
  /** A cookie `Key=Value` (exact) or a regex over `Key=Value`. */
  cookie?: ValueMatch;
  /** One header (any name but cookie and user-agent). */
  header?: { name: string } & ValueMatch;
  /** URI prefix or regex. */
  uri?: { prefix?: string; regex?: string };
  /** Client operating systems, read from the User-Agent. */
  os?: OperatingSystem[];
  /** Client browsers, read from the User-Agent. */
  browser?: Browser[];
}

export interface ReleaseSpec {
  type: ReleaseType;
  /** The service released, e.g. reviews. */
  service: string;
  /** The old version, serving before the release, e.g. v1. */
  principal: string;
  /** The new version's workload: `<service>-<version>`, image and replicas given, the rest copied from the principal's. */
  newVersion: { version: string; image: string; replicas?: number };
  /** The version taking all traffic (take over / roll back); empty: the rules apply. */
  governor?: string;
  policy?: ReleasePolicy;
  /** How traffic is split while no governor is set. */
  routes: {
    /** Canary by traffic ratio: percent per version, summing to 100. */
    weights?: Record<string, number>;
    /** Canary by request content. */
    match?: ContentMatch;
    /** Blue-green: the version serving 100%. */
    serve?: string;
    /** Mirror: percent of the principal's traffic copied to the new version (default 100). */
    mirrorPercent?: number;
  };
  /** Keep each user on one version across requests (graymesh extension). */
  sticky?: { cookie?: string; header?: string };
  /** Automatic progressive delivery: steps, metric checks, webhooks, automatic rollback (analysis.ts). */
  analysis?: ReleaseAnalysis;
}

export interface ReleaseVersionStatus {
  version: string;
  workload: string;
  /** Effective share of traffic, %. */
  weight: number;
  replicas: number;
  readyReplicas: number;
}

/** One operation on a release, kept in its status. */
export interface ReleaseHistoryEntry {
  /** When it was asked for (RFC 3339). */
  time: string;
  /** Who asked. */
  user: string;
  /** create, set-weights, takeover, restore, rollback, set-policy, offline or delete. */
  operation: string;
  /** The routing it changed, before. */
  before?: unknown;
  /** The routing it asked for. */
  after?: unknown;
  /** How it ended: enforced (with the config version), pending, or failed with the reason. */
  result?: string;
  /** For a step graymesh took by itself (user `graymesh`): the release's creator it acted for. */
  onBehalfOf?: string;
}

/** An operation begun and not yet finished; a restarted control plane finishes it. */
export interface PendingOperation {
  /** offline: the survivor takes over and the other version goes; delete: the principal takes over and the release goes. */
  operation: 'offline' | 'delete';
  /** Who asked. */
  user: string;
  /** The version left serving. */
  survivor: string;
  /** The version removed (offline only). */
  removed?: string;
}

export interface ReleaseStatus {
  /** Pending (waiting for the new workload), Paused, Running, Failed. */
  phase: string;
  message?: string;
  governor?: string;
  versions: ReleaseVersionStatus[];
  history: ReleaseHistoryEntry[];
  /** An offline or delete under way. */
  pending?: PendingOperation;
  /** The config version that enforces the current rules. */
  configVersion?: number;
  observedGeneration?: number;
  /** Where an automatic release stands: its step, its checks and webhook calls. */
  analysis?: AnalysisStatus;
  /** The latest condition of each type (Progressing, Promoted, RolledBack), with its message. */
  conditions?: ReleaseCondition[];
  [k: string]: unknown;
}

export type Release = KubeObject<ReleaseSpec & Record<string, unknown>, ReleaseStatus>;
