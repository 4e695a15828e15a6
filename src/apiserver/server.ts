/**
 * The REST API both engines serve, and its one set of plumbing: the error catalogue's mapping
 * (domain code throws GmError; this file alone turns errors into HTTP answers), the guard
 * (authentication, the route policy, parameter checks, the audit log), the console's files,
 * health, the account routes, and the OpenAPI document every route is listed in. An engine
 * builds its server here and registers the route plugins of ./routes with its own narrow
 * dependencies.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { GmError, badRequest, notFound } from '../api/errors.js';
import type { AuthService } from './auth/auth-service.js';
import { installGuard, type GuardOptions } from './auth/guard.js';
import { ConsoleFiles } from './console-static.js';
import { OpenApi } from './openapi.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerTenantRoutes } from './routes/tenants.js';

export interface ApiServerDeps {
  /** Accounts, sessions, tokens and the audit log. */
  auth: AuthService;
  log(msg: string): void;
  guard?: GuardOptions;
  /** The console's built files (default: this checkout's console/dist). */
  console?: ConsoleFiles;
}

export interface ApiServer {
  app: FastifyInstance;
  /** The OpenAPI document the engine's route plugins add their routes to. */
  api: OpenApi;
}

export function createApiServer(deps: ApiServerDeps): ApiServer {
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024, forceCloseConnections: true });
  const api = new OpenApi();

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    if (err instanceof GmError) return reply.status(err.status).send(err.toBody());
    if (err.statusCode && err.statusCode < 500) {
      return reply.status(err.statusCode).send(badRequest(err.message).toBody());
    }
    deps.log(`internal error: ${err.stack ?? err.message}`);
    return reply.status(500).send({ error: { code: 'GM_ERR_INTERNAL', message: 'internal error; see the control plane log' } });
  });
  // The console: its built files, and index.html for its pages (a GET outside the API that no route matched).
  const consoleFiles = deps.console ?? ConsoleFiles.find();
  app.setNotFoundHandler((req, reply) => {
    if (consoleFiles.handles(req)) return consoleFiles.send(req, reply);
    reply.status(404).send(notFound(`no API route ${req.method} ${req.url.split('?')[0]}`).toBody());
  });

  // Every route, whoever registers it, is authenticated and authorised by the guard (auth/policy.ts).
  app.addHook('onReady', async () => deps.auth.ready);
  app.addHook('onClose', async () => deps.auth.close());
  installGuard(app, deps.auth, deps.guard);

  app.get('/healthz', async () => ({ status: 'ok' }));
  api.add('get', '/healthz', 'Liveness of the control plane', false);
  app.get('/', async (req, reply) => consoleFiles.send(req, reply));
  app.get('/api/openapi.json', async () => api.document());

  registerAuthRoutes(app, api, deps.auth);
  registerTenantRoutes(app, api, deps.auth);
  registerAuditRoutes(app, api, deps.auth);
  return { app, api };
}
