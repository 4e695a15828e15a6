/** Instance status: the control plane, the gateway, the proxies and the config version they enforce. */
import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../control-plane.js';
import type { OpenApi } from '../openapi.js';

export interface StatusBody {
  controlPlane: { url: string; healthy: boolean; pid: number };
  gateway: { url: string };
  proxies: { name: string; pid: number; ackedVersion: number; current: boolean; connected: boolean; error?: string }[];
  configVersion: number;
}

export function statusOf(cp: ControlPlane): StatusBody {
  const version = cp.distributor.version;
  return {
    controlPlane: { url: cp.url, healthy: true, pid: process.pid },
    gateway: { url: `http://127.0.0.1:${cp.gatewayPort}` },
    proxies: cp.distributor.list().map((p) => ({
      name: p.name,
      pid: p.pid,
      ackedVersion: p.ackedVersion,
      current: p.connected && p.ackedVersion >= version,
      connected: p.connected,
      ...(p.lastError ? { error: p.lastError } : {}),
    })),
    configVersion: version,
  };
}

export function registerStatusRoutes(app: FastifyInstance, api: OpenApi, cp: ControlPlane): void {
  app.get('/api/v1/status', async () => statusOf(cp));
  api.add('get', '/api/v1/status', 'Control plane, gateway and proxies, with the config version each enforces');
}
