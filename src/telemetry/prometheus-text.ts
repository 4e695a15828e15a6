/**
 * Istio's standard metrics in the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): HELP and TYPE
 * once per family, histograms as cumulative `_bucket{le}` series then `_sum`
 * and `_count`, label values escaped (`\\`, `"`, newline).
 *
 * The proxy prints its own series at `/stats/prometheus`; the control plane can
 * print the sum over every proxy at `/metrics` with the same function. Note
 * that `promtool check metrics` lints `istio_request_duration_milliseconds`
 * ("use base unit seconds"): the name is Istio's and Kiali's dashboards query
 * it, so it stays.
 */
import { ISTIO_DURATION_BUCKETS_MS, ISTIO_LABELS, ISTIO_SIZE_BUCKETS, type StatSeries, type TcpStatSeries, type TracingStats } from './stats.js';

/** The content type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** Escapes HELP text: backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** `a="1",b="2"` for a series' labels, in Istio's order (without braces). */
export function labelPairs(labels: StatSeries['labels']): string {
  let out = '';
  for (const name of ISTIO_LABELS) {
    const v = labels[name];
    if (v === undefined) continue;
    out += `${out ? ',' : ''}${name}="${escapeLabelValue(v)}"`;
  }
  return out;
}

/** A sample value as the format spells it (Go's float formatting: +Inf, -Inf, NaN). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const HELP = {
  istio_requests_total: 'Total number of requests handled by the proxy, by Istio standard labels.',
  istio_request_duration_milliseconds: 'Duration of requests from first byte received to last byte sent, in milliseconds.',
  istio_request_bytes: 'Size of request bodies, in bytes.',
  istio_response_bytes: 'Size of response bodies, in bytes.',
  istio_request_messages_total: 'gRPC messages received from the client, by Istio standard labels.',
  istio_response_messages_total: 'gRPC messages sent to the client, by Istio standard labels.',
  istio_tcp_sent_bytes_total: 'Bytes sent to the client over TCP connections (TCP services, tunnels, WebSockets), by Istio standard labels.',
  istio_tcp_received_bytes_total: 'Bytes received from the client over TCP connections (TCP services, tunnels, WebSockets), by Istio standard labels.',
  istio_tcp_connections_opened_total: 'TCP connections opened (TCP services, tunnels, WebSockets).',
  istio_tcp_connections_closed_total: 'TCP connections closed (TCP services, tunnels, WebSockets).',
} as const;

function header(name: keyof typeof HELP, type: 'counter' | 'histogram'): string {
  return `# HELP ${name} ${escapeHelp(HELP[name])}\n# TYPE ${name} ${type}\n`;
}

function histogram(name: string, lp: string, bounds: readonly number[], cumulative: readonly number[] | undefined, sum: number, count: number): string {
  let out = '';
  const sep = lp ? ',' : '';
  if (cumulative) {
    for (let i = 0; i < bounds.length; i++) out += `${name}_bucket{${lp}${sep}le="${formatValue(bounds[i] as number)}"} ${formatValue(cumulative[i] ?? 0)}\n`;
  }
  out += `${name}_bucket{${lp}${sep}le="+Inf"} ${formatValue(count)}\n`;
  out += `${name}_sum${lp ? `{${lp}}` : ''} ${formatValue(sum)}\n`;
  out += `${name}_count${lp ? `{${lp}}` : ''} ${formatValue(count)}\n`;
  return out;
}

/**
 * The four Istio request families for `series`, then the gRPC message counters of its gRPC series. `labelText` may supply each series'
 * pre-rendered label pairs (the proxy caches them); otherwise they are rendered here.
 */
export function renderIstioMetrics(series: readonly StatSeries[], labelText?: (s: StatSeries) => string): string {
  const lps = series.map((s) => labelText?.(s) ?? labelPairs(s.labels));
  const brace = (lp: string): string => (lp ? `{${lp}}` : '');
  let out = header('istio_requests_total', 'counter');
  series.forEach((s, i) => (out += `istio_requests_total${brace(lps[i] as string)} ${formatValue(s.requests)}\n`));
  out += header('istio_request_duration_milliseconds', 'histogram');
  series.forEach((s, i) => (out += histogram('istio_request_duration_milliseconds', lps[i] as string, ISTIO_DURATION_BUCKETS_MS, s.durationBuckets, s.durationSum, s.requests)));
  out += header('istio_request_bytes', 'histogram');
  series.forEach((s, i) => (out += histogram('istio_request_bytes', lps[i] as string, ISTIO_SIZE_BUCKETS, s.requestBytesBuckets, s.requestBytesSum, s.requests)));
  out += header('istio_response_bytes', 'histogram');
  series.forEach((s, i) => (out += histogram('istio_response_bytes', lps[i] as string, ISTIO_SIZE_BUCKETS, s.responseBytesBuckets, s.responseBytesSum, s.requests)));
  return out + renderMessageCounters(series, lps);
}

/** The gRPC message counters of the series that have them (gRPC's); nothing without any. */
function renderMessageCounters(series: readonly StatSeries[], lps: readonly string[]): string {
  const grpc = series.flatMap((s, i) => (s.requestMessages !== undefined ? [i] : []));
  if (grpc.length === 0) return '';
  const family = (name: 'istio_request_messages_total' | 'istio_response_messages_total', value: (s: StatSeries) => number | undefined): string => {
    let out = header(name, 'counter');
    for (const i of grpc) out += `${name}{${lps[i] as string}} ${formatValue(value(series[i] as StatSeries) ?? 0)}\n`;
    return out;
  };
  return family('istio_request_messages_total', (s) => s.requestMessages) + family('istio_response_messages_total', (s) => s.responseMessages);
}

/** Istio's four TCP counter families for `series`; nothing when there are none. */
export function renderTcpMetrics(series: readonly TcpStatSeries[]): string {
  if (series.length === 0) return '';
  const lps = series.map((s) => labelPairs(s.labels));
  const family = (name: keyof typeof HELP, value: (s: TcpStatSeries) => number): string => {
    let out = header(name, 'counter');
    series.forEach((s, i) => (out += `${name}{${lps[i] as string}} ${formatValue(value(s))}\n`));
    return out;
  };
  return (
    family('istio_tcp_sent_bytes_total', (s) => s.sentBytes) +
    family('istio_tcp_received_bytes_total', (s) => s.receivedBytes) +
    family('istio_tcp_connections_opened_total', (s) => s.connectionsOpened) +
    family('istio_tcp_connections_closed_total', (s) => s.connectionsClosed)
  );
}

/** The proxy's span-export counters as graymesh_proxy_* families. */
export function renderTracingStats(t: TracingStats): string {
  const fam = (name: string, type: 'counter' | 'gauge', help: string, v: number): string =>
    `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${formatValue(v)}\n`;
  return (
    fam('graymesh_proxy_spans_exported_total', 'counter', 'Spans the collector accepted.', t.exported) +
    fam('graymesh_proxy_spans_dropped_total', 'counter', 'Spans dropped: queue full (oldest first) or export failed.', t.dropped) +
    fam('graymesh_proxy_span_exports_failed_total', 'counter', 'Span export requests that failed.', t.failedExports) +
    fam('graymesh_proxy_spans_queued', 'gauge', 'Spans waiting to be exported.', t.queued)
  );
}
