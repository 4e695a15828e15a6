/**
 * The REST API. CLI and console speak only this. Domain code throws GmError;
 * this file alone maps errors to HTTP answers, and every route is listed in
 * the OpenAPI document at /api/openapi.json.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { GmError, badRequest, notFound, unauthorized } from '../api/errors.js';
import type { ControlPlane } from './control-plane.js';
import { OpenApi } from './openapi.js';
import { registerResourceRoutes } from './routes/resources.js';
import { registerXdsRoutes } from './routes/xds.js';
import { registerStatusRoutes } from './routes/status.js';
import { registerReleaseRoutes } from './routes/releases.js';
import { registerExportRoutes } from './routes/export.js';
import { CONSOLE_PLACEHOLDER } from './console-placeholder.js';

const OPEN_PATHS = new Set(['/healthz', '/', '/api/openapi.json']);

export async function buildServer(cp: ControlPlane): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024, forceCloseConnections: true });
  const api = new OpenApi();

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    if (err instanceof GmError) return reply.status(err.status).send(err.toBody());
    if (err.statusCode && err.statusCode < 500) {
      return reply.status(err.statusCode).send(badRequest(err.message).toBody());
    }
    cp.opts.log(`internal error: ${err.stack ?? err.message}`);
    return reply.status(500).send({ error: { code: 'GM_ERR_INTERNAL', message: 'internal error; see the control plane log' } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(notFound(`no API route ${req.method} ${req.url.split('?')[0]}`).toBody());
  });

  const expected = Buffer.from(cp.token);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '/';
    reply.header('x-content-type-options', 'nosniff');
    if (OPEN_PATHS.has(path)) return;
    const auth = req.headers.authorization ?? '';
    const given = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7) : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw unauthorized('missing or invalid credentials; run the CLI on the instance home, or pass a token (GRAYMESH_TOKEN)');
    }
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  api.add('get', '/healthz', 'Liveness of the control plane', false);
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').send(CONSOLE_PLACEHOLDER));
  app.get('/api/openapi.json', async () => api.document());

  registerStatusRoutes(app, api, cp);
  registerReleaseRoutes(app, api, cp);
  registerExportRoutes(app, api, cp);
  registerResourceRoutes(app, api, cp);
  registerXdsRoutes(app, api, cp);
  return app;
}
