/**
 * The shapes the console reads from the REST API. Objects and releases are
 * the control plane's own types; telemetry shapes follow issue 5's contract.
 */
export type { Deployment, KubeObject, Namespace, Pod, Service } from '../../../src/api/objects';
export { GOVERNANCE_ANNOTATION } from '../../../src/api/objects';
export type {
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
  gateway: { url: string };
  configVersion: number;
}

/** POST /api/v1/login. */
export interface LoginAnswer {
  token: string;
  user: string | { name?: string; username?: string };
  expiresAt?: string;
}
