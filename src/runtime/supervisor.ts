/**
 * The supervisor runs each pod as an OS process, as a kubelet runs containers:
 * it starts it with its environment, probes readiness, restarts it with capped
 * exponential backoff when it dies, counts the restarts, and keeps its stdout
 * and stderr in a file per pod. Processes are started in their own process
 * group with file-backed stdio, so they keep serving when the control plane
 * dies; a new control plane adopts them by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { isListening, freePort } from './ports.js';
import { isAlive } from './process-marker.js';

export type ProbeSpec = { kind: 'http'; path: string } | { kind: 'tcp' };

/** What the supervisor needs to run one pod. */
export interface PodRun {
  namespace: string;
  name: string;
  argv: string[];
  /** Environment without PORT (the supervisor sets it). */
  env: Record<string, string>;
  /** Preferred port; kept across restarts when still free. */
  port?: number;
  logFile: string;
  probe: ProbeSpec;
}

/** Observed state of one pod, reported on every change. */
export interface PodState {
  phase: 'Pending' | 'Running' | 'Failed';
  pid?: number;
  port: number;
  ready: boolean;
  restartCount: number;
  startTime?: string;
  /** Why the pod is not running, e.g. waiting to restart after exit code 1. */
  message?: string;
  lastExit?: { code: number | null; signal: string | null; at: string };
}

interface Entry {
  run: PodRun;
  state: PodState;
  child?: ChildProcess;
  adoptedPid?: number;
  stopping: boolean;
  probeTimer?: NodeJS.Timeout;
  restartTimer?: NodeJS.Timeout;
  aliveTimer?: NodeJS.Timeout;
  consecutiveFailures: number;
  probeFailures: number;
  /** Why the last start failed before the process ran (ENOENT, EACCES). */
  startError?: string;
  exited?: Promise<void>;
  resolveExited?: () => void;
}

const MAX_BACKOFF_MS = 10_000;
const HEALTHY_RESET_MS = 10_000;
const PROBE_PERIOD_UNREADY_MS = 200;
const PROBE_PERIOD_READY_MS = 1_000;
const PROBE_FAILURE_THRESHOLD = 3;

const key = (ns: string, name: string): string => `${ns}/${name}`;

export class Supervisor {
  private readonly pods = new Map<string, Entry>();

  constructor(private readonly onState: (namespace: string, name: string, state: PodState) => void) {}

  has(namespace: string, name: string): boolean {
    return this.pods.has(key(namespace, name));
  }

  state(namespace: string, name: string): PodState | undefined {
    return this.pods.get(key(namespace, name))?.state;
  }

  /** Starts a pod's process. */
  async start(run: PodRun, restartCount = 0): Promise<void> {
    const k = key(run.namespace, run.name);
    if (this.pods.has(k)) return;
    const port = run.port ?? (await freePort());
    const entry: Entry = {
      run: { ...run, port },
      state: { phase: 'Pending', port, ready: false, restartCount },
      stopping: false,
      consecutiveFailures: 0,
      probeFailures: 0,
    };
    this.pods.set(k, entry);
    await this.launch(entry);
  }

  /**
   * Takes over a process started by an earlier control plane: watches it by
   * pid and probes it; when it dies it is restarted as a child of this one.
   */
  adopt(run: PodRun, pid: number, prior: PodState): void {
    const k = key(run.namespace, run.name);
    if (this.pods.has(k)) return;
    const entry: Entry = {
      run: { ...run, port: prior.port },
      state: { ...prior, phase: 'Running', pid },
      adoptedPid: pid,
      stopping: false,
      consecutiveFailures: 0,
      probeFailures: 0,
    };
    this.pods.set(k, entry);
    entry.exited = new Promise((r) => (entry.resolveExited = r));
    entry.aliveTimer = setInterval(() => {
      if (!isAlive(pid)) {
        clearInterval(entry.aliveTimer);
        this.handleExit(entry, null, 'unknown');
      }
    }, 250);
    this.scheduleProbe(entry, 0);
  }

  /** Stops a pod: SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  async stop(namespace: string, name: string, graceMs = 10_000): Promise<void> {
    const entry = this.pods.get(key(namespace, name));
    if (!entry) return;
    entry.stopping = true;
    clearTimeout(entry.probeTimer);
    clearTimeout(entry.restartTimer);
    const pid = entry.child?.pid ?? entry.adoptedPid;
    if (pid !== undefined && entry.state.pid !== undefined) {
      signal(pid, 'SIGTERM');
      const killer = setTimeout(() => signal(pid, 'SIGKILL'), graceMs);
      await entry.exited;
      clearTimeout(killer);
    }
    clearInterval(entry.aliveTimer);
    this.pods.delete(key(namespace, name));
  }

  /** Stops every pod. */
  async stopAll(graceMs = 5_000): Promise<void> {
    await Promise.all([...this.pods.values()].map((e) => this.stop(e.run.namespace, e.run.name, graceMs)));
  }

  /** Forgets every pod without stopping it (the processes keep running for a later control plane). */
  detachAll(): void {
    for (const e of this.pods.values()) {
      e.stopping = true;
      clearTimeout(e.probeTimer);
      clearTimeout(e.restartTimer);
      clearInterval(e.aliveTimer);
      e.child?.removeAllListeners('exit');
    }
    this.pods.clear();
  }

  private async launch(entry: Entry): Promise<void> {
    const { run } = entry;
    mkdirSync(path.dirname(run.logFile), { recursive: true });
    const fd = openSync(run.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(run.argv[0] as string, run.argv.slice(1), {
        env: { ...run.env, PORT: String(entry.state.port) },
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    child.unref();
    entry.child = child;
    entry.adoptedPid = undefined;
    entry.startError = undefined;
    entry.exited = new Promise((r) => (entry.resolveExited = r));
    child.once('error', (err) => {
      entry.startError = `cannot start ${run.argv[0]}: ${err.message}`;
      this.handleExit(entry, null, null);
    });
    child.once('exit', (code, sig) => this.handleExit(entry, code, sig));
    entry.state = {
      ...entry.state,
      phase: 'Running',
      pid: child.pid,
      ready: false,
      startTime: new Date().toISOString(),
      message: undefined,
    };
    entry.probeFailures = 0;
    this.emit(entry);
    this.scheduleProbe(entry, PROBE_PERIOD_UNREADY_MS);
  }

  private handleExit(entry: Entry, code: number | null, sig: string | null): void {
    clearTimeout(entry.probeTimer);
    entry.child = undefined;
    const wasStopping = entry.stopping;
    entry.state = {
      ...entry.state,
      pid: undefined,
      ready: false,
      lastExit: { code, signal: sig, at: new Date().toISOString() },
    };
    entry.resolveExited?.();
    if (wasStopping) return;
    const ranMs = entry.state.startTime ? Date.now() - Date.parse(entry.state.startTime) : 0;
    if (ranMs > HEALTHY_RESET_MS) entry.consecutiveFailures = 0;
    const delay = entry.consecutiveFailures === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 250 * 2 ** (entry.consecutiveFailures - 1));
    entry.consecutiveFailures += 1;
    entry.state = {
      ...entry.state,
      phase: 'Pending',
      restartCount: entry.state.restartCount + 1,
      message: `${entry.startError ?? `exited (${sig ?? `code ${code ?? '?'}`})`}; restarting in ${delay} ms`,
    };
    this.emit(entry);
    entry.restartTimer = setTimeout(() => {
      if (entry.stopping) return;
      void this.relaunch(entry);
    }, delay);
  }

  private async relaunch(entry: Entry): Promise<void> {
    // Keep the pod's port when still free, so its endpoint does not move.
    const stillFree = !(await isListening(entry.state.port, '127.0.0.1', 200));
    if (!stillFree) entry.state = { ...entry.state, port: await freePort() };
    if (entry.stopping) return;
    await this.launch(entry);
  }

  private scheduleProbe(entry: Entry, delayMs: number): void {
    clearTimeout(entry.probeTimer);
    entry.probeTimer = setTimeout(() => void this.probe(entry), delayMs);
  }

  private async probe(entry: Entry): Promise<void> {
    if (entry.stopping || entry.state.pid === undefined) return;
    const ok = await runProbe(entry.run.probe, entry.state.port);
    if (entry.stopping || entry.state.pid === undefined) return;
    if (ok) {
      entry.probeFailures = 0;
      if (!entry.state.ready) {
        entry.state = { ...entry.state, ready: true };
        this.emit(entry);
      }
    } else {
      entry.probeFailures += 1;
      if (entry.state.ready && entry.probeFailures >= PROBE_FAILURE_THRESHOLD) {
        entry.state = { ...entry.state, ready: false };
        this.emit(entry);
      }
    }
    this.scheduleProbe(entry, entry.state.ready ? PROBE_PERIOD_READY_MS : PROBE_PERIOD_UNREADY_MS);
  }

  private emit(entry: Entry): void {
    this.onState(entry.run.namespace, entry.run.name, { ...entry.state });
  }
}

/** Signals the pod's whole process group (it was started as a group leader), as a kubelet ends a container. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** One readiness probe: HTTP GET answered 200-399, or a TCP connect. */
export function runProbe(probe: ProbeSpec, port: number, timeoutMs = 1000): Promise<boolean> {
  if (probe.kind === 'tcp') return isListening(port, '127.0.0.1', timeoutMs);
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: probe.path, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}
