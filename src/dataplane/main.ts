/**
 * The node proxy process. Started by `graymesh up`; configured by environment:
 * GRAYMESH_CP_URL, GRAYMESH_TOKEN, GRAYMESH_PROXY_NAME, GRAYMESH_GATEWAY_PORT,
 * GRAYMESH_LISTEN.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeProxy } from './node-proxy.js';
import { ConfigClient } from './config-client.js';
import { AccessLog } from './access-log.js';
import path from 'node:path';

export async function runProxy(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const log = (msg: string): void => {
    process.stdout.write(`${new Date().toISOString()} proxy ${msg}\n`);
  };
  const host = env.GRAYMESH_LISTEN ?? '127.0.0.1';
  const sinks = [];
  const accessLog = env.GRAYMESH_HOME ? new AccessLog(path.join(env.GRAYMESH_HOME, 'logs')) : undefined;
  if (accessLog) sinks.push(accessLog.sink);
  const proxy = new NodeProxy({ gatewayPort: Number(env.GRAYMESH_GATEWAY_PORT ?? '8080'), host, sinks });
  await proxy.start();
  const admin = http.createServer((req, res) => {
    if (req.url === '/ready') {
      res.writeHead(proxy.version > 0 ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(proxy.version > 0 ? 'LIVE\n' : 'NO CONFIG\n');
      return;
    }
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
    url: env.GRAYMESH_CP_URL ?? 'http://127.0.0.1:7070',
    token: env.GRAYMESH_TOKEN ?? '',
    name: env.GRAYMESH_PROXY_NAME ?? 'node-proxy',
    info: { admin: String(adminPort), gateway: String(proxy.gatewayPort) },
    apply: (s) => proxy.apply(s),
    version: () => proxy.version,
    log,
  });
  client.start();
  log(`gateway on ${host}:${proxy.gatewayPort}, admin on 127.0.0.1:${adminPort}`);
  const shutdown = (): void => {
    client.stop();
    admin.close();
    accessLog?.close();
    void proxy.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
