/**
 * `graymesh up --engine kubernetes`: graymesh's REST API in front of a cluster. Objects are read
 * from and applied to the cluster, releases run by the Kubernetes engine, and the API is the
 * local engine's: the same server and route plugins (src/apiserver/), so the same accounts,
 * roles, audit log, parameter checks, error catalogue, OpenAPI document and console. Accounts,
 * sessions, tokens and the audit log are graymesh objects in the cluster (users, workspaces,
 * memberships, tokens and auditevents.graymesh.dev), read and written through the engine's
 * object store, so the cluster identity is used by that store alone.
 */
import type { FastifyInstance } from 'fastify';
import { releaseMetrics } from '../telemetry/query/release-metrics.js';
import { AuthService } from '../apiserver/auth/auth-service.js';
import { objectAuth } from '../apiserver/auth/object-auth.js';
import { ProjectCache } from '../apiserver/projects.js';
import { registerExportRoutes } from '../apiserver/routes/export.js';
import { registerNodeRoutes } from '../apiserver/routes/node.js';
import { clusterImage } from '../config/export/cluster-images.js';
import { registerObjectRoutes } from '../apiserver/routes/objects.js';
import { registerProjectWriteRoutes } from '../apiserver/routes/project-writes.js';
import { registerReleaseRoutes } from '../apiserver/routes/releases.js';
import { registerStatusRoute } from '../apiserver/routes/status.js';
import { registerTelemetryQueryRoutes } from '../apiserver/routes/telemetry-queries.js';
import { createApiServer } from '../apiserver/server.js';
import { INJECTION_LABEL } from '../config/export/export.js';
import type { TelemetrySources } from '../telemetry/query/trace-source.js';
import { clusterPrepare, clusterProjectWrites, clusterWrites } from './api-deps.js';
import { IstiodConvergence } from './convergence.js';
import { KubernetesEngine } from './engine.js';
import type { ClusterConnection } from './kubeconfig.js';
import { KubeClient } from './client.js';
import { clusterTelemetry } from './telemetry.js';

export interface ClusterControlPlaneOptions {
  /** The cluster, or a client already made for it. */
  conn: ClusterConnection | KubeClient;
  /** The home's instance token: platform-admin, as on the local engine. */
  token: string;
  /** The first start's `admin` password (the home's credentials file). */
  adminPassword: string;
  port: number;
  listen: string;
  /** Fixed wait when istiod's sync status cannot be read (ms). */
  settleMs?: number;
  prometheus?: string;
  jaeger?: string;
  /** The clock sessions and tokens expire by (Date.now). */
  now?: () => number;
  log(msg: string): void;
}

export class ClusterControlPlane {
  readonly engine: KubernetesEngine;
  readonly telemetry: TelemetrySources;
  /** The cluster's graymesh projects: Namespaces with sidecar injection, as apply labels them. */
  readonly projects: ProjectCache;
  private app: FastifyInstance | undefined;
  url = '';

  constructor(readonly opts: ClusterControlPlaneOptions) {
    this.telemetry = clusterTelemetry({ ...(opts.prometheus ? { prometheus: opts.prometheus } : {}), ...(opts.jaeger ? { jaeger: opts.jaeger } : {}) });
    // Automatic releases read each version's traffic from the cluster's Prometheus, as the console's charts do.
    const metrics = this.telemetry.metrics ? releaseMetrics(this.telemetry.metrics) : undefined;
    this.engine = new KubernetesEngine(opts.conn, {
      log: opts.log,
      istiod: { ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {}) },
      ...(metrics ? { metrics } : {}),
    });
    this.projects = new ProjectCache(this.engine.store, { [INJECTION_LABEL]: 'enabled' });
  }

  /** Installs the CRDs, starts the release controller and the project cache, then serves the API. */
  async start(): Promise<void> {
    await this.engine.installCrds();
    await this.engine.startController();
    await this.projects.start();
    this.app = await this.server();
    const address = await this.app.listen({ port: this.opts.port, host: this.opts.listen });
    this.url = address.replace('[::1]', '127.0.0.1');
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.projects.close();
    await this.engine.close();
  }

  private async server(): Promise<FastifyInstance> {
    const { engine, projects, opts } = this;
    const accounts = await objectAuth(engine.store, opts.log);
    const auth = new AuthService(projects, accounts, { instanceToken: opts.token, adminPassword: opts.adminPassword, log: opts.log, ...(opts.now ? { now: opts.now } : {}) });
    const { app, api } = createApiServer({ auth, log: opts.log });
    registerStatusRoute(app, api, { status: () => this.status(), mesh: engine.convergence });
    registerReleaseRoutes(app, api, { releases: engine.releases, projects, prepare: clusterPrepare(engine) });
    registerExportRoutes(app, api, { projects, objectsOf: (p) => engine.namespaceObjects(p) });
    registerTelemetryQueryRoutes(app, api, { telemetry: this.telemetry, store: engine.store, projects });
    registerObjectRoutes(app, api, {
      projects,
      store: engine.store,
      releases: engine.releases,
      writes: clusterWrites(engine, projects),
      prepare: clusterPrepare(engine),
      sampleImages: clusterImage,
    });
    // Logs and the node proxy are the local engine's: here they answer 501 naming the kubectl command.
    registerNodeRoutes(app, api, { projects });
    registerProjectWriteRoutes(app, api, { projects, writes: clusterProjectWrites(engine, projects) });
    return app;
  }

  private async status(): Promise<unknown> {
    const { engine } = this;
    const syncz = engine.convergence instanceof IstiodConvergence ? await engine.convergence.syncz() : undefined;
    return {
      engine: 'kubernetes',
      cluster: { server: engine.client.conn.server, context: engine.client.conn.context, istiod: syncz ? 'sync status' : 'settle time' },
      controlPlane: { url: this.url, healthy: true, pid: process.pid },
      gateway: { url: '' },
      proxies: (syncz ?? []).map((s) => ({ name: s.proxy, pid: 0, ackedVersion: 0, current: s.route_sent === s.route_acked, connected: true })),
      configVersion: 0,
      informers: engine.informerStats,
      telemetry: { metrics: this.telemetry.metrics?.kind ?? 'none', traces: this.telemetry.traces?.kind ?? 'none' },
    };
  }
}
