/**
 * The local engine's REST API: the shared server (src/apiserver/: errors, guard, console,
 * accounts, OpenAPI) with the route plugins over this control plane's parts.
 */
import type { FastifyInstance } from 'fastify';
import { AuthService } from '../apiserver/auth/auth-service.js';
import { sqliteAuth } from '../apiserver/auth/auth-store.js';
import { createApiServer } from '../apiserver/server.js';
import type { ControlPlane } from './control-plane.js';
import { storeProjects } from './projects.js';
import { registerNodeRoutes } from '../apiserver/routes/node.js';
import { localNodeOperations } from './node-ops.js';
import { registerXdsRoutes } from './routes/xds.js';
import { registerStatusRoutes } from './routes/status.js';
import { registerTelemetryRoutes } from './routes/telemetry.js';
import { registerReleaseRoutes } from '../apiserver/routes/releases.js';
import { registerExportRoutes } from '../apiserver/routes/export.js';
import { registerTelemetryQueryRoutes } from '../apiserver/routes/telemetry-queries.js';
import { registerObjectRoutes } from '../apiserver/routes/objects.js';
import { registerProjectWriteRoutes } from '../apiserver/routes/project-writes.js';
import { KINDS } from '../api/kinds.js';
import { localPrepare, localProjectWrites, localWrites } from './writes.js';

export interface ServerOptions {
  /** The clock sessions and tokens expire by, ms since the epoch (Date.now). */
  now?: () => number;
}

export async function buildServer(cp: ControlPlane, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const projects = storeProjects(cp.store);
  const auth = new AuthService(projects, sqliteAuth(cp.store.database), {
    log: cp.opts.log,
    instanceToken: cp.token,
    adminPassword: cp.opts.home.adminCredentials().password,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const { app, api } = createApiServer({
    auth,
    log: cp.opts.log,
    guard: { traceProjects: (id) => [...new Set(cp.telemetry.spans.trace(id).map((s) => s.namespace))] },
  });
  cp.auditStep = (s) =>
    auth.audit.record({
      time: new Date().toISOString(),
      user: 'graymesh',
      method: 'POST',
      path: `/api/v1/projects/${s.namespace}/releases/${s.release}/${s.operation}`,
      project: s.namespace,
      objects: `Release/${s.namespace}/${s.release}`,
      status: 200,
      result: 'allowed',
      message: `on behalf of ${s.onBehalfOf}: ${s.message}`,
    });
  registerStatusRoutes(app, api, cp);
  registerReleaseRoutes(app, api, { releases: cp.releases, projects, prepare: localPrepare(cp) });
  registerTelemetryRoutes(app, api, cp);
  registerTelemetryQueryRoutes(app, api, { telemetry: cp.telemetry.sources, store: cp.objects, projects });
  registerExportRoutes(app, api, { projects, objectsOf: async (p) => KINDS.filter((k) => k.namespaced && k.writable).flatMap((k) => cp.store.list(k.kind, { namespace: p })) });
  const writes = localWrites(cp);
  const projectWrites = localProjectWrites(cp);
  const node = localNodeOperations(cp);
  registerObjectRoutes(app, api, { projects, store: cp.objects, releases: cp.releases, writes, prepare: localPrepare(cp) });
  registerProjectWriteRoutes(app, api, { projects, writes: projectWrites });
  registerNodeRoutes(app, api, { projects, node });
  // The same parts serve the Kubernetes API, when the CLI's up starts it (src/kubeapi/).
  cp.shared = { auth, projects, writes, prepare: localPrepare(cp), projectWrites, node };
  registerXdsRoutes(app, api, cp);
  return app;
}
