/**
 * The REST API. CLI and console speak only this. Domain code throws GmError;
 * this file alone maps errors to HTTP answers, and every route is listed in
 * the OpenAPI document at /api/openapi.json.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { GmError, badRequest, notFound } from '../api/errors.js';
import type { ControlPlane } from './control-plane.js';
import { OpenApi } from './openapi.js';
import { registerResourceRoutes } from './routes/resources.js';
import { registerXdsRoutes } from './routes/xds.js';
import { registerStatusRoutes } from './routes/status.js';
import { registerReleaseRoutes } from './routes/releases.js';
import { registerTelemetryRoutes } from './routes/telemetry.js';
import { registerExportRoutes } from './routes/export.js';
import { ConsoleFiles } from './console-static.js';
import { AuthService } from './auth/auth-service.js';
import { installGuard } from './auth/guard.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerTenantRoutes } from './routes/tenants.js';
import { registerAuditRoutes } from './routes/audit.js';

export interface ServerOptions {
  /** The clock sessions and tokens expire by, ms since the epoch (Date.now). */
  now?: () => number;
}

export async function buildServer(cp: ControlPlane, opts: ServerOptions = {}): Promise<FastifyInstance> {
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
  // The console: its built files, and index.html for its pages (a GET outside the API that no route matched).
  const consoleFiles = ConsoleFiles.find();
  app.setNotFoundHandler((req, reply) => {
    if (consoleFiles.handles(req)) return consoleFiles.send(req, reply);
    reply.status(404).send(notFound(`no API route ${req.method} ${req.url.split('?')[0]}`).toBody());
  });

  // Every route, whoever registers it, is authenticated and authorised by the guard (src/controlplane/auth/policy.ts).
  const auth = new AuthService(cp.store, { instanceToken: cp.token, adminPassword: cp.opts.home.adminCredentials().password, ...(opts.now ? { now: opts.now } : {}) });
  app.addHook('onClose', async () => auth.close());
  installGuard(app, auth, cp.store, { traceProjects: (id) => [...new Set(cp.telemetry.spans.trace(id).map((s) => s.namespace))] });

  app.get('/healthz', async () => ({ status: 'ok' }));
  api.add('get', '/healthz', 'Liveness of the control plane', false);
  app.get('/', async (req, reply) => consoleFiles.send(req, reply));
  app.get('/api/openapi.json', async () => api.document());

  registerStatusRoutes(app, api, cp);
  registerReleaseRoutes(app, api, cp);
  registerTelemetryRoutes(app, api, cp);
  registerExportRoutes(app, api, cp);
  registerResourceRoutes(app, api, cp);
  registerXdsRoutes(app, api, cp);
  registerAuthRoutes(app, api, auth);
  registerTenantRoutes(app, api, auth);
  registerAuditRoutes(app, api, auth);
  return app;
}
