/**
 * The node proxy under supervision, over real processes and sockets: a proxy
 * killed with SIGKILL is started again and serves on the same sockets (the
 * gateway, and the workloads' outbound listeners, whose ports their
 * HTTP_PROXY names), and `graymesh proxy restart` replaces the process under
 * load without failing a request.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, eventually, freePort, Instance } from '../helpers/instance.js';
import { Home } from '../../src/runtime/home.js';
import { Load, productpageVersion } from '../helpers/load.js';
import { isAlive as alive } from '../../src/runtime/process-marker.js';

const PROJECT = 'supervised';
const PRODUCTPAGE = `productpage.${PROJECT}.localhost`;

interface ProxyStatus {
  name: string;
  pid: number;
  status: string;
  restartCount: number;
  handovers: number;
  lastExit?: string;
}
interface Status {
  controlPlane: { pid: number };
  proxies: ProxyStatus[];
  configVersion: number;
}

describe('node proxy supervision', () => {
  const gm = new Instance();
  const proxy = (): ProxyStatus => {
    const s = gm.json<Status>(['status']);
    expect(s.proxies).toHaveLength(1);
    return s.proxies[0]!;
  };
  /** The product page with reviews: productpage reached reviews through its outbound listener. */
  const page = async (): Promise<string | undefined> => {
    const r = await gm.gateway(PRODUCTPAGE, '/productpage').catch(() => undefined);
    return r ? productpageVersion(r.status, r.body) : undefined;
  };

  beforeAll(async () => {
    const up = await gm.up();
    expect(up.code, up.stderr).toBe(0);
    expect(gm.cli(['project', 'create', PROJECT]).code).toBe(0);
    const r = gm.cli(['deploy', 'bookinfo', '-p', PROJECT]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(page, 60_000, 200);
  }, 120_000);

  afterAll(() => gm.cleanup());

  it('reports the proxy Serving with its pid and no restarts', () => {
    const p = proxy();
    expect(p).toMatchObject({ name: 'node-proxy', status: 'Serving', restartCount: 0, handovers: 0 });
    expect(alive(p.pid)).toBe(true);
    const table = gm.cli(['status']).stdout;
    expect(table).toMatch(/node-proxy\s+\d+\s+0\s+\d+\s+Serving/);
  });

  it('starts a proxy killed with SIGKILL again, on the same sockets, and counts it', async () => {
    const before = proxy();
    process.kill(before.pid, 'SIGKILL');
    // The gateway and productpage's outbound listener (its HTTP_PROXY is unchanged) serve again.
    expect(await eventually(page, 20_000, 50)).toBe('v1');
    const after = await eventually(() => {
      const p = proxy();
      return p.status === 'Serving' && p.pid !== before.pid ? p : undefined;
    }, 20_000);
    expect(after.restartCount).toBe(before.restartCount + 1);
    expect(after.lastExit).toBe('killed by SIGKILL');
    expect(alive(before.pid)).toBe(false);
    expect(gm.cli(['status']).stdout).toMatch(/node-proxy\s+\d+\s+1\s+/);
  }, 60_000);

  it('replaces the proxy with `proxy restart` under load with zero failed requests', async () => {
    const before = proxy();
    const load = new Load({ port: gm.gatewayPort, host: PRODUCTPAGE, path: '/productpage', version: productpageVersion });
    load.start(4);
    try {
      await eventually(() => load.total > 20, 20_000, 20);
      load.phase = 'proxy restart';
      const r = await gm.cliAsync(['proxy', 'restart']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`node-proxy restarted: pid (\\d+) serves config version \\d+; pid ${before.pid} drained and exited`));
      load.phase = 'after the restart';
      const served = load.total;
      await eventually(() => load.total > served + 20, 20_000, 20);
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    expect(load.seen.get('v1') ?? 0).toBeGreaterThan(40);
    const after = proxy();
    expect(after).toMatchObject({ status: 'Serving', handovers: before.handovers + 1, restartCount: before.restartCount });
    expect(after.pid).not.toBe(before.pid);
    expect(alive(before.pid)).toBe(false);
  }, 90_000);

  it('drains a proxy of this instance it does not supervise, as one left running by a hand-over the control plane died in', async () => {
    const home = new Home(gm.home);
    const stray = spawn(process.execPath, [CLI, 'proxy'], {
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH ?? '',
        GRAYMESH_INSTANCE: home.instanceId(),
        GRAYMESH_CP_URL: gm.apiUrl,
        GRAYMESH_TOKEN: home.adminToken(),
        GRAYMESH_PROXY_NAME: 'node-proxy',
        GRAYMESH_GATEWAY_PORT: '0',
      },
    });
    const exit = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('still running'), 30_000);
      stray.once('exit', (code, sig) => {
        clearTimeout(timer);
        resolve(sig ?? `code ${code}`);
      });
    });
    if (exit === 'still running') stray.kill('SIGKILL');
    expect(exit).toBe('code 0');
    expect(proxy()).toMatchObject({ status: 'Serving' });
  }, 60_000);

  it('adopts the proxy after the control plane died, and `proxy restart` says why it cannot hand over', async () => {
    const before = gm.json<Status>(['status']);
    const proxyPid = before.proxies[0]!.pid;
    process.kill(before.controlPlane.pid, 'SIGKILL');
    await eventually(() => !alive(before.controlPlane.pid), 10_000, 20);
    const again = await gm.up();
    expect(again.code, again.stderr).toBe(0);
    expect(proxy()).toMatchObject({ pid: proxyPid, status: 'Serving' });
    const r = await gm.cliAsync(['proxy', 'restart']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`node-proxy (pid ${proxyPid}) was started by an earlier control plane`);
    expect(r.stderr).toContain(`kill ${proxyPid}`);
    // It serves on, untouched.
    expect(proxy()).toMatchObject({ pid: proxyPid, status: 'Serving', handovers: 0 });
    expect(await page()).toBe('v1');
  }, 90_000);

  it('does not adopt a proxy that serves another API port: it drains and one for the new port serves', async () => {
    const before = gm.json<Status>(['status']);
    const proxyPid = before.proxies[0]!.pid;
    process.kill(before.controlPlane.pid, 'SIGKILL');
    await eventually(() => !alive(before.controlPlane.pid), 10_000, 20);
    gm.port = await freePort();
    const again = await gm.up();
    expect(again.code, again.stderr).toBe(0);
    const after = await eventually(() => {
      const p = proxy();
      return p.status === 'Serving' ? p : undefined;
    }, 30_000);
    expect(after.pid).not.toBe(proxyPid);
    expect(alive(proxyPid)).toBe(false);
    expect(await eventually(page, 20_000, 50)).toBe('v1');
  }, 120_000);
});
