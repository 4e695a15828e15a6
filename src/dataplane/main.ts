/**
 * The node proxy process. Started by `graymesh up`; configured by environment:
 * GRAYMESH_CP_URL, GRAYMESH_TOKEN, GRAYMESH_PROXY_NAME, GRAYMESH_GATEWAY_PORT,
 * GRAYMESH_GATEWAY_TLS_PORT (the gateway's TLS listener; absent: none),
 * GRAYMESH_LISTEN, GRAYMESH_TRACE_SAMPLING (0-100, default 100; a snapshot's
 * `tracing.sampling` overrides it), GRAYMESH_TRACE_RATE_LIMIT (new traces
 * per second per service sampled at that rate, 1% beyond; default 100, 0 for no
 * budget), GRAYMESH_TRACE_SLOW_MS (unsampled requests this slow keep their
 * spans; default 1000, 0 for none). Spans go to `${GRAYMESH_CP_URL}/v1/traces`;
 * the admin server answers /ready, /config_dump, /stats/prometheus, /stats/json.
 * Started with an IPC channel (by `up`), it takes over the listening sockets its
 * keeper hands it and reports each one it binds (handover.ts). SIGTERM drains:
 * it stops accepting, finishes what is in flight, and exits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeProxy } from './node-proxy.js';
import { ConfigClient } from './config-client.js';
import { AccessLog } from './access-log.js';
import path from 'node:path';
import { ProxyTelemetry } from './telemetry/proxy-telemetry.js';
import { handleStatsRequest } from './telemetry/admin-stats.js';
import { DEFAULT_SLOW_MS, DEFAULT_TRACES_PER_SECOND, nonNegativeFromEnv, samplingFromEnv } from './telemetry/sampling.js';
import { SocketHandover, freshBinder } from './handover.js';

/** A connection left idle this long after a drain begins is closed (its client reconnects to the successor). */
const DRAIN_IDLE_GRACE_MS = 2_000;
/** A drain that has not finished by then ends with the process. */
const DRAIN_DEADLINE_MS = 30_000;

export async function runProxy(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = (msg: string): void => {
    process.stdout.write(`${new Date().toISOString()} proxy ${msg}\n`);
  };
  const host = env.GRAYMESH_LISTEN ?? '127.0.0.1';
  const sinks = [];
  const accessLog = env.GRAYMESH_HOME ? new AccessLog(path.join(env.GRAYMESH_HOME, 'logs')) : undefined;
  if (accessLog) sinks.push(accessLog.sink);
  const cpUrl = env.GRAYMESH_CP_URL ?? 'http://127.0.0.1:7070';
  const token = env.GRAYMESH_TOKEN ?? '';
  const name = env.GRAYMESH_PROXY_NAME ?? 'node-proxy';
  const telemetry = new ProxyTelemetry({
    proxyName: name,
    samplingPercent: samplingFromEnv(env.GRAYMESH_TRACE_SAMPLING),
    tracesPerSecond: nonNegativeFromEnv(env.GRAYMESH_TRACE_RATE_LIMIT, DEFAULT_TRACES_PER_SECOND),
    slowMs: nonNegativeFromEnv(env.GRAYMESH_TRACE_SLOW_MS, DEFAULT_SLOW_MS),
    export: { url: `${cpUrl.replace(/\/+$/, '')}/v1/traces`, token },
  });
  const handover = process.send ? new SocketHandover(process) : undefined;
  await handover?.ready();
  const binder = handover ?? freshBinder;
  const tlsPort = env.GRAYMESH_GATEWAY_TLS_PORT ? Number(env.GRAYMESH_GATEWAY_TLS_PORT) : undefined;
  const proxy = new NodeProxy({ gatewayPort: Number(env.GRAYMESH_GATEWAY_PORT ?? '8080'), ...(tlsPort !== undefined ? { gatewayTlsPort: tlsPort } : {}), host, sinks, telemetry, binder });
  try {
    await proxy.start();
  } catch (err) {
    // `up` reads this line from the proxy's log when the proxy exits before connecting.
    const tlsFailed = tlsPort !== undefined && (err as { port?: number }).port === Number(tlsPort);
    const port = tlsFailed ? tlsPort : (env.GRAYMESH_GATEWAY_PORT ?? '8080');
    const what = tlsFailed ? 'gateway TLS port' : 'gateway port';
    const code = (err as { code?: string }).code;
    const reason = code === 'EADDRINUSE' ? `${what} ${port} is in use; stop what uses it or pass --${tlsFailed ? 'gateway-tls-port' : 'gateway-port'} N` : `the gateway cannot listen on ${host}:${port}: ${(err as Error).message}`;
    process.stdout.write(`error: ${reason}\n`);
    process.exit(2);
  }
  const admin = http.createServer((req, res) => {
    if (req.url === '/ready') {
      res.writeHead(proxy.version > 0 ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(proxy.version > 0 ? 'LIVE\n' : 'NO CONFIG\n');
      return;
    }
    if (handleStatsRequest(telemetry, req, res)) return;
    if (req.url === '/config_dump') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(proxy.snapshot ?? {}));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve) => admin.listen(Number(env.GRAYMESH_ADMIN_PORT ?? '0'), '127.0.0.1', resolve));
  const adminPort = (admin.address() as AddressInfo).port;
  const client = new ConfigClient({
    url: cpUrl,
    token,
    name,
    info: { admin: String(adminPort), gateway: String(proxy.gatewayPort), ...(proxy.gatewayTlsPort !== undefined ? { gatewayTls: String(proxy.gatewayTlsPort) } : {}) },
    apply: (s) => proxy.apply(s),
    version: () => proxy.version,
    log,
  });
  client.start();
  log(`gateway on ${host}:${proxy.gatewayPort}${proxy.gatewayTlsPort !== undefined ? ` (TLS on ${proxy.gatewayTlsPort})` : ''}, admin on 127.0.0.1:${adminPort}`);
  let draining = false;
  const shutdown = (): void => {
    if (draining) return;
    draining = true;
    log('draining: no new connections; finishing what is in flight');
    client.stop();
    admin.close();
    setTimeout(() => process.exit(0), DRAIN_DEADLINE_MS).unref();
    void proxy
      .drain(DRAIN_IDLE_GRACE_MS)
      .then(() => telemetry.close())
      .then(() => {
        accessLog?.close();
        log('drained; exiting');
        process.exit(0);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
