/**
 * Runs the node proxy and keeps it running, as kubelet keeps a DaemonSet's
 * pod (Istio's ztunnel) and Envoy's hot restart keeps its listeners:
 *
 * - a proxy that dies is started again at once, then with exponential backoff
 *   (0.2 s doubling to 10 s) while it keeps dying within 30 s of its start;
 *   every restart is counted;
 * - it keeps a copy of every listening socket the proxy binds (over the IPC
 *   channel, see handover-protocol.ts), so a dead proxy's successor serves on
 *   the same sockets and ports, and the connections that arrived meanwhile
 *   wait in the kernel's queue instead of being refused;
 * - `handover()` replaces the process on purpose with zero failed requests:
 *   the successor accepts on the same sockets beside the old one, and once it
 *   enforces the current config the old one is told to drain (SIGTERM).
 *
 * What "enforces the config" means comes from the control plane (injected).
 * A proxy found running from an earlier control plane is adopted by pid: it is
 * watched, and restarted when it dies, but its sockets were never shared with
 * this process, so its successor binds afresh.
 */
import type { ChildProcess } from 'node:child_process';
import { HANDOVER, handoverMessage } from './handover-protocol.js';

export type ProxyStatus = 'Serving' | 'Starting' | 'Dead' | 'Stale';

/** What config distribution knows of one proxy process. */
export interface ProxyConnection {
  connected: boolean;
  /** Enforces the version currently published. */
  current: boolean;
}

export interface SupervisedProxy {
  name: string;
  /** The process serving now (0 while none runs). */
  pid: number;
  status: ProxyStatus;
  /** Times the proxy died and was started again. */
  restartCount: number;
  /** Times it was replaced on purpose (`graymesh proxy restart`). */
  handovers: number;
  startedAt?: string;
  /** How the last process ended, e.g. "killed by SIGKILL". */
  lastExit?: string;
}

export interface ProxySupervisorOptions {
  name: string;
  /** Starts a proxy process with an IPC channel. */
  spawn(): ChildProcess;
  /** What config distribution knows of a process, if it ever connected. */
  connection(pid: number): ProxyConnection | undefined;
  /** Resolves once the process enforces the config published now. */
  waitEnforcing(pid: number, timeoutMs: number): Promise<void>;
  /** Whether the pid is still a proxy of this instance (for adopted processes). */
  alive(pid: number): boolean;
  /** Declares whether a proxy of this name should be connected. */
  expect(expected: boolean): void;
  log(msg: string): void;
  /** The first proxy died before it ever connected: a start-up error, not a crash to retry. */
  onFatal?(): void;
}

const BACKOFF_START_MS = 200;
const BACKOFF_MAX_MS = 10_000;
/** A proxy that served this long has its backoff reset. */
const HEALTHY_AFTER_MS = 30_000;
const ADOPTED_POLL_MS = 500;
const HANDOVER_TIMEOUT_MS = 30_000;
/** A draining proxy exits by its own deadline (30 s); past this it is killed. */
const DRAIN_WAIT_MS = 35_000;

interface Run {
  pid: number;
  child?: ChildProcess;
  startedAt: number;
  everConnected: boolean;
}

export class ProxySupervisor {
  private current: Run | undefined;
  private readonly sockets = new Map<string, object>();
  private restartCount = 0;
  private handovers = 0;
  private crashesInARow = 0;
  private lastExit: string | undefined;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private handingOver = false;
  /** The process a hand-over started, until it takes over: its death is handover()'s to answer. */
  private successor: Run | undefined;
  /** The process a hand-over replaces, while it still serves or drains. */
  private replacing: Run | undefined;

  constructor(private readonly opts: ProxySupervisorOptions) {}

  /** Starts the first proxy. */
  start(): number {
    this.opts.expect(true);
    return this.launch().pid;
  }

  /** Watches a proxy an earlier control plane started. */
  adopt(pid: number): void {
    this.opts.expect(true);
    this.current = { pid, startedAt: Date.now(), everConnected: true };
    this.poll = setInterval(() => this.checkAdopted(), ADOPTED_POLL_MS);
    this.poll.unref();
  }

  /** A proxy's stream closed: an adopted proxy may have died (a child's exit is seen directly). */
  checkAdopted(): void {
    const run = this.current;
    if (!run || run.child || this.stopped) return;
    if (!this.opts.alive(run.pid)) this.died(run, 'exited (adopted process)');
  }

  /**
   * A process of this proxy's name connected for config. One of this instance
   * that is none of ours (left running by a hand-over the previous control
   * plane died in) would serve beside ours unseen: it is told to drain.
   */
  connected(pid: number): void {
    if (this.stopped || [this.current, this.successor, this.replacing].some((r) => r?.pid === pid)) return;
    if (!this.opts.alive(pid)) return;
    this.opts.log(`${this.opts.name}: pid ${pid} is a proxy of this instance this control plane does not run; it drains`);
    signal(pid, 'SIGTERM');
  }

  get pid(): number {
    return this.current?.pid ?? 0;
  }

  info(): SupervisedProxy {
    const run = this.current;
    return {
      name: this.opts.name,
      pid: run?.pid ?? 0,
      status: this.status(run),
      restartCount: this.restartCount,
      handovers: this.handovers,
      ...(run ? { startedAt: new Date(run.startedAt).toISOString() } : {}),
      ...(this.lastExit ? { lastExit: this.lastExit } : {}),
    };
  }

  /**
   * Replaces the proxy process without failing a request: the successor takes
   * over the sockets and serves beside the old process; once it enforces the
   * config, the old one drains. Resolves with both pids.
   */
  async handover(): Promise<{ from: number; to: number }> {
    const old = this.current;
    if (this.handingOver) throw new Error('a proxy restart is already under way');
    if (!old || this.restartTimer) throw new Error(`${this.opts.name} is not running; it is being restarted`);
    if (!old.child) {
      // Its sockets were never handed to this process: a successor could not bind them while it holds them.
      throw new Error(
        `${this.opts.name} (pid ${old.pid}) was started by an earlier control plane, which kept its sockets, so it cannot be replaced without a gap; kill ${old.pid} to have it started again at once on sockets this control plane keeps, and proxy restart works from then on`,
      );
    }
    this.handingOver = true;
    try {
      this.replacing = old;
      const next = this.launch();
      this.successor = next;
      try {
        await Promise.race([this.opts.waitEnforcing(next.pid, HANDOVER_TIMEOUT_MS), exited(next.child!)]);
      } catch (err) {
        this.opts.log(`${this.opts.name} restart: the new process (pid ${next.pid}) did not take over: ${(err as Error).message}; the old one (pid ${old.pid}) serves on`);
        this.current = old;
        this.successor = undefined;
        next.child?.kill('SIGKILL');
        this.handingOver = false;
        if (!this.opts.alive(old.pid)) this.died(old, 'exited during a restart');
        throw err;
      }
      // From here the successor is the proxy: if it dies, it is restarted as any other.
      this.successor = undefined;
      this.handovers++;
      this.opts.log(`${this.opts.name} restart: pid ${next.pid} serves; pid ${old.pid} drains`);
      signal(old.pid, 'SIGTERM');
      await this.gone(old, DRAIN_WAIT_MS);
      return { from: old.pid, to: next.pid };
    } finally {
      this.handingOver = false;
      this.replacing = undefined;
    }
  }

  /** Resolves once the process has exited (killed after ms). */
  private async gone(run: Run, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    if (run.child) {
      if (run.child.exitCode !== null || run.child.signalCode !== null) return;
      const exit = new Promise<void>((resolve) => run.child!.once('exit', () => resolve()));
      const timer = new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
      await Promise.race([exit, timer]);
    } else {
      while (this.opts.alive(run.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    }
    if (this.opts.alive(run.pid)) signal(run.pid, 'SIGKILL');
  }

  /** Stops supervising (no more restarts) and, with stopProxy, asks the proxy (each process of a hand-over) to drain and exit. */
  stop(stopProxy: boolean): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.poll);
    this.opts.expect(false);
    // A hand-over under way has two processes: both are stopped.
    if (stopProxy) for (const run of new Set([this.current, this.successor, this.replacing])) if (run) signal(run.pid, 'SIGTERM');
    for (const handle of this.sockets.values()) closeHandle(handle);
    this.sockets.clear();
  }

  private status(run: Run | undefined): ProxyStatus {
    if (!run || this.restartTimer) return 'Dead';
    const c = this.opts.connection(run.pid);
    if (c?.connected && c.current) return 'Serving';
    if (!run.everConnected && !c?.connected) return 'Starting';
    return 'Stale';
  }

  private launch(): Run {
    const child = this.opts.spawn();
    const run: Run = { pid: child.pid ?? 0, child, startedAt: Date.now(), everConnected: false };
    this.current = run;
    child.on('message', (m, handle) => this.receive(run, m, handle));
    child.once('exit', (code, sig) => this.died(run, sig ? `killed by ${sig}` : `exited with code ${code ?? 0}`));
    child.on('error', (err) => {
      // One that could not be started at all never emits 'exit': it is a death all the same.
      if (child.pid === undefined) this.died(run, `could not be started: ${err.message}`);
      else this.opts.log(`${this.opts.name}: ${err.message}`);
    });
    void this.opts
      .waitEnforcing(run.pid, HANDOVER_TIMEOUT_MS)
      .then(() => (run.everConnected = true))
      .catch(() => undefined);
    return run;
  }

  private receive(run: Run, m: unknown, handle: unknown): void {
    const msg = handoverMessage(m);
    if (msg?.type === HANDOVER.TAKE) {
      this.giveSockets(run);
    } else if (msg?.type === HANDOVER.LISTENER && handle && run === this.current) {
      const old = this.sockets.get(msg.key);
      if (old && old !== handle) closeHandle(old);
      this.sockets.set(msg.key, handle as object);
    } else if (msg?.type === HANDOVER.LISTENER && handle && run === this.replacing && !this.sockets.has(msg.key)) {
      // Bound by the old process after its successor took the sockets (a config change mid-hand-over):
      // kept, or a failed hand-over would leave it to no keeper and the next successor unable to bind it.
      this.sockets.set(msg.key, handle as object);
    } else if (msg?.type === HANDOVER.RELEASE && run === this.current) {
      const old = this.sockets.get(msg.key);
      if (old) closeHandle(old);
      this.sockets.delete(msg.key);
    } else if (handle) {
      // A copy not kept is closed, or it would hold the port open with nothing accepting on it.
      closeHandle(handle as object);
    }
  }

  private giveSockets(run: Run): void {
    const child = run.child;
    if (!child?.connected) return;
    try {
      for (const [key, handle] of this.sockets) child.send({ type: HANDOVER.LISTENER, key }, handle as never);
      child.send({ type: HANDOVER.SENT, key: '' });
    } catch (err) {
      this.opts.log(`${this.opts.name}: could not hand sockets to pid ${run.pid}: ${(err as Error).message}`);
    }
  }

  private died(run: Run, how: string): void {
    if (run !== this.current) return; // an old process that drained after a hand-over
    if (run === this.successor) return; // a successor that died before taking over: handover() answers for it
    if (!run.everConnected && this.opts.connection(run.pid)) run.everConnected = true;
    this.lastExit = how;
    if (this.stopped) {
      this.current = undefined;
      return;
    }
    if (!run.everConnected && this.restartCount === 0 && this.handovers === 0 && this.opts.onFatal) {
      this.current = undefined;
      this.opts.onFatal();
      return;
    }
    this.crashesInARow = Date.now() - run.startedAt >= HEALTHY_AFTER_MS ? 1 : this.crashesInARow + 1;
    const delay = restartDelay(this.crashesInARow);
    this.opts.log(`${this.opts.name} (pid ${run.pid}) ${how}; starting it again${delay ? ` in ${delay} ms` : ''}`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.restartCount++;
      clearInterval(this.poll);
      const next = this.launch();
      this.opts.log(`${this.opts.name} started again (pid ${next.pid}, restart ${this.restartCount})`);
    }, delay);
  }
}

/** The wait before a restart after `crashesInARow` deaths: at once, then 0.2 s doubling to 10 s. */
export function restartDelay(crashesInARow: number): number {
  return crashesInARow <= 1 ? 0 : Math.min(BACKOFF_START_MS * 2 ** (crashesInARow - 2), BACKOFF_MAX_MS);
}

/** Rejects when the process exits, or could not be started (a successor that dies before it takes over). */
function exited(child: ChildProcess): Promise<never> {
  return new Promise((_, reject) => {
    child.once('exit', (code, sig) => reject(new Error(sig ? `it was killed by ${sig}` : `it exited with code ${code ?? 0}`)));
    child.once('error', (err) => {
      if (child.pid === undefined) reject(new Error(`it could not be started: ${err.message}`));
    });
  });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  // Never 0 or below: process.kill would signal a whole process group, this one's included.
  if (pid <= 0) return;
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function closeHandle(handle: object): void {
  try {
    (handle as { close?: () => void }).close?.();
  } catch {
    // already closed
  }
}
