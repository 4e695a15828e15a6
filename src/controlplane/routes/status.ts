/** Instance status: the control plane, the gateway, the proxies and the config version they enforce. */
import type { FastifyInstance } from 'fastify';
import type { ProxyInfo } from '../distributor.js';
import type { ControlPlane } from '../control-plane.js';
import type { OpenApi } from '../../apiserver/openapi.js';
import { registerStatusRoute } from '../../apiserver/routes/status.js';
import type { ProxyStatus, SupervisedProxy } from '../../runtime/proxy-supervisor.js';

export interface ProxyStatusBody {
  name: string;
  pid: number;
  /** Serving (enforces the current config), Starting, Dead (restart pending) or Stale (behind, refusing, or disconnected). */
  status: ProxyStatus;
  restartCount: number;
  handovers: number;
  ackedVersion: number;
  current: boolean;
  connected: boolean;
  error?: string;
  lastExit?: string;
  startedAt?: string;
}

export interface StatusBody {
  controlPlane: { url: string; healthy: boolean; pid: number };
  /** `tlsUrl`: the gateway's TLS listener (a Gateway server's port 443). */
  gateway: { url: string; tlsUrl?: string };
  proxies: ProxyStatusBody[];
  configVersion: number;
}

/** One row per proxy: supervised ones as their supervisor sees them, any other that connected by its stream. */
function proxiesOf(cp: ControlPlane, version: number): ProxyStatusBody[] {
  const known = cp.distributor.list();
  const supervised: SupervisedProxy[] = cp.proxies ? [cp.proxies.info()] : [];
  const rows = supervised.map((s) => row(s, cp.distributor.get(s.name, s.pid), version));
  for (const p of known) {
    if (supervised.some((s) => s.name === p.name)) continue;
    const current = p.connected && p.ackedVersion >= version;
    rows.push(row({ name: p.name, pid: p.pid, status: current ? 'Serving' : 'Stale', restartCount: 0, handovers: 0 }, p, version));
  }
  return rows;
}

function row(s: SupervisedProxy, p: ProxyInfo | undefined, version: number): ProxyStatusBody {
  const connected = p?.connected ?? false;
  const ackedVersion = p?.ackedVersion ?? 0;
  return {
    name: s.name,
    pid: s.pid,
    status: s.status,
    restartCount: s.restartCount,
    handovers: s.handovers,
    ackedVersion,
    current: connected && ackedVersion >= version,
    connected,
    ...(p?.lastError ? { error: p.lastError } : {}),
    ...(s.lastExit ? { lastExit: s.lastExit } : {}),
    ...(s.startedAt ? { startedAt: s.startedAt } : {}),
  };
}

export function statusOf(cp: ControlPlane): StatusBody {
  const version = cp.distributor.version;
  return {
    controlPlane: { url: cp.url, healthy: true, pid: process.pid },
    gateway: { url: `http://127.0.0.1:${cp.gatewayPort}`, ...(cp.gatewayTlsPort !== undefined ? { tlsUrl: `https://127.0.0.1:${cp.gatewayTlsPort}` } : {}) },
    proxies: proxiesOf(cp, version),
    configVersion: version,
  };
}

export function registerStatusRoutes(app: FastifyInstance, api: OpenApi, cp: ControlPlane): void {
  registerStatusRoute(app, api, { status: () => statusOf(cp), mesh: cp.mesh });
}
