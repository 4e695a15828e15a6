/**
 * `npm run bench -- restart`: the node proxy's supervision on a real instance
 * with Bookinfo under keep-alive load through the gateway (productpage, which
 * calls details and reviews through its outbound listener):
 *
 * - after `kill -9` of the proxy: time until the gateway serves the product
 *   page again (a probe on fresh connections every 10 ms), and the requests
 *   of the load that failed (those in flight in the killed process);
 * - `graymesh proxy restart` under the same load: the requests that failed
 *   (the goal is none) and how long the hand-over took.
 *
 * The baseline for the time to serve again is a bare Node process started to
 * its first answer, measured in the same run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../src/runtime/ports.js';
import { CLI, script } from './lib/env.js';
import { fig, median, type Figure } from './lib/figures.js';
import { startReady } from './lib/processes.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const HOST = 'productpage.demo-project.localhost';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Keep-alive loops through the gateway, counting answers and failures. */
class PageLoad {
  ok = 0;
  failed = 0;
  private stopped = false;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  private loops: Promise<void>[] = [];

  constructor(private readonly port: number) {}

  start(n = 6): void {
    for (let i = 0; i < n; i++) this.loops.push(this.loop());
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const good = await page(this.port, this.agent);
      if (good) this.ok++;
      else this.failed++;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.agent.destroy();
  }
}

/** One product page: true when it came with reviews (productpage reached them through its outbound listener). */
function page(port: number, agent: http.Agent | false): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/productpage', headers: { host: HOST }, agent, timeout: 10_000 }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => (b += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && b.includes('Reviews served by') && !b.includes('currently unavailable')));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

interface Instance {
  home: string;
  gateway: number;
  env: NodeJS.ProcessEnv;
  cli(args: string[]): string;
  proxyPid(): number;
}

async function startInstance(): Promise<Instance> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'graymesh-bench-restart-'));
  const port = await freePort();
  const gateway = await freePort();
  const env = { ...process.env, GRAYMESH_HOME: home };
  const cli = (args: string[]): string => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' }).stdout;
  cli(['up', '--detach', '--port', String(port), '--gateway-port', String(gateway)]);
  for (let i = 0; i < 1200 && !(await page(gateway, false)); i++) await sleep(50);
  const proxyPid = (): number => (JSON.parse(cli(['status', '-o', 'json'])) as { proxies: { pid: number }[] }).proxies[0]?.pid ?? 0;
  return { home, gateway, env, cli, proxyPid };
}

/** kill -9 of the proxy under load: ms until a fresh connection gets the page again, and the load's failures. */
async function killOnce(gm: Instance): Promise<{ ms: number; failed: number }> {
  const load = new PageLoad(gm.gateway);
  load.start();
  await sleep(1000);
  const pid = gm.proxyPid();
  const t0 = process.hrtime.bigint();
  process.kill(pid, 'SIGKILL');
  while (!(await page(gm.gateway, false))) await sleep(10);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await sleep(1000);
  await load.stop();
  // Wait until the supervisor reports the new process serving before the next round.
  for (let i = 0; i < 200 && gm.proxyPid() === pid; i++) await sleep(50);
  return { ms, failed: load.failed };
}

/** `graymesh proxy restart` under load: the load's failures and the command's duration. */
async function handoverOnce(gm: Instance): Promise<{ ms: number; failed: number; ok: number }> {
  const load = new PageLoad(gm.gateway);
  load.start();
  await sleep(1000);
  const t0 = process.hrtime.bigint();
  // Not spawnSync: the load's loops must keep running while the command does.
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'proxy', 'restart'], { env: gm.env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => {
      if (code !== 0) process.stderr.write(`bench: proxy restart exited with ${code}\n`);
      resolve();
    });
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await sleep(1000);
  await load.stop();
  return { ms, failed: load.failed, ok: load.ok };
}

export async function restart(): Promise<Figure[]> {
  const b0 = Date.now();
  const bare = await startReady(script('upstream'), ['0']);
  await new Promise<void>((r) => http.get({ host: '127.0.0.1', port: bare.port, path: '/' }, (res) => res.resume().on('end', r)));
  const bareMs = Date.now() - b0;
  await bare.stop();
  const gm = await startInstance();
  const kills: { ms: number; failed: number }[] = [];
  const handovers: { ms: number; failed: number; ok: number }[] = [];
  try {
    for (let i = 0; i < REPS; i++) {
      kills.push(await killOnce(gm));
      handovers.push(await handoverOnce(gm));
    }
  } finally {
    gm.cli(['down']);
    rmSync(gm.home, { recursive: true, force: true });
  }
  const served = handovers.reduce((n, h) => n + h.ok, 0);
  return [
    fig('restart', 'kill -9 of the proxy: gateway serves again after', kills.map((k) => k.ms), 'ms', { baseline: { name: 'bare Node process to first answer', value: bareMs }, goal: '≤ 2000 ms', met: median(kills.map((k) => k.ms)) <= 2000 }),
    fig('restart', 'kill -9: requests failed (in flight in the killed process, of 6 concurrent)', kills.map((k) => k.failed), 'requests'),
    fig('restart', 'proxy restart under load: requests failed', handovers.map((h) => h.failed), 'requests', { goal: '0', met: handovers.every((h) => h.failed === 0), note: `${served} requests served across the hand-overs` }),
    fig('restart', 'proxy restart: command duration (successor serving, old drained and exited)', handovers.map((h) => h.ms), 'ms'),
  ];
}
