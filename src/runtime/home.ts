/**
 * The home of one graymesh instance (`~/.graymesh` or `$GRAYMESH_HOME`): the
 * store, logs, the instance file every command reads to find the control
 * plane, and the admin credentials (mode 0600).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/** What `up` records for every other command. */
export interface InstanceFile {
  /** Stable id of this home; every process it starts carries it (GRAYMESH_INSTANCE). */
  instance: string;
  url: string;
  gatewayUrl: string;
  pid: number;
  proxyPid?: number;
  startedAt: string;
}

export function resolveHome(explicit?: string): string {
  const h = explicit ?? process.env.GRAYMESH_HOME ?? path.join(os.homedir(), '.graymesh');
  return path.resolve(h);
}

export class Home {
  constructor(readonly dir: string) {}

  get dbFile(): string {
    return path.join(this.dir, 'graymesh.db');
  }

  get instanceFile(): string {
    return path.join(this.dir, 'instance.json');
  }

  get credentialsFile(): string {
    return path.join(this.dir, 'admin-credentials');
  }

  get logDir(): string {
    return path.join(this.dir, 'logs');
  }

  ensure(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    mkdirSync(this.logDir, { recursive: true });
  }

  /** The id of this home, created on first use. */
  instanceId(): string {
    const f = path.join(this.dir, 'instance-id');
    if (existsSync(f)) return readFileSync(f, 'utf8').trim();
    this.ensure();
    const id = randomUUID();
    writeFileSync(f, `${id}\n`);
    return id;
  }

  /** The admin token, created (mode 0600) on first use; never printed. */
  adminToken(): string {
    const f = this.credentialsFile;
    if (existsSync(f)) {
      const m = /^token:\s*(\S+)/m.exec(readFileSync(f, 'utf8'));
      if (m) return m[1] as string;
    }
    this.ensure();
    const token = `gm_${randomBytes(24).toString('base64url')}`;
    writeFileSync(f, `# graymesh admin credentials; keep this file private\nusername: admin\ntoken: ${token}\n`, { mode: 0o600 });
    chmodSync(f, 0o600);
    return token;
  }

  readInstance(): InstanceFile | undefined {
    try {
      return JSON.parse(readFileSync(this.instanceFile, 'utf8')) as InstanceFile;
    } catch {
      return undefined;
    }
  }

  writeInstance(inst: InstanceFile): void {
    this.ensure();
    const tmp = `${this.instanceFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(inst, null, 2));
    renameSync(tmp, this.instanceFile);
  }
}
