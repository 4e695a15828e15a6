/** The audit log: who changed what, when, and with what result. */
import type { FastifyInstance } from 'fastify';
import { invalid } from '../../api/errors.js';
import { dns1123LabelError } from '../../api/names.js';
import type { AuthService } from '../auth/auth-service.js';
import { ProjectAccess } from '../../api/roles.js';
import type { OpenApi } from '../openapi.js';

export function registerAuditRoutes(app: FastifyInstance, api: OpenApi, auth: AuthService): void {
  /**
   * A platform admin reads everything; a project's admins read its entries
   * (-p); anyone reads their own.
   */
  app.get('/api/v1/audit', async (req) => {
    const q = req.query as { project?: string; user?: string; limit?: string };
    for (const k of ['project', 'user'] as const) {
      const v = q[k];
      if (v !== undefined) {
        const err = dns1123LabelError(v);
        if (err) throw invalid(`${k}: ${err}`);
      }
    }
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw invalid('limit: a whole number from 1 to 10000');
    const a = req.access;
    if (q.project !== undefined) a.requireProject(q.project, ProjectAccess.Admin, `read the audit log of project ${q.project}`);
    else if (!a.isPlatformAdmin && q.user !== undefined && q.user !== a.user) a.requirePlatform(`read the audit log of ${q.user}`);
    const user = q.user ?? (a.isPlatformAdmin || q.project !== undefined ? undefined : a.user);
    return { items: auth.audit.query({ ...(q.project ? { project: q.project } : {}), ...(user ? { user } : {}), limit }) };
  });
  api.add('get', '/api/v1/audit', 'The audit log, newest first: every write with who, when and the result, refusals included', true, ['project', 'user', 'limit']);
}
