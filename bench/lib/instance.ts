/**
 * A real graymesh instance for `npm run bench -- system`, as a user runs it:
 * `graymesh up --detach --no-sample` in a home of its own (real control
 * plane, tracing, metrics and access log at their defaults), then one
 * workload applied as a user would — Service `upstream` in project `bench`,
 * a Deployment whose container runs the benchmark upstream (1 KB answers,
 * keep-alive) by command. Found from the instance: the control plane's and
 * the proxy's pids, the workload's pid and port, and its outbound listener
 * (the workload's HTTP_PROXY).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import YAML from 'yaml';
import { freePort } from '../../src/runtime/ports.js';
import { script } from './env.js';

export const BENCH_PROJECT = 'bench';
export const GATEWAY_HOST = `upstream.${BENCH_PROJECT}.localhost`;

export interface BenchInstance {
  root: string;
  home: string;
  cpPid: number;
  proxyPid: number;
  gatewayPort: number;
  /** The workload's outbound listener (its HTTP_PROXY). */
  outboundPort: number;
  upstreamPort: number;
  upstreamPid: number;
  /** Spans stored so far (the span store's highest row id). */
  spansStored(): number;
  /** Turns application governance (tracing at the edge) on or off for the project, and waits until the proxy enforces it. */
  setGovernance(on: boolean): Promise<void>;
  stop(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function manifest(): string {
  const labels = { app: 'upstream', version: 'v1' };
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_PROJECT } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'upstream', namespace: BENCH_PROJECT, labels: { app: 'upstream' } },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 80 }], selector: { app: 'upstream' } },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'upstream-v1', namespace: BENCH_PROJECT, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'upstream', image: 'bench/upstream', command: ['node', script('upstream')] }] } },
      },
    },
  ];
  return objects.map((o) => YAML.stringify(o)).join('---\n');
}

/** One GET through the gateway: its status, or 0 when nothing answered. */
export function probe(port: number, host: string, absolute = false): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: absolute ? `http://${host}/` : '/', headers: { host }, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export async function startInstance(root: string): Promise<BenchInstance> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'graymesh-bench-system-'));
  const cli = path.join(root, 'bin', 'graymesh.js');
  const env = { ...process.env, GRAYMESH_HOME: home };
  const run = (args: string[]): string => {
    const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`graymesh ${args.join(' ')} (${root}): ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const [port, gatewayPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
  // Ports of its own, so that a baseline instance (or another graymesh on this machine) runs beside it.
  run(['up', '--detach', '--no-sample', '--port', String(port), '--gateway-port', String(gatewayPort), '--gateway-tls-port', String(tlsPort)]);
  const down = (): void => {
    spawnSync(process.execPath, [cli, 'down'], { env });
    rmSync(home, { recursive: true, force: true });
  };
  try {
    return await deploy(root, home, gatewayPort, run, down);
  } catch (err) {
    down();
    throw err;
  }
}

async function deploy(root: string, home: string, gatewayPort: number, run: (args: string[]) => string, down: () => void): Promise<BenchInstance> {
  const inst = JSON.parse(readFileSync(path.join(home, 'instance.json'), 'utf8')) as { pid: number; proxyPid: number };
  const file = path.join(home, 'bench-upstream.yaml');
  writeFileSync(file, manifest());
  run(['apply', '-f', file]);
  let pod: { status?: { pid?: number; port?: number; containerStatuses?: { ready?: boolean }[] } } | undefined;
  for (let i = 0; i < 300; i++) {
    const pods = JSON.parse(run(['get', 'pods', '-p', BENCH_PROJECT, '-o', 'json'])) as { items: (typeof pod)[] };
    pod = pods.items[0];
    if (pod?.status?.containerStatuses?.[0]?.ready && (await probe(gatewayPort, GATEWAY_HOST)) === 200) break;
    await sleep(100);
  }
  const upstreamPid = pod?.status?.pid ?? 0;
  if (!upstreamPid || (await probe(gatewayPort, GATEWAY_HOST)) !== 200) throw new Error(`the upstream workload did not become ready through the gateway (${root})`);
  const proxyUrl = /(?:^|\0)HTTP_PROXY=([^\0]+)/.exec(readFileSync(`/proc/${upstreamPid}/environ`, 'latin1'))?.[1] ?? '';
  const outboundPort = Number(new URL(proxyUrl).port);
  const db = new Database(path.join(home, 'traces.db'), { readonly: true, fileMustExist: true });
  const stored = db.prepare('SELECT coalesce(max(id), 0) AS n FROM spans');
  const spansStored = (): number => (stored.get() as { n: number }).n;
  return {
    root,
    home,
    cpPid: inst.pid,
    proxyPid: inst.proxyPid,
    gatewayPort,
    outboundPort,
    upstreamPort: pod?.status?.port ?? 0,
    upstreamPid,
    spansStored,
    async setGovernance(on) {
      run(['project', 'set', BENCH_PROJECT, '--governance', on ? 'on' : 'off']);
      // Enforced when one request makes spans (on), or makes none within two export intervals (off).
      for (let i = 0; i < 20; i++) {
        const before = spansStored();
        await probe(gatewayPort, GATEWAY_HOST);
        await sleep(1200);
        if (on === spansStored() > before) return;
      }
      throw new Error(`governance ${on ? 'on' : 'off'} was not enforced within 24 s`);
    },
    stop() {
      db.close();
      down();
    },
  };
}
