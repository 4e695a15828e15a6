/**
 * Runs real graymesh instances for end-to-end tests: the built CLI as child
 * processes, a fresh home in a temp dir, free ports, and `down` afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'bin', 'graymesh.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export class Instance {
  readonly home: string;
  port = 0;
  gatewayPort = 0;
  /** The gateway's TLS port (`--gateway-tls-port`). */
  gatewayTlsPort = 0;

  constructor() {
    this.home = mkdtempSync(path.join(os.tmpdir(), 'graymesh-test-'));
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A field of the admin-credentials file `up` writes (`password` or `token`); throws when it is missing. */
  adminCredential(field: 'password' | 'token'): string {
    const value = new RegExp(`^${field}:\\s*(\\S+)`, 'm').exec(readFileSync(path.join(this.home, 'admin-credentials'), 'utf8'))?.[1];
    if (!value) throw new Error(`no ${field} in ${this.home}/admin-credentials`);
    return value;
  }

  /** Runs the CLI synchronously against this home. */
  cli(args: string[], input?: string, env: Record<string, string> = {}): CliResult {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      env: { ...process.env, GRAYMESH_HOME: this.home, ...env },
      input,
      encoding: 'utf8',
      timeout: 240_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs the CLI without blocking the event loop (for tests that serve requests meanwhile). */
  cliAsync(args: string[], input?: string): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, GRAYMESH_HOME: this.home } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      if (input !== undefined) child.stdin.end(input);
      else child.stdin.end();
      child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  async up(extra: string[] = ['--no-sample']): Promise<CliResult> {
    const chosen = !this.port || !this.gatewayPort;
    if (!this.port) this.port = await freePort();
    if (!this.gatewayPort) this.gatewayPort = await freePort();
    if (!this.gatewayTlsPort) this.gatewayTlsPort = await freePort();
    const run = (): Promise<CliResult> =>
      this.cliAsync(['up', '--detach', '--port', String(this.port), '--gateway-port', String(this.gatewayPort), '--gateway-tls-port', String(this.gatewayTlsPort), ...extra]);
    const r = await run();
    // A port found free can be taken by another process before up binds it; when this
    // helper chose the ports itself, choose again once.
    if (chosen && r.code !== 0 && /port \d+ is in use/.test(r.stderr)) {
      this.port = await freePort();
      this.gatewayPort = await freePort();
      this.gatewayTlsPort = await freePort();
      return run();
    }
    return r;
  }

  down(): CliResult {
    return this.cli(['down']);
  }

  json<T>(args: string[]): T {
    const r = this.cli([...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`graymesh ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** A GET through the gateway with the given Host. */
  gateway(host: string, urlPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
    return request(this.gatewayPort, urlPath, { host, ...headers });
  }

  cleanup(): void {
    this.down();
    rmSync(this.home, { recursive: true, force: true });
  }
}

export function request(
  port: number,
  urlPath: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, headers, agent: false, timeout: 30_000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls fn until it returns a truthy value or the deadline passes (then throws with the last value). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** CLI runners as named users (their tokens kept in `tokens`), or as the home's own admin when no user is named. */
export function usersOf(
  gm: Instance,
  tokens: Record<string, string>,
): { as: (user: string | undefined, args: string[], input?: string) => CliResult; okAs: (user: string | undefined, args: string[], input?: string) => string } {
  const as = (user: string | undefined, args: string[], input?: string): CliResult => gm.cli(args, input, user ? { GRAYMESH_TOKEN: tokens[user] as string } : {});
  const okAs = (user: string | undefined, args: string[], input?: string): string => {
    const r = as(user, args, input);
    if (r.code !== 0) throw new Error(`${user ?? 'admin'}: graymesh ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  return { as, okAs };
}
