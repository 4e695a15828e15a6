/** The instance's status, as the engine reports it (`graymesh status`), and the wait until every proxy enforces a config version. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../api/errors.js';
import type { Mesh } from '../../engine/mesh.js';
import type { OpenApi } from '../openapi.js';

export interface StatusRoutesDeps {
  status(): unknown;
  /** The engine's Mesh port: the distributor's ACKs locally, istiod's sync status on a cluster. */
  mesh: Mesh;
}

/** A whole number query parameter within [min, max]; undefined when absent. */
function wholeNumber(v: string | undefined, field: string, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${field}: a whole number from ${min} to ${max}`);
  return n;
}

export function registerStatusRoute(app: FastifyInstance, api: OpenApi, deps: StatusRoutesDeps): void {
  app.get('/api/v1/status', async () => deps.status());
  api.add('get', '/api/v1/status', 'Control plane, gateway and proxies: status, restarts, and the config version each enforces');

  app.get('/api/v1/config/wait', async (req) => {
    const q = req.query as { version?: string; timeout?: string };
    const version = wholeNumber(q.version, 'version', 0, Number.MAX_SAFE_INTEGER);
    const timeoutMs = wholeNumber(q.timeout, 'timeout', 0, 60_000) ?? 10_000;
    return deps.mesh.enforced(version, timeoutMs);
  });
  api.add('get', '/api/v1/config/wait', 'Waits until every proxy enforces a config version (the current one by default; a cluster numbers none)', true, ['version', 'timeout']);
}
