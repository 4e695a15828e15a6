/** The instance's status, as the engine reports it (`graymesh status`). */
import type { FastifyInstance } from 'fastify';
import type { OpenApi } from '../openapi.js';

export interface StatusRoutesDeps {
  status(): unknown;
}

export function registerStatusRoute(app: FastifyInstance, api: OpenApi, deps: StatusRoutesDeps): void {
  app.get('/api/v1/status', async () => deps.status());
  api.add('get', '/api/v1/status', 'Control plane, gateway and proxies: status, restarts, and the config version each enforces');
}
