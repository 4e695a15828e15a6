/**
 * The shapes the console reads from the REST API. Objects and releases are
 * the control plane's own types; telemetry shapes follow issue 5's contract.
 */
export type { Deployment, KubeObject, Namespace, Pod, Service } from '../../../src/api/objects';
export { GOVERNANCE_ANNOTATION, OUTBOUND_POLICY_ANNOTATION } from '../../../src/api/objects';
export type {
  AnalysisCheck,
  AnalysisStatus,
  ReleaseAnalysis,
  WebhookCall,
  Browser,
  ContentMatch,
  OperatingSystem,
  Release,
  ReleaseHistoryEntry,
  ReleasePolicy,
  ReleaseSpec,
  ReleaseType,
  ReleaseVersionStatus,
} from '../../../src/config/release/types';

/** A list answer: `{"items": [...]}`. */
export interface List<T> {
  items: T[];
}

export type Health = 'healthy' | 'degraded' | 'failure' | 'idle';

/** A node of the traffic graph (Kiali's versioned-app graph). */
export interface GraphNode {
  /** Stable id, e.g. `workload:reviews-v1`. */
  id: string;
  kind: 'gateway' | 'workload' | 'service';
  /** The app (component) the node belongs to; nodes are grouped by it. */
  app?: string;
  version?: string;
  workload?: string;
  /** Requests per second into the node. */
  rps: number;
  /** Non-5xx share, %. */
  successRate?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  health: Health;
}

/** An edge of the traffic graph. */
export interface GraphEdge {
  source: string;
  target: string;
  rps: number;
  successRate?: number;
  /** Share of the source's outgoing requests, %. */
  share?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  health: Health;
  /** `tcp` for a byte-stream edge, measured in bytesPerSecond (rps 0). */
  protocol?: 'tcp';
  bytesPerSecond?: number;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** One point of a metrics series. */
export interface MetricPoint {
  /** Epoch milliseconds (or an ISO string). */
  t: number | string;
  rps: number | null;
  successRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface MetricSeries {
  points: MetricPoint[];
}

/** A trace search result. */
export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  /** Start time (epoch ms or ISO string). */
  start: number | string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  /** Spans per service. */
  services: Record<string, number>;
}

/** One span of a trace. */
export interface Span {
  spanId: string;
  parentSpanId?: string | null;
  service: string;
  operation: string;
  kind?: string;
  start: number | string;
  durationMs: number;
  tags?: Record<string, string | number | boolean>;
  process?: { pod?: string; pid?: number; node?: string; workload?: string; version?: string };
}

export interface Trace {
  traceId: string;
  spans: Span[];
}

/** GET /api/v1/status. */
export interface InstanceStatus {
  controlPlane: { url: string; healthy: boolean; pid: number };
  gateway: { url: string; tlsUrl?: string };
  configVersion: number;
}

/** POST /api/v1/login. */
export interface LoginAnswer {
  token: string;
  user: string | { name?: string; username?: string };
  expiresAt?: string;
}

export { PROJECT_ROLES, WORKSPACE_LABEL, WORKSPACE_ROLES } from '../../../src/api/roles';
export type { ProjectRole, WorkspaceRole } from '../../../src/api/roles';

/** One role the caller holds (GET /api/v1/me `roles`). */
export interface RoleBinding {
  scope: 'platform' | 'workspace' | 'project';
  role: string;
  /** The workspace, for a workspace role. */
  workspace?: string;
  /** The project, for a project role. */
  project?: string;
}

/** GET /api/v1/me: the caller, their roles and the workspaces they may see. */
export interface Me {
  user: { name: string; kind: 'instance' | 'user' | 'token'; platformRole: string };
  /** When the session ends (RFC 3339). */
  expiresAt?: string;
  roles: RoleBinding[];
  /** Names of the workspaces the caller may see. */
  workspaces: string[];
}

/** A member of a project or workspace. */
export interface Member {
  user: string;
  role: string;
  /** RFC 3339. */
  createdAt: string;
}

/** GET /api/v1/users: an account and where it holds roles. */
export interface UserAccount {
  name: string;
  platformRole: string;
  /** RFC 3339. */
  createdAt: string;
  workspaces: { workspace: string; role: string }[];
  projects: { project: string; role: string }[];
}

/** GET /api/v1/workspaces/:workspace. */
export interface WorkspaceInfo {
  name: string;
  createdBy: string;
  /** RFC 3339. */
  createdAt: string;
  /** The projects of the workspace the caller may see. */
  projects: string[];
}

/** GET /api/v1/audit: one write request (see src/apiserver/auth/audit-log.ts). */
export interface AuditEntry {
  id: number;
  /** RFC 3339. */
  time: string;
  /** The account, `token:<id>` for a scoped token, `-` when unauthenticated. */
  user: string;
  method: string;
  /** The request path, without the query. */
  path: string;
  project?: string;
  workspace?: string;
  /** Objects a manifest apply or delete named (`Kind/namespace/name`, comma-separated). */
  objects?: string;
  status: number;
  result: 'allowed' | 'refused' | 'failed';
  /** The error message of a refusal or failure. */
  message?: string;
}
