/**
 * The data plane's HTTP/1.1 listener: reads requests straight off the socket
 * and writes answers back with one vectored write per answer, without Node's
 * IncomingMessage/ServerResponse streams. Persistent connections, pipelined
 * requests (answered in order), Content-Length and chunked bodies both ways,
 * `Expect: 100-continue`, HEAD, HTTP/1.0 clients, idle and slow-head limits,
 * and Upgrade: an answered 101 hands the socket to the caller, the
 * connection staying counted (and drained) until it closes; so does a CONNECT
 * on a listener given a ConnectHandler (else 405).
 * Anything malformed is answered 400 (or 431, 501, 505) and the connection closed.
 */
import net from 'node:net';
import { Connection } from './connection.js';
import type { RequestHead } from './head.js';
import type { Http1Request } from './request.js';
import type { Http1Response } from './response.js';

export type RequestHandler = (req: Http1Request, res: Http1Response) => void;

/**
 * Takes a CONNECT request (`CONNECT host:port`, authority-form as the client sent it, unchecked):
 * the socket is the handler's from then on, with what the client sent after the head. It answers
 * (200 and a tunnel, or a refusal) and closes the socket; the connection is counted until it closes.
 */
export type ConnectHandler = (head: RequestHead, socket: net.Socket, rest: Buffer | undefined) => void;

/** Takes over connections that open with HTTP/2's preface (the HTTP/2 listener on the same port). */
export interface PrefaceHandover {
  /** The socket, paused, with what was read of it so far (the preface and any frames after it). */
  take(socket: net.Socket, read: Buffer): void;
  /** Whether a request head asks to upgrade its connection to HTTP/2 (h2c) in a way this listener takes. */
  upgradable(head: RequestHead): boolean;
  /** Answers 101 to an h2c upgrade request and goes on with the connection as HTTP/2, the request being its stream 1. */
  upgrade(socket: net.Socket, head: RequestHead, read: Buffer | undefined): void;
  /** Closes connections with nothing in flight. */
  closeIdle(): void;
  /** Closes every connection once what is in flight on it is done (a GOAWAY first). */
  shutdown(): void;
  /** Closes every connection at once. */
  closeAll(): void;
  /** Lets every connection end on its own terms (a graceful GOAWAY), within `graceMs` once idle. */
  drain(graceMs: number): Promise<void>;
}

/** A net.Server speaking HTTP/1.1 with the handler given; connections opening with HTTP/2's preface go to `http2`. */
export class Http1Server extends net.Server {
  private readonly conns = new Set<Connection>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly handler: RequestHandler,
    readonly http2?: PrefaceHandover,
    /** Takes CONNECT requests; without one they are answered 405. */
    readonly connect?: ConnectHandler,
  ) {
    // Not half-open, as Node's http server: a client's FIN ends the connection, and an answer
    // still in progress is cut (the executor sees the client gone and stops the upstream attempt).
    super({ noDelay: true });
    this.on('connection', (socket: net.Socket) => {
      this.conns.add(new Connection(socket, this));
      if (!this.sweeper) {
        this.sweeper = setInterval(() => this.sweep(), 5_000);
        this.sweeper.unref();
      }
    });
    this.on('close', () => clearInterval(this.sweeper));
  }

  /** @internal */
  dispatch(req: Http1Request, res: Http1Response): void {
    try {
      this.handler(req, res);
    } catch (err) {
      if (!res.headersSent) {
        const body = `internal error: ${(err as Error).message}\n`;
        res.writeHead(500, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else {
        res.destroy();
      }
    }
  }

  /** @internal */
  forget(c: Connection): void {
    this.conns.delete(c);
  }

  /** Closes connections with nothing in flight (as http.Server's closeIdleConnections). */
  closeIdleConnections(): void {
    for (const c of this.conns) if (c.idle) c.socket.destroy();
    this.http2?.closeIdle();
  }

  /** Closes every connection at once. */
  closeAllConnections(): void {
    for (const c of this.conns) c.socket.destroy();
    this.http2?.closeAll();
  }

  /**
   * Stops accepting and lets every connection end on its own terms, as a
   * proxy does once a successor accepts on the same socket: each answer
   * not yet begun carries `connection: close` and the connection closes after
   * it; a connection that stays idle for `graceMs` is closed then (a client
   * about to reuse it gets an answer and the close, rather than a reset).
   * Resolves once every connection has closed.
   */
  drain(graceMs: number): Promise<void> {
    if (this.listening) super.close();
    const start = Date.now();
    for (const c of this.conns) {
      c.closing = true;
      c.draining = true;
    }
    const h2 = this.http2?.drain(graceMs);
    const h1 = new Promise<void>((resolve) => {
      const check = (): void => {
        const now = Date.now();
        for (const c of this.conns) if (c.idle && now - Math.max(c.since, start) >= graceMs) c.socket.destroy();
        if (this.conns.size === 0) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(check, Math.max(10, Math.min(100, graceMs / 4)));
      check();
    });
    return h2 ? Promise.all([h1, h2]).then(() => undefined) : h1;
  }

  /** Stops accepting; connections close as their answers finish. */
  override close(cb?: (err?: Error) => void): this {
    for (const c of this.conns) c.shutdown();
    this.http2?.shutdown();
    return super.close(cb);
  }

  private sweep(): void {
    const now = Date.now();
    for (const c of this.conns) if (c.expired(now)) c.socket.destroy();
  }
}
