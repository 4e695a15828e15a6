/**
 * client-go credential plugins: run the kubeconfig's `exec` command and read the ExecCredential
 * it prints (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins).
 * The credential is kept until its expirationTimestamp.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { unauthorized } from '../api/errors.js';
import type { ExecConfig } from './kubeconfig.js';

export interface ExecCredential {
  token?: string;
  cert?: string;
  key?: string;
  /** ms since the epoch; undefined: does not expire. */
  expiresAt?: number;
}

/** Runs the plugin; rejects with the plugin's own message when it fails. */
export function runExecPlugin(exec: ExecConfig): Promise<ExecCredential> {
  const command = exec.command.includes('/') && !path.isAbsolute(exec.command) ? path.resolve(exec.dir, exec.command) : exec.command;
  const env = { ...process.env };
  for (const e of exec.env ?? []) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  return new Promise((resolve, reject) => {
    execFile(command, exec.args ?? [], { env, timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(unauthorized(`credential plugin ${exec.command} failed: ${(stderr || err.message).trim().split('\n')[0]}`));
        return;
      }
      try {
        const status = (JSON.parse(stdout) as { status?: Record<string, string> }).status ?? {};
        const out: ExecCredential = {};
        if (status.token) out.token = status.token;
        if (status.clientCertificateData) out.cert = status.clientCertificateData;
        if (status.clientKeyData) out.key = status.clientKeyData;
        if (status.expirationTimestamp) out.expiresAt = Date.parse(status.expirationTimestamp);
        if (!out.token && !(out.cert && out.key)) throw new Error('no token and no client certificate in its status');
        resolve(out);
      } catch (e) {
        reject(unauthorized(`credential plugin ${exec.command}: unreadable ExecCredential (${(e as Error).message})`));
      }
    });
  });
}

/** A plugin's credential, fetched on first use and again once expired (or after a 401). */
export class ExecCredentialCache {
  private current: ExecCredential | undefined;
  private pending: Promise<ExecCredential> | undefined;

  constructor(private readonly exec: ExecConfig, private readonly run = runExecPlugin) {}

  async get(): Promise<ExecCredential> {
    const c = this.current;
    // Renew a little early so a request does not carry a token that expires in flight.
    if (c && (c.expiresAt === undefined || c.expiresAt - 10_000 > Date.now())) return c;
    this.pending ??= this.run(this.exec).finally(() => (this.pending = undefined));
    this.current = await this.pending;
    return this.current;
  }

  invalidate(): void {
    this.current = undefined;
  }
}
