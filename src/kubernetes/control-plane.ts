/**
 * `graymesh up --engine kubernetes`: graymesh's REST API in front of a cluster. The store is the
 * API server, so this process keeps no state: objects are read from and applied to the
 * cluster, releases run by the Kubernetes engine, and the CLI's commands (get, apply, release,
 * export, status) work unchanged against it. The routes mirror the local control plane's
 * (src/controlplane/routes) with the same paths and bodies; the instance token of the home is
 * the credential, as for the local engine's admin.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { GmError, badRequest, invalid, notFound, unauthorized } from '../api/errors.js';
import { kindByName } from '../api/kinds.js';
import type { KubeObject } from '../api/objects.js';
import type { Release, ReleaseSpec } from '../config/release/types.js';
import { formatIssue, validateObject } from '../config/validate/index.js';
import { IstiodConvergence } from './convergence.js';
import { KubernetesEngine } from './engine.js';
import type { ClusterConnection } from './kubeconfig.js';
import { clusterTelemetry, type ClusterTelemetry } from './telemetry.js';
import { registerClusterTelemetryRoutes } from './telemetry-routes.js';

export interface ClusterControlPlaneOptions {
  conn: ClusterConnection;
  token: string;
  port: number;
  listen: string;
  /** Fixed wait when istiod's sync status cannot be read (ms). */
  settleMs?: number;
  prometheus?: string;
  jaeger?: string;
  log(msg: string): void;
}

interface P {
  project: string;
  resource: string;
  name: string;
}

export class ClusterControlPlane {
  readonly engine: KubernetesEngine;
  readonly telemetry: ClusterTelemetry;
  private app: FastifyInstance | undefined;
  url = '';

  constructor(readonly opts: ClusterControlPlaneOptions) {
    this.engine = new KubernetesEngine(opts.conn, { log: opts.log, istiod: { ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {}) } });
    this.telemetry = clusterTelemetry({ ...(opts.prometheus ? { prometheus: opts.prometheus } : {}), ...(opts.jaeger ? { jaeger: opts.jaeger } : {}) });
  }

  /** Installs the CRDs, starts the release controller, then serves the API. */
  async start(): Promise<void> {
    await this.engine.installCrds();
    await this.engine.startController();
    this.app = this.routes();
    const address = await this.app.listen({ port: this.opts.port, host: this.opts.listen });
    this.url = address.replace('[::1]', '127.0.0.1');
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.engine.close();
  }

  private routes(): FastifyInstance {
    const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024, forceCloseConnections: true });
    const { engine } = this;
    const client = engine.client;
    const expected = Buffer.from(this.opts.token);
    app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
      if (err instanceof GmError) return reply.status(err.status).send(err.toBody());
      if (err.statusCode && err.statusCode < 500) return reply.status(err.statusCode).send(badRequest(err.message).toBody());
      this.opts.log(`internal error: ${err.stack ?? err.message}`);
      return reply.status(500).send({ error: { code: 'GM_ERR_INTERNAL', message: 'internal error; see the control plane log' } });
    });
    app.addHook('onRequest', async (req: FastifyRequest) => {
      if (req.url === '/healthz') return;
      const auth = req.headers.authorization ?? '';
      const given = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7) : '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized('missing or invalid credentials; run the CLI on the instance home, or pass a token (GRAYMESH_TOKEN)');
    });
    const ops = (req: FastifyRequest): { user: string; readyTimeoutMs?: number } => {
      const t = Number((req.query as { readyTimeout?: string }).readyTimeout ?? NaN);
      return { user: 'admin', ...(Number.isFinite(t) ? { readyTimeoutMs: t } : {}) };
    };
    const kindOf = (resource: string): string => {
      const k = kindByName(resource);
      if (!k || !k.namespaced) throw notFound(`unknown resource "${resource}"`);
      return k.kind;
    };

    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/api/v1/status', async () => {
      const syncz = engine.convergence instanceof IstiodConvergence ? await engine.convergence.syncz() : undefined;
      return {
        engine: 'kubernetes',
        cluster: { server: this.opts.conn.server, context: this.opts.conn.context, istiod: syncz ? 'sync status' : 'settle time' },
        controlPlane: { url: this.url, healthy: true, pid: process.pid },
        gateway: { url: '' },
        proxies: (syncz ?? []).map((s) => ({ name: s.proxy, pid: 0, ackedVersion: 0, current: s.route_sent === s.route_acked, connected: true })),
        configVersion: 0,
        informers: engine.informerStats,
        telemetry: { metrics: this.telemetry.metrics?.kind ?? 'none', traces: this.telemetry.traces?.kind ?? 'none' },
      };
    });
    app.post('/api/v1/apply', async (req) => {
      const body = req.body as { objects?: unknown[]; project?: string; dryRun?: boolean } | undefined;
      if (!body || !Array.isArray(body.objects)) throw badRequest('body: {"objects": [...], "project"?: "P"} required');
      if (body.dryRun) throw invalid('--dry-run is not offered by the kubernetes engine; use kubectl apply --dry-run=server');
      const out = await engine.applyObjects(body.objects, body.project);
      return { ...out, configVersion: 0 };
    });
    app.get('/api/v1/projects', async () => ({ items: (await client.list('Namespace', undefined, { labelSelector: 'istio-injection=enabled' })).items }));
    app.get('/api/v1/projects/:project', async (req) => {
      const ns = await client.get('Namespace', undefined, (req.params as P).project);
      if (!ns) throw notFound(`project ${(req.params as P).project} not found`);
      return ns;
    });
    app.get('/api/v1/projects/:project/export', async (req) => {
      const q = req.query as { crds?: string; crdsOnly?: string; ingress?: string };
      const out = await engine.exportNamespace((req.params as P).project, { crds: q.crds !== 'false', crdsOnly: q.crdsOnly === 'true', ingress: q.ingress !== 'false' });
      return { apiVersion: 'v1', kind: 'List', items: out.items, warnings: out.warnings };
    });
    // Graph, chart series and traces from the cluster's Prometheus and Jaeger (--prometheus, --jaeger).
    registerClusterTelemetryRoutes(app, { telemetry: this.telemetry, client });
    app.get('/api/v1/projects/:project/:resource', async (req) => {
      const { project, resource } = req.params as P;
      const labelSelector = (req.query as { labelSelector?: string }).labelSelector;
      return { items: (await client.list(kindOf(resource), project, labelSelector ? { labelSelector } : {})).items };
    });
    app.get('/api/v1/projects/:project/:resource/:name', async (req) => {
      const { project, resource, name } = req.params as P;
      const kind = kindOf(resource);
      const o = await client.get(kind, project, name);
      if (!o) throw notFound(`${kind} ${name} not found in project ${project}`);
      return o;
    });
    app.delete('/api/v1/projects/:project/:resource/:name', async (req) => {
      const { project, resource, name } = req.params as P;
      const kind = kindOf(resource);
      if (kind === 'Release') {
        await engine.releases.delete(project, name, ops(req));
      } else if (!(await client.delete(kind, project, name))) {
        throw notFound(`${kind} ${name} not found in project ${project}`);
      }
      return { deleted: { kind, name, namespace: project } };
    });

    // Releases: the same operations and bodies as the local engine's routes.
    app.post('/api/v1/projects/:project/releases', async (req, reply) => {
      const { project } = req.params as P;
      const body = req.body as KubeObject | undefined;
      if (!body || typeof body !== 'object') throw badRequest('body: a Release object is required');
      const r = { ...body, apiVersion: 'graymesh.dev/v1alpha1', kind: 'Release', metadata: { ...body.metadata, namespace: project } } as Release;
      const v = validateObject(r);
      if (v.errors.length > 0) throw invalid(formatIssue(v.errors[0]!), v.errors.map(formatIssue));
      reply.status(201);
      return engine.releases.create(v.object as Release, ops(req));
    });
    const op = (path: string, fn: (p: string, n: string, body: Record<string, unknown>, req: FastifyRequest) => Promise<unknown>): void => {
      app.post(`/api/v1/projects/:project/releases/:name/${path}`, async (req) => {
        const { project, name } = req.params as P;
        return fn(project, name, (req.body ?? {}) as Record<string, unknown>, req);
      });
    };
    op('weights', (p, n, b, req) => engine.releases.setWeights(p, n, b.weights as Record<string, number>, ops(req)));
    op('takeover', (p, n, b, req) => engine.releases.takeover(p, n, String(b.version ?? ''), ops(req)));
    op('restore', (p, n, _b, req) => engine.releases.restore(p, n, ops(req)));
    op('rollback', (p, n, _b, req) => engine.releases.rollback(p, n, ops(req)));
    op('policy', (p, n, b, req) => engine.releases.setPolicy(p, n, b.policy as ReleaseSpec['policy'], ops(req)));
    op('offline', (p, n, _b, req) => engine.releases.offline(p, n, ops(req)));
    return app;
  }
}
