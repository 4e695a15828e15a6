/** Config distribution endpoints: the proxies' stream and their ACKs. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../api/errors.js';
import type { ConfigAck } from '../../config/snapshot.js';
import type { ControlPlane } from '../control-plane.js';
import type { OpenApi } from '../../apiserver/openapi.js';

export function registerXdsRoutes(app: FastifyInstance, api: OpenApi, cp: ControlPlane): void {
  app.get('/xds/v1/stream', (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (!q.proxy) throw badRequest('proxy: required; name the proxy');
    reply.hijack();
    cp.distributor.connect(q.proxy, Number(q.pid ?? 0), Number(q.version ?? 0), reply.raw, q.admin ? Number(q.admin) : undefined);
  });
  api.add('get', '/xds/v1/stream', 'Config stream for node proxies (NDJSON snapshots)', true, ['proxy', 'pid', 'version']);

  app.post('/xds/v1/ack', async (req) => {
    const a = req.body as Partial<ConfigAck>;
    if (!a || typeof a.proxy !== 'string' || typeof a.version !== 'number') throw badRequest('body: {"proxy", "version", "error"?} required');
    cp.distributor.ack(a as ConfigAck);
    return { ok: true };
  });
  api.add('post', '/xds/v1/ack', 'A proxy acknowledges (or refuses) a config version');
}
