/**
 * The control plane of the local engine: the store, the controllers, config
 * distribution, and the REST API in one process.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { KubeObject } from '../api/objects.js';
import { Home } from '../runtime/home.js';
import { Supervisor } from '../runtime/supervisor.js';
import type { ProxySupervisor } from '../runtime/proxy-supervisor.js';
import { Distributor } from './distributor.js';
import { buildSnapshotContent } from './snapshot-builder.js';
import { Store, type WatchEvent } from './store.js';
import { SqliteObjectStore } from './object-store.js';
import { WorkloadController } from './controllers/workloads.js';
import { LocalPodLogs } from './pod-logs.js';
import type { ReleaseController } from '../engine/releases/controller.js';
import type { Release } from '../config/release/types.js';
import { localLoad, localMesh, localReleaseController } from './controllers/releases.js';
import type { Mesh } from '../engine/mesh.js';
import type { AutomaticStep } from '../engine/releases/host.js';
import { releaseMetrics } from '../telemetry/query/release-metrics.js';
import { buildServer } from './server.js';
import { Telemetry } from './telemetry/telemetry.js';
import { judgeStored, recordVerdicts } from './tenancy.js';
import { recordCredentialVerdicts } from './tls-credentials.js';
import { admitGatewayPorts } from './gateway-admission.js';
import { DEFAULT_GATEWAY_TLS_PORT } from '../config/gateway-ports.js';
import { loadSealKey, sealingCodec } from './secret-seal.js';
import { gatewayCredentials, recordGatewayCredentialVerdicts } from './gateway-credentials.js';
import type { AuthService } from '../apiserver/auth/auth-service.js';
import type { ProjectDirectory } from '../apiserver/projects.js';
import type { ObjectWrites } from '../apiserver/routes/objects.js';
import type { ProjectWrites } from '../apiserver/routes/project-writes.js';
import type { PrepareObjects } from '../apiserver/routes/releases.js';
import type { NodeOperations } from '../apiserver/routes/node.js';

/** The parts of the shared API this control plane serves with, for another API over the same objects (the Kubernetes API). */
export interface SharedApiParts {
  auth: AuthService;
  projects: ProjectDirectory;
  writes: ObjectWrites;
  prepare: PrepareObjects;
  projectWrites: ProjectWrites;
  node: NodeOperations;
}

export interface ControlPlaneOptions {
  home: Home;
  /** API port (0 for any). */
  port: number;
  gatewayPort: number;
  /** Where a Gateway server on port 443 binds (`--gateway-tls-port`, default 8443), shown in the status. */
  gatewayTlsPort?: number;
  /** Address to listen on. */
  listen: string;
  /** A Prometheus to read metrics from instead of the embedded metrics store (`up --prometheus URL`). */
  prometheus?: string;
  log(msg: string): void;
}

const SNAPSHOT_KINDS = new Set(['Namespace', 'Service', 'Pod', 'Deployment', 'VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Secret']);

export class ControlPlane {
  readonly store: Store;
  /** The store as the engine-neutral object store (the shared routes read through it). */
  readonly objects: SqliteObjectStore;
  readonly distributor = new Distributor();
  readonly supervisor: Supervisor;
  readonly workloads: WorkloadController;
  /** Pods' logs read and followed from their files (the PodLogs port). */
  readonly podLogs: LocalPodLogs;
  readonly releases: ReleaseController;
  /** The Mesh port: the distributor's snapshot, ACKed by every node proxy. */
  readonly mesh: Mesh;
  readonly telemetry: Telemetry;
  readonly instance: string;
  readonly token: string;
  /** Where steps graymesh takes by itself are audited (the API server sets it). */
  auditStep: ((step: AutomaticStep) => void) | undefined;
  private readonly load = localLoad((msg) => this.opts.log(msg));
  /** The node proxy's supervisor, when this control plane runs the proxy (`up` sets it). */
  proxies: ProxySupervisor | undefined;
  /** Set once the REST API is built (start). */
  shared: SharedApiParts | undefined;
  private app: FastifyInstance | undefined;
  private lastContent = '';
  private snapshotScheduled = false;
  private unwatch: (() => void) | undefined;
  url = '';

  constructor(readonly opts: ControlPlaneOptions) {
    opts.home.ensure();
    this.store = new Store(opts.home.dbFile, sealingCodec(loadSealKey(path.join(opts.home.dir, 'secret-key'))));
    this.objects = new SqliteObjectStore(this.store);
    this.instance = opts.home.instanceId();
    this.token = opts.home.adminToken();
    this.supervisor = new Supervisor((ns, name, state) => this.workloads.onPodState(ns, name, state));
    this.workloads = new WorkloadController({
      store: this.store,
      supervisor: this.supervisor,
      home: opts.home.dir,
      instance: this.instance,
      syncConfig: () => this.syncConfig(),
      waitForConfig: (v) => this.distributor.waitFor(v, 5_000),
      log: opts.log,
    });
    this.podLogs = new LocalPodLogs(this.store, opts.home.dir);
    this.telemetry = new Telemetry({
      homeDir: opts.home.dir,
      store: this.store,
      distributor: this.distributor,
      ...(opts.prometheus ? { prometheusUrl: opts.prometheus } : {}),
      ...(process.env.GRAYMESH_OTLP_EXPORT_URL ? { exportUrl: process.env.GRAYMESH_OTLP_EXPORT_URL } : {}),
      log: opts.log,
    });
    this.mesh = localMesh({
      settle: () => this.settle(),
      publish: () => this.syncConfig(),
      waitFor: (v, ms) => this.distributor.waitFor(v, ms),
      proxies: () => this.distributor.list(),
    });
    const embedded = this.telemetry.source.kind === 'embedded';
    this.releases = localReleaseController(
      {
        store: this.store,
        mesh: this.mesh,
        log: opts.log,
        // The embedded store reads every proxy at the end of each check window, so a window ends at the present.
        metrics: releaseMetrics(this.telemetry.source, embedded ? () => this.telemetry.poller.poll() : undefined),
        audit: (step) => this.auditStep?.(step),
      },
      this.load,
    );
  }

  get gatewayPort(): number {
    return this.opts.gatewayPort;
  }

  get gatewayTlsPort(): number | undefined {
    return this.opts.gatewayTlsPort;
  }

  async start(): Promise<void> {
    this.unwatch = this.store.watch((e) => this.onEvent(e));
    await this.releases.start();
    this.syncConfig();
    this.app = await buildServer(this);
    const address = await this.app.listen({ port: this.opts.port, host: this.opts.listen });
    this.url = address.replace('[::1]', '127.0.0.1');
    this.telemetry.start();
    await this.workloads.resume();
    // Releases resume once a proxy is back (bounded), so their make-before-break steps wait for its ACKs.
    void this.distributor
      .waitFor(0, 30_000, true)
      .catch(() => undefined)
      .then(() => this.releases.resume())
      .catch((err: Error) => this.opts.log(`releases: resume: ${err.message}`));
  }

  /**
   * Rebuilds the snapshot now and publishes it when its content changed; returns the current
   * version. Traffic objects the tenancy check refuses now are marked on their status and left out.
   */
  syncConfig(): number {
    const refused = judgeStored(this.store);
    recordVerdicts(this.store, refused);
    recordCredentialVerdicts(this.store);
    recordGatewayCredentialVerdicts(this.store);
    const content = { ...buildSnapshotContent(this.store, this.opts.gatewayPort, refused), ...gatewayCredentials(this.store, refused) };
    const text = JSON.stringify(content);
    if (text === this.lastContent && this.distributor.current) return this.distributor.version;
    this.lastContent = text;
    const version = this.store.nextCounter('configVersion');
    this.distributor.publish({ version, ...content });
    return version;
  }

  /** Publishes the current config and waits until every connected proxy enforces it. */
  async settle(timeoutMs = 10_000): Promise<number> {
    const v = this.syncConfig();
    await this.distributor.waitFor(v, timeoutMs);
    return v;
  }

  /** Refuses objects that cannot be admitted as they are (a release on a service that already has one). */
  async admit(o: KubeObject): Promise<void> {
    if (o.kind === 'Release') await this.releases.admit(o as Release);
    if (o.kind === 'Gateway') {
      await admitGatewayPorts(o, {
        gatewayPort: this.opts.gatewayPort,
        tlsPort: this.opts.gatewayTlsPort ?? DEFAULT_GATEWAY_TLS_PORT,
        host: this.opts.listen,
        apiPort: Number(new URL(this.url || 'http://127.0.0.1:0').port) || this.opts.port,
        gateways: this.store.list('Gateway'),
        snapshot: this.distributor.current,
      });
    }
  }

  private onEvent(e: WatchEvent): void {
    const o: KubeObject = e.object;
    if (o.kind === 'Deployment') this.workloads.enqueue(o.metadata.namespace ?? 'default', o.metadata.name);
    if (SNAPSHOT_KINDS.has(o.kind) && !this.snapshotScheduled) {
      this.snapshotScheduled = true;
      setImmediate(() => {
        this.snapshotScheduled = false;
        this.syncConfig();
      });
    }
  }

  /**
   * Stops the control plane. With stopWorkloads the pods are stopped too (Ctrl-C,
   * `down`); without, they keep running for a later control plane to adopt.
   */
  async stop(stopWorkloads: boolean): Promise<void> {
    // No proxy restarts from here on; whoever stops the control plane stops the proxy if it should.
    this.proxies?.stop(false);
    this.workloads.close();
    await this.releases.close();
    this.load.close();
    this.unwatch?.();
    if (stopWorkloads) await this.supervisor.stopAll(5_000);
    else this.supervisor.detachAll();
    this.distributor.close();
    await this.app?.close();
    await this.telemetry.close();
    this.store.close();
  }
}
