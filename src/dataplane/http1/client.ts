/**
 * Upstream connections for the data plane: one keep-alive pool per endpoint,
 * one request at a time per connection, the request written in one vectored
 * write and the answer read straight off the socket. The attempt that sent a
 * request learns of its answer through a ResponseHandler: the head first (so
 * the executor can decide on a retry), then the body with backpressure.
 *
 * A request that meets a reused connection the upstream had already closed
 * (nothing of an answer read) is sent once more on a new connection when it
 * can be replayed safely: idempotent method, body in memory — the rule Go's
 * http.Transport follows.
 *
 * A pool given TLS settings originates TLS on each connection (node:tls, the
 * server verified); a failure during the handshake is reported as ETLS.
 *
 * An upgrade request (a WebSocket handshake) goes on a connection of its own,
 * outside the pool: answered 101, that socket is handed to the handler and
 * belongs to the pool no more; answered otherwise, the answer is read as any
 * other and the connection closed after it.
 */
import type net from 'node:net';
import type { HeaderMap } from '../hop-by-hop.js';
import type { UpstreamTls } from '../upstream-tls.js';
import { codeError, Exchange, UpstreamConnection } from './upstream-connection.js';
import type { BodySource } from '../downstream.js';

export interface ResponseHandler {
  /** Called once as the request starts; `abort` cancels it (the handler then gets onError). */
  onConnect(abort: (err?: Error) => void): void;
  /**
   * The answer's head: status, end-to-end fields (flat, names lowercase) and
   * its Content-Length (-1 without one). Returning false pauses the body until `resume`.
   */
  onHeaders(status: number, headers: string[], resume: () => void, contentLength: number): boolean;
  /** A piece of the body; returning false pauses reading until `resume`. */
  onData(chunk: Buffer): boolean;
  /** The answer's trailer fields (flat, names lowercase), before onComplete; HTTP/2 answers carry them. */
  onTrailers?(fields: string[]): void;
  onComplete(): void;
  /** The request failed: before the head (a connect failure, reset, timeout) or during the body. */
  onError(err: Error): void;
  /**
   * An upgrade request was answered 101: its end-to-end fields, the Upgrade
   * field, and the socket (paused, the handler's from now on) with what the
   * upstream sent after the 101's head. Without it, a 101 is an error.
   */
  onUpgrade?(headers: string[], upgrade: string | undefined, socket: net.Socket, rest: Buffer | undefined): void;
}

export interface DispatchOptions {
  method: string;
  /** Origin-form target. */
  path: string;
  headers: HeaderMap;
  /** A body in memory, a request's body streamed through, or none. */
  body: Buffer | BodySource | null;
  /** Gives up when no head arrived within this many ms. */
  headersTimeout?: number;
  /** An upgrade request: sent on a connection of its own, which a 101 hands to the handler. */
  upgrade?: boolean;
}

export interface PoolOptions {
  /** Connections per endpoint; requests beyond wait in order. */
  connections?: number;
  /** TLS the pool originates on every connection (DestinationRule `tls.mode: SIMPLE`). */
  tls?: UpstreamTls;
  connectTimeoutMs?: number;
  /** How long an idle connection is kept when the upstream gives no `Keep-Alive: timeout`. */
  idleMs?: number;
}

/** Keep-alive connections to one endpoint. */
export class Http1Pool {
  readonly connectTimeoutMs: number;
  readonly idleMs: number;
  readonly tls: UpstreamTls | undefined;
  private readonly max: number;
  private readonly idle: UpstreamConnection[] = [];
  private readonly waiting: Exchange[] = [];
  private readonly connections = new Set<UpstreamConnection>();
  private closing = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly address: string,
    readonly port: number,
    opts: PoolOptions = {},
  ) {
    this.max = opts.connections ?? 256;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    this.idleMs = opts.idleMs ?? 30_000;
    this.tls = opts.tls;
  }

  /** Connections open (busy and idle). */
  get size(): number {
    return this.connections.size;
  }

  dispatch(opts: DispatchOptions, handler: ResponseHandler): void {
    if (opts.upgrade) return this.dispatchUpgrade(opts, handler);
    const ex = new Exchange(opts, handler);
    handler.onConnect((err) => this.cancel(ex, err ?? new Error('aborted')));
    if (ex.finished) return;
    if (opts.headersTimeout !== undefined && opts.headersTimeout > 0) {
      ex.timer = setTimeout(() => this.cancel(ex, codeError('upstream headers timeout', 'ETIMEDOUT')), opts.headersTimeout);
    }
    this.start(ex);
  }

  /** An upgrade request, on a new connection the pool neither counts nor keeps. */
  private dispatchUpgrade(opts: DispatchOptions, handler: ResponseHandler): void {
    const ex = new Exchange(opts, handler);
    const slot: { conn?: UpstreamConnection } = {};
    handler.onConnect((err) => {
      const e = err ?? new Error('aborted');
      if (slot.conn) return slot.conn.abort(ex, e);
      if (ex.finished) return;
      ex.finished = true;
      handler.onError(e);
    });
    if (ex.finished) return;
    const c = (slot.conn = new UpstreamConnection(this, false));
    if (opts.headersTimeout !== undefined && opts.headersTimeout > 0) {
      ex.timer = setTimeout(() => c.abort(ex, codeError('upstream headers timeout', 'ETIMEDOUT')), opts.headersTimeout);
    }
    try {
      c.send(ex);
    } catch (err) {
      c.abort(ex, err as Error);
    }
  }

  /** @internal sends on an idle connection, a new one, or queues. */
  start(ex: Exchange): void {
    if (this.closing) {
      ex.finished = true;
      ex.handler.onError(codeError('pool closed', 'ECONNRESET'));
      return;
    }
    const now = Date.now();
    let conn: UpstreamConnection | undefined;
    while ((conn = this.idle.pop()) !== undefined) {
      if (!conn.closed && now - conn.idleSince < conn.idleLimit) break;
      conn.close();
    }
    if (!conn) {
      if (this.connections.size >= this.max) {
        this.waiting.push(ex);
        return;
      }
      conn = new UpstreamConnection(this);
      this.connections.add(conn);
      this.arm();
    }
    try {
      conn.send(ex);
    } catch (err) {
      conn.abort(ex, err as Error);
    }
  }

  private cancel(ex: Exchange, err: Error): void {
    if (ex.finished) return;
    const i = this.waiting.indexOf(ex);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      ex.finished = true;
      clearTimeout(ex.timer);
      ex.handler.onError(err);
      return;
    }
    for (const conn of this.connections) if (conn.exchange === ex) return conn.abort(ex, err);
    // Not started yet (cancelled during onConnect).
    ex.finished = true;
    clearTimeout(ex.timer);
    ex.handler.onError(err);
  }

  /** @internal a connection finished its exchange and may take another. */
  release(conn: UpstreamConnection): void {
    const next = this.waiting.shift();
    if (next) {
      try {
        conn.send(next);
      } catch (err) {
        conn.abort(next, err as Error);
      }
      return;
    }
    if (this.closing || conn.idleLimit <= 0) return conn.close();
    conn.idleSince = Date.now();
    this.idle.push(conn);
  }

  /** @internal a connection is gone. */
  lost(conn: UpstreamConnection): void {
    if (!this.connections.delete(conn)) return;
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    const next = this.waiting.shift();
    if (next) this.start(next);
  }

  private arm(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (let i = this.idle.length - 1; i >= 0; i--) {
        const c = this.idle[i]!;
        if (now - c.idleSince >= c.idleLimit) c.close();
      }
      if (this.connections.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, 2_000);
    this.sweeper.unref();
  }

  /** Stops taking requests: idle connections close now, busy ones once their answers end. */
  close(): void {
    this.closing = true;
    for (const c of this.idle.splice(0)) c.close();
    for (const ex of this.waiting.splice(0)) {
      ex.finished = true;
      ex.handler.onError(codeError('pool closed', 'ECONNRESET'));
    }
    clearInterval(this.sweeper);
  }

  /** Closes every connection at once. */
  destroy(): void {
    this.close();
    for (const c of [...this.connections]) c.close();
  }
}
