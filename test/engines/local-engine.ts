/**
 * The local engine for the contract suite, as `graymesh up` runs it but in this process: a
 * ControlPlane on a SQLite file in a temp home (its store, distributor, workload controller
 * and supervisor running real workload processes, and its release controller), and a real
 * node proxy (NodeProxy) holding the config stream and ACKing every snapshot it enforces.
 * A restart stops the control plane without stopping its workloads, as a crash leaves them,
 * and starts another on the same home and port, which adopts them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Deployment } from '../../src/api/objects.js';
import type { ConfigSnapshot } from '../../src/config/snapshot.js';
import { applyObjects, prepare } from '../../src/controlplane/apply.js';
import { ControlPlane } from '../../src/controlplane/control-plane.js';
import { localWorkloads } from '../../src/controlplane/controllers/releases.js';
import { SqliteObjectStore } from '../../src/controlplane/object-store.js';
import { buildSnapshotContent } from '../../src/controlplane/snapshot-builder.js';
import type { WatchEvent } from '../../src/controlplane/store.js';
import { ConfigClient } from '../../src/dataplane/config-client.js';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import { Home } from '../../src/runtime/home.js';
import { freePort } from '../../src/runtime/ports.js';
import { eventually, Gate, NS, projectObjects, routeLine, subsetsLine, type EngineHarness } from './harness.js';

/** The routing of a snapshot or of the store's content, to tell whether the proxy enforces what the store holds. */
const routing = (c: Pick<ConfigSnapshot, 'virtualServices' | 'destinationRules'>): string => JSON.stringify([c.virtualServices, c.destinationRules]);

export class LocalEngine implements EngineHarness {
  readonly name = 'local';
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-engines-'));
  private readonly readyDir = path.join(this.dir, 'ready');
  private readonly home = new Home(path.join(this.dir, 'home'));
  private readonly proxy = new NodeProxy({ gatewayPort: 0 });
  private readonly acks = new Gate();
  private readonly lines: string[] = [];
  private readonly ready = new Set<string>();
  private cp!: ControlPlane;
  private objects!: SqliteObjectStore;
  private client: ConfigClient | undefined;
  private unwatch: (() => void) | undefined;
  private port = 0;

  get releases(): ControlPlane['releases'] {
    return this.cp.releases;
  }

  get store(): SqliteObjectStore {
    return this.objects;
  }

  async start(): Promise<void> {
    mkdirSync(this.readyDir, { recursive: true });
    this.allowReady('v1');
    this.port = await freePort();
    await this.boot();
    await this.proxy.start();
    this.client = new ConfigClient({
      url: this.cp.url,
      token: this.cp.token,
      name: 'engine-contract',
      apply: (s) => this.enforce(s),
      version: () => this.proxy.version,
      log: () => undefined,
    });
    this.client.start();
    await eventually(() => this.cp.distributor.list().some((p) => p.connected), 'the proxy to connect');
    applyObjects(this.cp.store, prepare(this.cp.store, projectObjects(this.readyDir), NS).objects);
    await eventually(() => localWorkloads.ready(this.cp.store.get<Deployment>('Deployment', NS, 'reviews-v1')), 'reviews-v1 to be ready');
    this.lines.length = 0;
  }

  private async boot(): Promise<void> {
    this.cp = new ControlPlane({ home: this.home, port: this.port, gatewayPort: 0, listen: '127.0.0.1', log: () => undefined });
    await this.cp.start();
    this.objects = new SqliteObjectStore(this.cp.store);
    this.unwatch = this.cp.store.watch((e) => this.record(e));
  }

  async restart(): Promise<void> {
    this.unwatch?.();
    await this.cp.stop(false);
    await this.boot();
  }

  async stop(): Promise<void> {
    this.acks.openUp();
    this.client?.stop();
    this.unwatch?.();
    await this.cp.stop(true);
    await this.proxy.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  allowReady(version: string): void {
    writeFileSync(path.join(this.readyDir, version), '');
  }

  holdAcks(): void {
    this.acks.close();
  }

  allowAcks(): void {
    this.acks.openUp();
  }

  timeline(): string[] {
    return [...this.lines];
  }

  breaches(): string[] {
    return [];
  }

  /** The proxy's side: a snapshot is enforced (and ACKed) once the gate is open. */
  private async enforce(s: ConfigSnapshot): Promise<void> {
    await this.acks.wait();
    await this.proxy.apply(s);
    let now: string | undefined;
    try {
      now = routing(buildSnapshotContent(this.cp.store, 0));
    } catch {
      // The store of a control plane being stopped.
    }
    if (now === routing(s)) this.lines.push('in sync');
  }

  private record(e: WatchEvent): void {
    const o = e.object;
    const gone = e.type === 'DELETED';
    if (o.kind === 'VirtualService') this.lines.push(gone ? `delete VirtualService ${o.metadata.name}` : routeLine(o));
    else if (o.kind === 'DestinationRule') this.lines.push(gone ? `delete DestinationRule ${o.metadata.name}` : subsetsLine(o));
    else if ((o.kind === 'Release' || o.kind === 'Deployment') && e.type !== 'MODIFIED') this.lines.push(`${gone ? 'delete' : 'create'} ${o.kind} ${o.metadata.name}`);
    if (o.kind !== 'Deployment') return;
    const isReady = !gone && localWorkloads.ready(o as Deployment);
    if (isReady && !this.ready.has(o.metadata.name)) this.lines.push(`ready Deployment ${o.metadata.name}`);
    if (isReady) this.ready.add(o.metadata.name);
    else this.ready.delete(o.metadata.name);
  }
}
