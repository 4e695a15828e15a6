/**
 * The home of one graymesh instance (`~/.graymesh` or `$GRAYMESH_HOME`): the
 * store, logs, the instance file every command reads to find the control
 * plane, the admin credentials and the CLI's login session (both mode 0600).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
  /** The Kubernetes API kubectl talks to (`up --kube-port`), https. */
  kubeUrl?: string;
  startedAt: string;
}

/** The admin credentials of a home: the first account's password and the instance token. */
export interface AdminCredentials {
  username: string;
  /** The initial password of the `admin` account (console and `graymesh login`). */
  password: string;
  /** The instance token: the CLI on this home and the node proxies act with it, as platform-admin. */
  token: string;
}

/** What `graymesh login` keeps for later commands on this home. */
export interface Session {
  /** The control plane the token is for. */
  url: string;
  username: string;
  token: string;
  /** RFC 3339. */
  expiresAt: string;
}

/** Writes a private file (mode 0600) atomically. */
function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
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

  get sessionFile(): string {
    return path.join(this.dir, 'session');
  }

  /** The instance token, created (mode 0600) on first use; never printed. */
  adminToken(): string {
    const f = this.credentialsFile;
    if (existsSync(f)) {
      const m = /^token:\s*(\S+)/m.exec(readFileSync(f, 'utf8'));
      if (m) return m[1] as string;
    }
    return this.adminCredentials().token;
  }

  /**
   * The admin credentials, created (mode 0600) on first use, or completed
   * with a password when a home from before accounts has only a token. Never printed.
   */
  adminCredentials(): AdminCredentials {
    const f = this.credentialsFile;
    const text = existsSync(f) ? readFileSync(f, 'utf8') : '';
    const field = (k: string): string | undefined => new RegExp(`^${k}:\\s*(\\S+)`, 'm').exec(text)?.[1];
    const creds: AdminCredentials = {
      username: 'admin',
      password: field('password') ?? randomBytes(15).toString('base64url'),
      token: field('token') ?? `gm_${randomBytes(24).toString('base64url')}`,
    };
    if (field('password') === undefined || field('token') === undefined) {
      this.ensure();
      writePrivate(
        f,
        [
          '# graymesh admin credentials; keep this file private.',
          '# The password is the initial one of the admin account (console, graymesh login);',
          '# changing it later does not update this file. The CLI on this home and the node',
          '# proxies act with the instance token below.',
          `username: ${creds.username}`,
          `password: ${creds.password}`,
          `token: ${creds.token}`,
          '',
        ].join('\n'),
      );
    }
    return creds;
  }

  /** The CLI's login session on this home, if any. */
  readSession(): Session | undefined {
    try {
      return JSON.parse(readFileSync(this.sessionFile, 'utf8')) as Session;
    } catch {
      return undefined;
    }
  }

  writeSession(s: Session): void {
    this.ensure();
    writePrivate(this.sessionFile, `${JSON.stringify(s, null, 2)}\n`);
  }

  clearSession(): void {
    rmSync(this.sessionFile, { force: true });
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
