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

/** What the control plane knows of one proxy. */
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

const HEARTBEAT_MS = 10_000;

export class Distributor {
  private snapshot: ConfigSnapshot | undefined;
  private serialized = '';
  private readonly streams = new Map<string, Stream>();
  private readonly proxies = new Map<string, ProxyInfo>();
  private readonly events = new EventEmitter();
  private readonly heartbeat: NodeJS.Timeout;

  constructor() {
    this.events.setMaxListeners(1000);
    this.heartbeat = setInterval(() => {
      for (const s of this.streams.values()) s.res.write('{}\n');
    }, HEARTBEAT_MS);
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
    for (const s of this.streams.values()) s.res.write(this.serialized);
  }

  /** Attaches a proxy's stream; the current snapshot is sent at once. */
  connect(name: string, pid: number, ackedVersion: number, res: ServerResponse, adminPort?: number): void {
    const old = this.streams.get(name);
    if (old) old.res.end();
    const info: ProxyInfo = {
      name,
      pid,
      ackedVersion,
      connected: true,
      connectedAt: new Date().toISOString(),
      ...(adminPort ? { adminPort } : {}),
    };
    this.proxies.set(name, info);
    const stream: Stream = { res, info };
    this.streams.set(name, stream);
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.flushHeaders();
    if (this.snapshot) res.write(this.serialized);
    res.on('close', () => {
      if (this.streams.get(name) === stream) {
        this.streams.delete(name);
        info.connected = false;
        this.events.emit('change');
      }
    });
    this.events.emit('change');
  }

  /** Records an ACK (or a NACK, with error). */
  ack(a: ConfigAck): void {
    const info = this.proxies.get(a.proxy);
    if (!info) return;
    if (a.error) {
      info.lastError = a.error;
    } else {
      // A late ACK of an older version never moves a proxy backwards.
      info.ackedVersion = Math.max(info.ackedVersion, a.version);
      delete info.lastError;
    }
    this.events.emit('change');
  }

  list(): ProxyInfo[] {
    return [...this.proxies.values()].map((p) => ({ ...p }));
  }

  /** True when every connected proxy enforces at least `version`. */
  converged(version: number): boolean {
    for (const s of this.streams.values()) if (s.info.ackedVersion < version) return false;
    return true;
  }

  /**
   * Resolves once every connected proxy enforces at least `version`
   * (or `requireProxy` and none is connected yet), rejecting after timeoutMs.
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
        const behind = [...this.streams.values()]
          .filter((s) => s.info.ackedVersion < version)
          .map((s) => `${s.info.name} at ${s.info.ackedVersion}${s.info.lastError ? ` (refused: ${s.info.lastError})` : ''}`);
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
