/**
 * The proxy supervisor over real child processes. The control plane's view of
 * each process (connected, enforcing the config) is what the test says it is:
 * here the child enforces once it sends "serving" over its IPC channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxySupervisor, restartDelay, type ProxySupervisorOptions } from './proxy-supervisor.js';
import { isAlive as alive } from './process-marker.js';
import { HANDOVER } from './handover-protocol.js';

const DEADLINE_MS = 10_000;

async function until<T>(fn: () => T | undefined | false, what: string): Promise<T> {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A stand-in proxy process: says "serving" at once, drains on SIGTERM, exits at `exitCode` if given. */
const SERVING = `process.send('serving'); process.on('SIGTERM', () => setTimeout(() => process.exit(0), 20)); setInterval(() => {}, 1000);`;
const DIES_AT_ONCE = `process.exit(2)`;
/** A stand-in for a proxy with a client that keeps it draining: it ignores SIGTERM. */
/** Serves; binds a socket when told "bind", reports it to its keeper as a proxy does, then says "bound". */
const BINDS = `const net = require('node:net');
process.on('message', (m) => {
  if (m !== 'bind') return;
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => {
    const key = '127.0.0.1:' + s.address().port;
    process.send({ type: '${HANDOVER.LISTENER}', key }, s._handle);
    process.send({ bound: key });
  });
});
${SERVING}`;
/** Never comes to enforce the config. */
const HANGS = `setInterval(() => {}, 1000);`;
/** Takes the sockets, tells the test their keys, then serves. */
const TAKES = `const got = [];
process.on('message', (m, h) => {
  if (m.type === '${HANDOVER.LISTENER}' && h) got.push(m.key);
  if (m.type === '${HANDOVER.SENT}') { process.send({ got }); ${SERVING} }
});
process.send({ type: '${HANDOVER.TAKE}', key: '' });
setInterval(() => {}, 1000);`;
/** Stands for a launch that fails: the executable is not there. */
const CANNOT_START = '<cannot start>';
const DRAINS_ON = `process.send('serving'); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`;

const children: ChildProcess[] = [];

/** The first message of a child's that has `field`. */
function heard<T>(child: ChildProcess, field: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: Record<string, unknown> | string): void => {
      if (typeof m !== 'object' || !(field in m)) return;
      child.off('message', onMessage);
      resolve(m[field] as T);
    };
    child.on('message', onMessage);
  });
}
let supervisor: ProxySupervisor | undefined;

afterEach(() => {
  supervisor?.stop(false);
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A supervisor whose n-th launch runs scripts[n] (the last one repeats). */
function supervise(scripts: string[], overrides: Partial<ProxySupervisorOptions> = {}): { sup: ProxySupervisor; logs: string[]; expected: boolean[] } {
  let launches = 0;
  const serving = new Set<number>();
  const waiters = new Map<number, () => void>();
  const logs: string[] = [];
  const expected: boolean[] = [];
  const sup = new ProxySupervisor({
    name: 'node-proxy',
    spawn: () => {
      const script = scripts[Math.min(launches++, scripts.length - 1)]!;
      const stdio: ['ignore', 'ignore', 'ignore', 'ipc'] = ['ignore', 'ignore', 'ignore', 'ipc'];
      const child = script === CANNOT_START ? spawn('/nonexistent/node', [], { stdio }) : spawn(process.execPath, ['-e', script], { stdio });
      children.push(child);
      child.on('message', (m) => {
        if (m !== 'serving') return;
        serving.add(child.pid!);
        waiters.get(child.pid!)?.();
      });
      child.on('exit', () => serving.delete(child.pid!));
      return child;
    },
    connection: (pid) => (serving.has(pid) ? { connected: true, current: true } : undefined),
    waitEnforcing: (pid) => (serving.has(pid) ? Promise.resolve() : new Promise<void>((r) => waiters.set(pid, r))),
    alive,
    expect: (on) => expected.push(on),
    log: (m) => logs.push(m),
    ...overrides,
  });
  supervisor = sup;
  return { sup, logs, expected };
}

describe('ProxySupervisor', () => {
  it('restarts at once, then backs off from 0.2 s doubling to 10 s', () => {
    expect([1, 2, 3, 4, 5, 8, 20].map(restartDelay)).toEqual([0, 200, 400, 800, 1600, 10_000, 10_000]);
  });

  it('starts the proxy, reports it Serving, and declares it expected', async () => {
    const { sup, expected } = supervise([SERVING]);
    const pid = sup.start();
    await until(() => sup.info().status === 'Serving', 'Serving');
    expect(sup.info()).toMatchObject({ name: 'node-proxy', pid, restartCount: 0, handovers: 0 });
    expect(expected).toEqual([true]);
  });

  it('starts a killed proxy again and counts the restart', async () => {
    const { sup, logs } = supervise([SERVING]);
    const first = sup.start();
    await until(() => sup.info().status === 'Serving', 'the first process to serve');
    process.kill(first, 'SIGKILL');
    const info = await until(() => {
      const i = sup.info();
      return i.pid !== first && i.status === 'Serving' ? i : undefined;
    }, 'a new process serving');
    expect(info.restartCount).toBe(1);
    expect(info.lastExit).toBe('killed by SIGKILL');
    expect(logs).toContain(`node-proxy (pid ${first}) killed by SIGKILL; starting it again`);
  });

  it('treats a first proxy that dies before it ever connected as a start-up failure, not a crash to retry', async () => {
    let fatal = 0;
    const { sup } = supervise([DIES_AT_ONCE], { onFatal: () => fatal++ });
    sup.start();
    await until(() => fatal === 1, 'onFatal');
    expect(sup.info()).toMatchObject({ status: 'Dead', restartCount: 0, lastExit: 'exited with code 2' });
  });

  it('hands over: the successor serves before the old process is told to drain, and the old one is gone when it resolves', async () => {
    const { sup } = supervise([SERVING]);
    const old = sup.start();
    await until(() => sup.info().status === 'Serving', 'Serving');
    const r = await sup.handover();
    expect(r.from).toBe(old);
    expect(alive(old)).toBe(false);
    expect(alive(r.to)).toBe(true);
    expect(sup.info()).toMatchObject({ pid: r.to, status: 'Serving', handovers: 1, restartCount: 0 });
  });

  it('keeps the old process when the successor dies before it takes over', async () => {
    let fatal = 0;
    const { sup } = supervise([SERVING, DIES_AT_ONCE], { onFatal: () => fatal++ });
    const old = sup.start();
    await until(() => sup.info().status === 'Serving', 'Serving');
    await expect(sup.handover()).rejects.toThrow('it exited with code 2');
    expect(sup.info()).toMatchObject({ pid: old, status: 'Serving', handovers: 0, restartCount: 0 });
    expect(alive(old)).toBe(true);
    expect(fatal).toBe(0);
  });

  it('stops restarting once stopped, and no longer expects the proxy', async () => {
    const { sup, expected, logs } = supervise([SERVING]);
    const pid = sup.start();
    await until(() => sup.info().status === 'Serving', 'Serving');
    sup.stop(true);
    // Its exit has been handled once the supervisor records how it ended.
    await until(() => sup.info().lastExit, 'the exit to be handled');
    expect(alive(pid)).toBe(false);
    expect(logs.filter((l) => l.includes('starting it again'))).toEqual([]);
    expect(expected).toEqual([true, false]);
  });

  it('starts a successor that dies after it took over again, while the old process still drains', async () => {
    const { sup, logs } = supervise([DRAINS_ON, SERVING]);
    const old = sup.start();
    await until(() => sup.info().status === 'Serving', 'Serving');
    const handover = sup.handover();
    const taken = await until(() => logs.find((l) => l.endsWith(`pid ${old} drains`)), 'the successor to take over');
    const successor = Number(/pid (\d+) serves/.exec(taken)![1]);
    process.kill(successor, 'SIGKILL');
    const info = await until(() => {
      const i = sup.info();
      return i.pid !== successor && i.pid !== old && i.status === 'Serving' ? i : undefined;
    }, 'a third process serving');
    expect(info).toMatchObject({ restartCount: 1, handovers: 1, lastExit: 'killed by SIGKILL' });
    process.kill(old, 'SIGKILL');
    await expect(handover).resolves.toEqual({ from: old, to: successor });
    expect(sup.info().pid).toBe(info.pid);
  });

  it('keeps a socket the old process binds during a hand-over, for the proxy that comes after it', async () => {
    const { sup } = supervise([BINDS, HANGS, TAKES]);
    sup.start();
    await until(() => sup.info().status === 'Serving', 'Serving');
    const oldChild = children[0]!;
    const failed = sup.handover().catch((err: Error) => err.message);
    await until(() => children.length === 2, 'the successor to start');
    const bound = heard<string>(oldChild, 'bound');
    oldChild.send('bind');
    const key = await bound;
    children[1]!.kill('SIGKILL');
    expect(await failed).toBe('it was killed by SIGKILL');
    const retry = sup.handover();
    await until(() => children.length === 3, 'the next successor to start');
    const got = await heard<string[]>(children[2]!, 'got');
    await retry;
    expect(got).toContain(key);
  });

  it('stops both processes of a hand-over under way', async () => {
    const { sup } = supervise([SERVING, HANGS]);
    sup.start();
    await until(() => sup.info().status === 'Serving', 'Serving');
    const failed = sup.handover().catch((err: Error) => err.message);
    await until(() => children.length === 2, 'the successor to start');
    const exits = children.map((c) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r()))));
    sup.stop(true);
    await Promise.all(exits);
    expect(await failed).toBe('it was killed by SIGTERM');
  });

  it('takes a process that could not be started for one that died, and starts it again', async () => {
    const { sup } = supervise([CANNOT_START, SERVING]);
    sup.start();
    const info = await until(() => {
      const i = sup.info();
      return i.status === 'Serving' ? i : undefined;
    }, 'a started process serving');
    expect(info.restartCount).toBe(1);
    expect(info.lastExit).toBe('could not be started: spawn /nonexistent/node ENOENT');
    expect(info.pid).toBeGreaterThan(0);
  });
});
