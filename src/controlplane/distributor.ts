/**
 * Config distribution: the control plane pushes versioned snapshots to every
 * connected node proxy over a long-lived NDJSON stream and records what each
 * proxy ACKs, so a controller can wait until every proxy enforces version N
 * (make-before-break releases rely on it).
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ConfigAck, ConfigSnapshot } from '../config/snapshot.js';
import { timeout as timeoutError } from '../api/errors.js';

/** What the control plane knows of one proxy process. */
export interface ProxyInfo {
  name: string;
  pid: number;
  /** The snapshot version it enforces. */
  ackedVersion: number;
  /** Whether its stream is open now. */
  connected: boolean;
  /** The reason of its last NACK, if the last answer was one. */
  lastError?: string;
  connectedAt: string;
  /** Port of its admin endpoint on 127.0.0.1 (/stats/prometheus, /stats/json, /config_dump), when it reported one. */
  adminPort?: number;
}

interface Stream {
  res: ServerResponse;
  info: ProxyInfo;
}

/** A heartbeat line goes down every stream this often; a proxy that hears nothing for 15 s reconnects. */
export const HEARTBEAT_MS = 5_000;

/** One proxy process: its name and pid (two processes share a name while one hands over to the other). */
/** How many recently published snapshots are kept for late ACKs. */
const RECENT_KEPT = 8;

const keyOf = (name: string, pid: number): string => `${name}/${pid}`;

export class Distributor {
  private snapshot: ConfigSnapshot | undefined;
  private serialized = '';
  private readonly streams = new Map<string, Stream>();
  private readonly proxies = new Map<string, ProxyInfo>();
  /** Names of proxies that should be connected (a supervisor runs them): until one is, nothing counts as enforced. */
  private readonly expected = new Set<string>();
  private readonly events = new EventEmitter();
  private readonly heartbeat: NodeJS.Timeout;
  /**
   * The last snapshot some process of each name ACKed, serialized, when it is older than the
   * current one: a new process of that name (a restart after a crash) gets it first, so it has
   * a config in force even when it refuses the current one, as its predecessor did.
   */
  private readonly lastGood = new Map<string, { version: number; line: string }>();
  /** Recently published snapshots by version, so an ACK arriving after a publish can still name its snapshot. */
  private readonly recent = new Map<number, string>();

  constructor(heartbeatMs = HEARTBEAT_MS) {
    this.events.setMaxListeners(1000);
    this.heartbeat = setInterval(() => {
      for (const s of this.streams.values()) s.res.write('{}\n');
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  get version(): number {
    return this.snapshot?.version ?? 0;
  }

  get current(): ConfigSnapshot | undefined {
    return this.snapshot;
  }

  /** Publishes a new snapshot to every connected proxy. */
  publish(snapshot: ConfigSnapshot): void {
    this.snapshot = snapshot;
    this.serialized = `${JSON.stringify(snapshot)}\n`;
    this.recent.set(snapshot.version, this.serialized);
    for (const v of this.recent.keys()) if (this.recent.size > RECENT_KEPT) this.recent.delete(v);
    for (const s of this.streams.values()) s.res.write(this.serialized);
  }

  /**
   * Declares that a proxy of this name should be connected (or no longer). While an
   * expected proxy has no stream (it is restarting), `waitFor` counts it as behind.
   */
  expect(name: string, expected = true): void {
    if (expected) this.expected.add(name);
    else this.expected.delete(name);
    this.events.emit('change');
  }

  /**
   * Attaches a proxy's stream; the current snapshot is sent at once, preceded by the last one a
   * process of that name ACKed when the name has not enforced the current one.
   */
  connect(name: string, pid: number, ackedVersion: number, res: ServerResponse, adminPort?: number): void {
    const key = keyOf(name, pid);
    const old = this.streams.get(key);
    if (old) old.res.end();
    // A new process under a name replaces the records of that name's processes that are gone.
    for (const [k, p] of this.proxies) if (p.name === name && !p.connected && k !== key) this.proxies.delete(k);
    const info: ProxyInfo = {
      name,
      pid,
      ackedVersion,
      connected: true,
      connectedAt: new Date().toISOString(),
      ...(adminPort ? { adminPort } : {}),
    };
    this.proxies.set(key, info);
    const stream: Stream = { res, info };
    this.streams.set(key, stream);
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.flushHeaders();
    // A half-open connection is found by the kernel too, not only by the proxy's idle timer.
    res.socket?.setKeepAlive(true, HEARTBEAT_MS);
    const good = this.lastGood.get(name);
    if (good && good.version < this.version && ackedVersion < good.version) res.write(good.line);
    if (this.snapshot) res.write(this.serialized);
    res.on('close', () => {
      if (this.streams.get(key) === stream) {
        this.streams.delete(key);
        info.connected = false;
        this.events.emit('change');
        this.events.emit('disconnect', info);
      }
    });
    this.events.emit('change');
    this.events.emit('connect', info);
  }

  /** Calls fn with a proxy's record each time a stream opens. */
  onConnect(fn: (info: ProxyInfo) => void): void {
    this.events.on('connect', fn);
  }

  /** Calls fn with a proxy's record each time its stream closes. */
  onDisconnect(fn: (info: ProxyInfo) => void): void {
    this.events.on('disconnect', fn);
  }

  /** Records an ACK (or a NACK, with error). An ACK without a pid is matched by name. */
  ack(a: ConfigAck): void {
    const info = a.pid !== undefined ? this.proxies.get(keyOf(a.proxy, a.pid)) : [...this.proxies.values()].find((p) => p.name === a.proxy && p.connected);
    if (!info) return;
    if (a.error) {
      info.lastError = a.error;
    } else {
      // A late ACK of an older version never moves a proxy backwards.
      info.ackedVersion = Math.max(info.ackedVersion, a.version);
      delete info.lastError;
      this.rememberGood(info.name, a.version);
    }
    this.events.emit('change');
  }

  private rememberGood(name: string, version: number): void {
    const line = this.recent.get(version);
    const known = this.lastGood.get(name);
    if (line && (!known || known.version < version)) this.lastGood.set(name, { version, line });
  }

  list(): ProxyInfo[] {
    return [...this.proxies.values()].map((p) => ({ ...p }));
  }

  /** The record of one proxy process, if it ever connected. */
  get(name: string, pid: number): ProxyInfo | undefined {
    const p = this.proxies.get(keyOf(name, pid));
    return p ? { ...p } : undefined;
  }

  /** Resolves once the process `pid` of proxy `name` is connected and enforces the version published now. */
  waitForProcess(name: string, pid: number, timeoutMs: number): Promise<void> {
    const key = keyOf(name, pid);
    const done = (): boolean => {
      const s = this.streams.get(key);
      return s !== undefined && s.info.ackedVersion >= this.version;
    };
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.events.off('change', onChange);
        resolve();
      };
      const timer = setTimeout(() => {
        this.events.off('change', onChange);
        const p = this.proxies.get(key);
        const where = !p ? 'it never connected' : !p.connected ? 'its stream is closed' : `it enforces ${p.ackedVersion}${p.lastError ? ` (refused: ${p.lastError})` : ''}`;
        reject(timeoutError(`${name} (pid ${pid}) did not enforce config version ${this.version} within ${timeoutMs} ms: ${where}`));
      }, timeoutMs);
      this.events.on('change', onChange);
    });
  }

  /** True when every connected proxy, and at least one process of every expected name, enforces `version`. */
  converged(version: number): boolean {
    return this.behind(version).length === 0;
  }

  /** What stands between `version` and convergence: connected proxies behind it, expected proxies not connected. */
  private behind(version: number): string[] {
    const out: string[] = [];
    const connected = new Set<string>();
    for (const s of this.streams.values()) {
      connected.add(s.info.name);
      if (s.info.ackedVersion < version) out.push(`${s.info.name} at ${s.info.ackedVersion}${s.info.lastError ? ` (refused: ${s.info.lastError})` : ''}`);
    }
    for (const name of this.expected) if (!connected.has(name)) out.push(`${name} expected but not connected`);
    return out;
  }

  /**
   * Resolves once every connected proxy enforces at least `version`, and every
   * expected one is connected (or `requireProxy` and none is connected yet),
   * rejecting after timeoutMs.
   */
  waitFor(version: number, timeoutMs = 10_000, requireProxy = false): Promise<void> {
    const done = (): boolean => this.converged(version) && (!requireProxy || this.streams.size > 0);
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = (): void => {
        if (done()) {
          clearTimeout(timer);
          this.events.off('change', onChange);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.events.off('change', onChange);
        const behind = this.behind(version);
        reject(
          timeoutError(
            `config version ${version} was not acknowledged by every proxy within ${timeoutMs} ms${behind.length ? `: ${behind.join(', ')}` : ': no proxy connected'}`,
          ),
        );
      }, timeoutMs);
      this.events.on('change', onChange);
    });
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const s of this.streams.values()) {
      s.info.connected = false;
      s.res.end();
    }
    this.streams.clear();
  }
}
