/**
 * The proxy's cumulative request statistics, as the control plane reads them
 * from each proxy's admin endpoint `/stats/json` (and as `/stats/prometheus`
 * prints them): one series per distinct set of Istio's standard labels.
 */

/** Istio's default buckets for istio_request_duration_milliseconds. */
export const ISTIO_DURATION_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

/** Istio's byte-size buckets for istio_request_bytes / istio_response_bytes (exponential from 1). */
export const ISTIO_SIZE_BUCKETS = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000];

/** Istio's standard metric labels, in its order. */
export const ISTIO_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const;

export type IstioLabel = (typeof ISTIO_LABELS)[number];

/** One series: cumulative since the proxy started. */
export interface StatSeries {
  labels: Partial<Record<IstioLabel, string>>;
  /** istio_requests_total. */
  requests: number;
  /** Cumulative counts per ISTIO_DURATION_BUCKETS_MS bucket, then +Inf (length buckets + 1). */
  durationBuckets: number[];
  /** Sum of durations, ms. */
  durationSum: number;
  /** Sum of istio_request_bytes (request body bytes), over every request of the series. */
  requestBytesSum: number;
  /** Sum of istio_response_bytes (response body bytes). */
  responseBytesSum: number;
  /**
   * Cumulative counts per ISTIO_SIZE_BUCKETS bucket of request bytes, then +Inf
   * (length buckets + 1). Optional so older proxies' snapshots still parse; the
   * graymesh proxy always fills it.
   */
  requestBytesBuckets?: number[];
  /** Cumulative counts per ISTIO_SIZE_BUCKETS bucket of response bytes, then +Inf. */
  responseBytesBuckets?: number[];
  /**
   * istio_request_messages_total and istio_response_messages_total: gRPC
   * messages from the client and to it, on gRPC series (request_protocol
   * "grpc") only; absent elsewhere and from older proxies.
   */
  requestMessages?: number;
  responseMessages?: number;
}

/**
 * Istio's TCP metrics of one label set (`request_protocol="tcp"`, no response
 * code): byte streams (WebSocket, CONNECT tunnels, TCP services), cumulative since start.
 */
export interface TcpStatSeries {
  labels: Partial<Record<IstioLabel, string>>;
  /** istio_tcp_sent_bytes_total: bytes from the upstream to the client. */
  sentBytes: number;
  /** istio_tcp_received_bytes_total: bytes from the client to the upstream. */
  receivedBytes: number;
  /** istio_tcp_connections_opened_total. */
  connectionsOpened: number;
  /** istio_tcp_connections_closed_total. */
  connectionsClosed: number;
}

/** The proxy's span export counters, cumulative since start. */
export interface TracingStats {
  /** Spans accepted by the collector. */
  exported: number;
  /** Spans dropped because the queue was full (the oldest go first) or a batch failed. */
  dropped: number;
  /** Export requests that failed (network error or non-2xx answer). */
  failedExports: number;
  /** Spans waiting in the queue now. */
  queued: number;
}

/** What `/stats/json` answers. */
export interface StatsSnapshot {
  /** When the proxy took it (epoch ms). */
  timeMs: number;
  /** The proxy's start time (epoch ms): a change means counters restarted from zero. */
  startMs: number;
  series: StatSeries[];
  /** TCP series (byte streams), when there were any. */
  tcp?: TcpStatSeries[];
  /** The proxy's name (GRAYMESH_PROXY_NAME), when it reports one. */
  proxy?: string;
  /** Span export counters, when the proxy exports spans. */
  tracing?: TracingStats;
}
