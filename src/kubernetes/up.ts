/**
 * `graymesh up --engine kubernetes [--kubeconfig FILE] [--context NAME]`: graymesh's API and
 * release controller in front of a cluster, found as kubectl finds it. With --detach it runs in
 * the background and the command returns once the API answers. The CLI on the same home then
 * speaks to the cluster through it.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { unavailable } from '../api/errors.js';
import type { Home } from '../runtime/home.js';
import { PACKAGE_ROOT } from '../runtime/image-catalog.js';
import { INSTANCE_ENV } from '../runtime/process-marker.js';
import { ClusterControlPlane } from './control-plane.js';
import { loadKubeconfig } from './kubeconfig.js';

export interface KubernetesUpOptions {
  detach?: boolean;
  port: number;
  listen: string;
  kubeconfig?: string;
  context?: string;
  prometheus?: string;
  jaeger?: string;
  /** ms to wait after each release step when istiod's sync status cannot be read. */
  settleMs?: number;
}

/** The flags of `graymesh up`, as commander gives them. */
export interface UpFlags {
  detach?: boolean;
  port: number;
  gatewayPort: number;
  /** The gateway's TLS port (local engine). */
  gatewayTlsPort?: number;
  sample: boolean;
  listen: string;
  prometheus?: string;
  engine: string;
  kubeconfig?: string;
  context?: string;
  jaeger?: string;
  settleTime?: number;
  kubePort?: number;
}

export function kubernetesUpOptions(f: UpFlags): KubernetesUpOptions {
  return {
    detach: f.detach === true,
    port: f.port,
    listen: f.listen,
    ...(f.kubeconfig ? { kubeconfig: f.kubeconfig } : {}),
    ...(f.context ? { context: f.context } : {}),
    ...(f.prometheus ? { prometheus: f.prometheus } : {}),
    ...(f.jaeger ? { jaeger: f.jaeger } : {}),
    ...(f.settleTime !== undefined ? { settleMs: f.settleTime } : {}),
  };
}

const CLI = path.join(PACKAGE_ROOT, 'bin', 'graymesh.js');

function args(home: Home, o: KubernetesUpOptions): string[] {
  const a = [CLI, 'up', '--engine', 'kubernetes', '--home', home.dir, '--port', String(o.port), '--listen', o.listen];
  if (o.kubeconfig) a.push('--kubeconfig', path.resolve(o.kubeconfig));
  if (o.context) a.push('--context', o.context);
  if (o.prometheus) a.push('--prometheus', o.prometheus);
  if (o.jaeger) a.push('--jaeger', o.jaeger);
  if (o.settleMs !== undefined) a.push('--settle-time', String(o.settleMs));
  return a;
}

export async function upKubernetes(home: Home, o: KubernetesUpOptions): Promise<number> {
  home.ensure();
  // Read the kubeconfig first: a wrong context fails here, in the foreground, with kubectl's words.
  const conn = loadKubeconfig({ ...(o.kubeconfig ? { file: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}) });
  if (o.detach) return detach(home, o);
  const log = (msg: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
  };
  const cp = new ClusterControlPlane({
    conn,
    token: home.adminToken(),
    adminPassword: home.adminCredentials().password,
    port: o.port,
    listen: o.listen,
    log,
    ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}),
    ...(o.prometheus ? { prometheus: o.prometheus } : {}),
    ...(o.jaeger ? { jaeger: o.jaeger } : {}),
  });
  try {
    await cp.start();
  } catch (err) {
    await cp.stop().catch(() => undefined);
    throw err;
  }
  home.writeInstance({ instance: home.instanceId(), url: cp.url, gatewayUrl: '', pid: process.pid, startedAt: new Date().toISOString() });
  if (process.env.GRAYMESH_DAEMON !== '1') {
    process.stdout.write(`graymesh is running on Kubernetes (context ${conn.context}, ${conn.server})\n  API: ${cp.url}/api/v1/status\n`);
  }
  const stop = async (): Promise<void> => {
    log('stopping the kubernetes engine (the cluster keeps running what it runs)');
    await cp.stop();
    const inst = home.readInstance();
    if (inst?.pid === process.pid) home.writeInstance({ ...inst, pid: 0 });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  return new Promise<number>(() => undefined);
}

async function detach(home: Home, o: KubernetesUpOptions): Promise<number> {
  const log = path.join(home.logDir, 'controlplane.log');
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, args(home, { ...o, detach: false }), {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, [INSTANCE_ENV]: home.instanceId(), GRAYMESH_DAEMON: '1' },
  });
  closeSync(fd);
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited) {
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      throw unavailable((lines.reverse().find((l) => l.startsWith('error:')) ?? 'the control plane exited').replace(/^error:\s*/, ''));
    }
    const inst = home.readInstance();
    if (inst && inst.pid === child.pid) {
      const ok = await fetch(`${inst.url}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      if (ok) {
        process.stdout.write(`graymesh is running on Kubernetes (home ${home.dir})\n  API: ${inst.url}/api/v1/status\n  log: ${log}\n`);
        return 0;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw unavailable(`graymesh did not become ready within 120 s; see ${log}`);
}
