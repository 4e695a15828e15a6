/**
 * Both engines' APIs for the API contract (api-cases.ts), each as its `up` builds it: the local
 * one a ControlPlane on a SQLite file in a fresh home, the Kubernetes one a ClusterControlPlane
 * on the recorded API server contract (test/kubernetes/fake-apiserver.ts), its accounts graymesh
 * objects there. Both listen on a real socket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ControlPlane } from '../../src/controlplane/control-plane.js';
import { buildServer } from '../../src/controlplane/server.js';
import { ClusterControlPlane } from '../../src/kubernetes/control-plane.js';
import { Home } from '../../src/runtime/home.js';
import { FakeApiServer } from '../kubernetes/fake-apiserver.js';
import type { ApiHarness } from './api-cases.js';

const useConsole = (dir: string): void => {
  process.env.GRAYMESH_CONSOLE_DIR = dir;
};

export class LocalApi implements ApiHarness {
  readonly name = 'local';
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-api-local-'));
  private cp: ControlPlane | undefined;
  private app: FastifyInstance | undefined;

  async start(consoleDir: string): Promise<{ url: string; token: string; adminPassword: string }> {
    useConsole(consoleDir);
    const home = new Home(this.dir);
    this.cp = new ControlPlane({ home, port: 0, gatewayPort: 0, listen: '127.0.0.1', log: () => undefined });
    this.app = await buildServer(this.cp);
    const url = await this.app.listen({ port: 0, host: '127.0.0.1' });
    return { url, token: this.cp.token, adminPassword: home.adminCredentials().password };
  }

  async kept(user: string): Promise<{ passwordHash: string; tokenHashes: string[] } | undefined> {
    const db = this.cp!.store.database;
    const row = db.prepare('SELECT password_hash FROM auth_users WHERE name = ?').get(user) as { password_hash: string } | undefined;
    if (!row) return undefined;
    const tokens = db.prepare('SELECT hash FROM auth_tokens WHERE user = ?').all(user) as { hash: string }[];
    return { passwordHash: row.password_hash, tokenHashes: tokens.map((t) => t.hash) };
  }

  breaches(): string[] {
    return [];
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.cp?.stop(true);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class KubernetesApi implements ApiHarness {
  readonly name = 'kubernetes';
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'graymesh-api-kube-'));
  private fake: FakeApiServer | undefined;
  private cp: ClusterControlPlane | undefined;

  async start(consoleDir: string): Promise<{ url: string; token: string; adminPassword: string }> {
    useConsole(consoleDir);
    const home = new Home(this.dir);
    home.ensure();
    this.fake = await new FakeApiServer().start();
    this.cp = new ClusterControlPlane({
      conn: { context: 'fake', server: this.fake.url, namespace: 'default' },
      token: home.adminToken(),
        adminPassword: home.adminCredentials().password,
      port: 0,
      listen: '127.0.0.1',
      settleMs: 10,
      log: () => undefined,
    });
    await this.cp.start();
    return { url: this.cp.url, token: home.adminToken(), adminPassword: home.adminCredentials().password };
  }

  /** The User object in the cluster, and the Token objects naming the user. */
  async kept(user: string): Promise<{ passwordHash: string; tokenHashes: string[] } | undefined> {
    const u = this.fake!.get('User', undefined, user) as { spec: { passwordHash: string } } | undefined;
    if (!u) return undefined;
    const tokens = this.fake!.list('Token') as unknown as { spec: { user: string; hash: string } }[];
    return { passwordHash: u.spec.passwordHash, tokenHashes: tokens.filter((t) => t.spec.user === user).map((t) => t.spec.hash) };
  }

  breaches(): string[] {
    return [...(this.fake?.violations ?? [])];
  }

  async stop(): Promise<void> {
    await this.cp?.stop();
    await this.fake?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
