/**
 * HAProxy and nginx in front of the benchmark upstream, each at its package's
 * defaults (thread and worker counts as Debian ships them) plus what a user
 * sets for a keep-alive reverse proxy: keep-alive to the upstream, HTTP/1.1,
 * no access log. Each runs in the foreground in a directory of its own; a
 * proxy that is not installed is skipped with the reason and the fix.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/runtime/ports.js';
import { probe } from './instance.js';

export interface CProxy {
  name: string;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

const installed = (exe: string): boolean => spawnSync('sh', ['-c', `command -v ${exe}`]).status === 0;

function haproxyConfig(port: number, upstream: number): string {
  return `defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
frontend bench
  bind 127.0.0.1:${port}
  default_backend upstream
backend upstream
  http-reuse always
  server u1 127.0.0.1:${upstream}
`;
}

function nginxConfig(dir: string, port: number, upstream: number): string {
  return `worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream bench { server 127.0.0.1:${upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 100000;
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

async function start(name: string, exe: string, args: (dir: string, port: number) => string[], config: (dir: string, port: number) => [string, string]): Promise<CProxy> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `graymesh-bench-${exe}-`));
  const port = await freePort();
  const [file, text] = config(dir, port);
  writeFileSync(path.join(dir, file), text);
  const child = spawn(exe, args(dir, port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    if ((await probe(port, 'upstream')) === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.exitCode !== null || (await probe(port, 'upstream')) !== 200) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start: ${err.trim()}`);
  }
  return {
    name,
    pid: child.pid as number,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** HAProxy and nginx on `upstream`; `skipped` says which could not run, and why. */
export async function startCProxies(upstream: number): Promise<{ proxies: CProxy[]; skipped: string[] }> {
  const proxies: CProxy[] = [];
  const skipped: string[] = [];
  const tries: [string, string, () => Promise<CProxy>][] = [
    [
      'HAProxy',
      'haproxy',
      () => start('HAProxy', 'haproxy', (dir) => ['-db', '-f', path.join(dir, 'haproxy.cfg')], (_dir, port) => ['haproxy.cfg', haproxyConfig(port, upstream)]),
    ],
    [
      'nginx',
      'nginx',
      () =>
        start('nginx', 'nginx', (dir) => ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], (dir, port) => ['nginx.conf', nginxConfig(dir, port, upstream)]),
    ],
  ];
  for (const [name, exe, run] of tries) {
    if (!installed(exe)) {
      skipped.push(`${name}: skipped, \`${exe}\` is not on PATH (Debian: apt-get install ${exe})`);
      continue;
    }
    try {
      proxies.push(await run());
    } catch (err) {
      skipped.push(`${name}: skipped, ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return { proxies, skipped };
}
