/**
 * The proxy's side of config distribution: holds a stream open to the control
 * plane, applies every snapshot it receives and ACKs (or NACKs) it. When the
 * control plane goes away it keeps the last good config and reconnects. The
 * control plane sends a heartbeat line every 5 s; a stream that stays silent for
 * `idleTimeoutMs` (15 s) is taken for half-open and replaced by a new one.
 */
import http from 'node:http';
import type { ConfigAck, ConfigSnapshot } from '../config/snapshot.js';

export interface ConfigClientOptions {
  /** Control plane base URL, e.g. http://127.0.0.1:7070. */
  url: string;
  token: string;
  name: string;
  /** Extra query parameters reported on connect (admin port). */
  info?: Record<string, string>;
  /** Applies a snapshot; throws to refuse it. */
  apply(snapshot: ConfigSnapshot): Promise<void>;
  /** The version currently enforced. */
  version(): number;
  log(msg: string): void;
  /** Silence on the stream after which it is taken for dead and reconnected (ms). */
  idleTimeoutMs?: number;
}

export const STREAM_IDLE_TIMEOUT_MS = 15_000;
/** An ACK not answered by then is given up (the version is reported again on the next connect). */
const ACK_TIMEOUT_MS = 10_000;

export class ConfigClient {
  private req: http.ClientRequest | undefined;
  private stopped = false;
  private retryMs = 200;
  private chain: Promise<void> = Promise.resolve();
  /** ACKs leave in order, apart from the applies: one the control plane is slow to answer holds up no snapshot. */
  private acks: Promise<void> = Promise.resolve();
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ConfigClientOptions) {}

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.idle);
    this.req?.destroy();
  }

  /** (Re)arms the silence timer: any line, a snapshot or a heartbeat, proves the stream alive. */
  private alive(): void {
    clearTimeout(this.idle);
    const ms = this.opts.idleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS;
    this.idle = setTimeout(() => {
      this.opts.log(`config stream silent for ${ms} ms; reconnecting`);
      this.retry();
    }, ms);
    this.idle.unref();
  }

  private connect(): void {
    if (this.stopped) return;
    const { url, token, name, info } = this.opts;
    const q = new URLSearchParams({ proxy: name, pid: String(process.pid), version: String(this.opts.version()), ...info });
    const req = http.get(`${url}/xds/v1/stream?${q}`, { headers: { authorization: `Bearer ${token}` }, agent: false });
    this.req = req;
    req.on('socket', (socket) => socket.setKeepAlive(true, 5_000));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        this.opts.log(`config stream refused: HTTP ${res.statusCode}`);
        res.resume();
        this.retry();
        return;
      }
      this.retryMs = 200;
      this.opts.log('config stream connected');
      this.alive();
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        this.alive();
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.length > 2) this.receive(line);
        }
      });
      res.on('end', () => this.retry());
      res.on('error', () => this.retry());
    });
    req.on('error', () => this.retry());
  }

  private retrying = false;

  private retry(): void {
    if (this.stopped || this.retrying) return;
    this.retrying = true;
    clearTimeout(this.idle);
    this.req?.destroy();
    setTimeout(() => {
      this.retrying = false;
      this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 2_000);
  }

  private receive(line: string): void {
    let snapshot: ConfigSnapshot;
    try {
      snapshot = JSON.parse(line) as ConfigSnapshot;
    } catch {
      this.opts.log('config stream: a line that is not JSON, ignored');
      return;
    }
    // Snapshots are applied one at a time, in order.
    this.chain = this.chain.then(async () => {
      const ack: ConfigAck = { proxy: this.opts.name, pid: process.pid, version: snapshot.version };
      try {
        await this.opts.apply(snapshot);
      } catch (err) {
        ack.error = (err as Error).message;
        this.opts.log(`config version ${snapshot.version} refused: ${ack.error}`);
      }
      this.acks = this.acks.then(() => this.sendAck(ack));
    });
  }

  private sendAck(ack: ConfigAck): Promise<void> {
    return new Promise((resolve) => {
      const body = JSON.stringify(ack);
      const req = http.request(`${this.opts.url}/xds/v1/ack`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        agent: false,
      });
      req.on('response', (res) => {
        res.resume();
        resolve();
      });
      req.setTimeout(ACK_TIMEOUT_MS, () => req.destroy());
      req.on('error', () => resolve());
      req.end(body);
    });
  }
}
