/**
 * The proxy admin server's stats endpoints, named as Envoy's admin names them:
 * `/stats/prometheus` (text format 0.0.4, what Prometheus scrapes) and
 * `/stats/json` (StatsSnapshot, what the control plane reads).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROMETHEUS_CONTENT_TYPE } from '../../telemetry/prometheus-text.js';
import type { ProxyTelemetry } from './proxy-telemetry.js';

/** Answers a stats request; false when the path is not one of them. */
export function handleStatsRequest(telemetry: ProxyTelemetry, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path !== '/stats/prometheus' && path !== '/stats/json') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    res.end('method not allowed\n');
    return true;
  }
  const prometheus = path === '/stats/prometheus';
  const body = prometheus ? telemetry.prometheus() : JSON.stringify(telemetry.stats());
  res.writeHead(200, {
    'content-type': prometheus ? PROMETHEUS_CONTENT_TYPE : 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
