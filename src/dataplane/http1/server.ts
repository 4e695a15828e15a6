/**
 * The data plane's HTTP/1.1 listener: reads requests straight off the socket
 * and writes answers back with one vectored write per answer, without Node's
 * IncomingMessage/ServerResponse streams. Persistent connections, pipelined
 * requests (answered in order), Content-Length and chunked bodies both ways,
 * `Expect: 100-continue`, HEAD, HTTP/1.0 clients, idle and slow-head limits,
 * and Upgrade: an answered 101 hands the socket to the caller, the
 * connection staying counted (and drained) until it closes.
 * Anything malformed is answered 400 (or 431, 501, 505) and the connection closed.
 */
import net from 'node:net';
import type { BodyConsumer, DownstreamRequest, DownstreamResponse, SwitchedConnection } from '../downstream.js';
import { ChunkedDecoder } from './chunked.js';
import { fieldLines, httpDate, MAX_HEAD_BYTES, parseRequestHead, statusLine, type HeaderTable, type RequestHead } from './head.js';
import type { HttpError } from './syntax.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');
/** An Upgrade field naming h2c among its protocols. */
const H2C = /(?:^|,)[ \t]*h2c[ \t]*(?:,|$)/i;
/** A persistent connection with nothing in flight is closed after this long (Node's http server keepAliveTimeout in graymesh: 60 s). */
const IDLE_MS = 60_000;
/** A request head must arrive within this long of its first byte. */
const HEAD_MS = 60_000;
/** Bytes of pipelined requests held while an answer is in progress before reading pauses. */
const PIPELINE_BUFFER = 64 * 1024;
/** Bytes of a request body held before anything consumes it (a queued attempt, a fault delay) before reading pauses. */
const HELD_BODY = 64 * 1024;

/** HTTP/2's connection preface (RFC 9113 §3.4): a client speaking HTTP/2 with prior knowledge starts with it. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export type { BodyConsumer } from '../downstream.js';

export type RequestHandler = (req: Http1Request, res: Http1Response) => void;

/** Takes over connections that open with HTTP/2's preface (the HTTP/2 listener on the same port). */
export interface PrefaceHandover {
  /** The socket, paused, with what was read of it so far (the preface and any frames after it). */
  take(socket: net.Socket, read: Buffer): void;
  /** Closes connections with nothing in flight. */
  closeIdle(): void;
  /** Closes every connection once what is in flight on it is done (a GOAWAY first). */
  shutdown(): void;
  /** Closes every connection at once. */
  closeAll(): void;
  /** Lets every connection end on its own terms (a graceful GOAWAY), within `graceMs` once idle. */
  drain(graceMs: number): Promise<void>;
}

const enum State {
  /** Waiting for (or reading) a request head. */
  Head,
  /** Reading the current request's body. */
  Body,
  /** The request is read; its answer is not finished. */
  Answer,
  /** Switched protocols: the socket belongs to whoever took it, until it closes. */
  Switched,
  Closed,
}

export class Http1Request implements DownstreamRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly headers: HeaderTable;
  readonly hasBody: boolean;
  /** The protocols an Upgrade request without a body asks for, over HTTP/1.1. */
  readonly upgrade: string | undefined;
  /** The whole body has been read (or there was none). */
  complete: boolean;
  private consumer: BodyConsumer | undefined;
  private held: Buffer[] | undefined;
  private heldBytes = 0;
  private discarding = false;
  private failed: Error | undefined;

  constructor(
    head: RequestHead,
    private readonly conn: Connection,
  ) {
    this.method = head.method;
    this.url = head.target;
    this.httpVersion = head.minor === 1 ? '1.1' : '1.0';
    this.headers = head.headers;
    this.hasBody = head.chunked || head.contentLength > 0;
    this.complete = !this.hasBody;
    // An upgrade request with a body, or to h2c (Envoy drops that upgrade), is served as a plain request, its connection's last.
    const asked = head.upgrade;
    this.upgrade = head.minor === 1 && !this.hasBody && asked !== undefined && !H2C.test(asked) ? asked : undefined;
  }

  get socket(): net.Socket {
    return this.conn.socket;
  }

  /** Sends the body to `consumer`: what already arrived at once, the rest as it comes. */
  pipeTo(consumer: BodyConsumer): void {
    this.consumer = consumer;
    let go = true;
    if (this.held) {
      const held = this.held;
      this.held = undefined;
      this.heldBytes = 0;
      for (const c of held) if (!consumer.data(c)) go = false;
    }
    if (this.failed) consumer.error(this.failed);
    else if (this.complete) consumer.end();
    else if (go) this.conn.unpause();
  }

  /** Reads the whole body into one buffer. */
  readAll(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.pipeTo({
        data: (c) => (chunks.push(c), true),
        end: () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)),
        error: reject,
      });
    });
  }

  /** Throws the rest of the body away (the request was answered without it). */
  resume(): void {
    this.discarding = true;
    this.held = undefined;
    this.heldBytes = 0;
    this.conn.unpause();
  }

  /** Lets the client send more after a consumer's `data` returned false. */
  unpause(): void {
    this.conn.unpause();
  }

  /** @internal body bytes from the connection; false asks it to pause reading. */
  push(chunk: Buffer): boolean {
    if (this.discarding) return true;
    if (this.consumer) return this.consumer.data(chunk);
    (this.held ??= []).push(chunk);
    this.heldBytes += chunk.length;
    return this.heldBytes < HELD_BODY;
  }

  /** @internal */
  finish(): void {
    this.complete = true;
    if (!this.discarding) this.consumer?.end();
  }

  /** @internal the connection broke before the body ended. */
  fail(err: Error): void {
    if (this.complete || this.failed) return;
    this.failed = err;
    if (!this.discarding) this.consumer?.error(err);
  }
}

export class Http1Response implements DownstreamResponse {
  headersSent = false;
  /** The answer was written in full. */
  writableFinished = false;
  destroyed = false;
  private chunked = false;
  private noBody: boolean;
  private closeAfter: boolean;
  private closeFns: (() => void)[] | undefined;
  private drainFn: (() => void) | undefined;
  /** The head, held until the body's first bytes (or the end) so both leave in one write. */
  private pending: string | undefined;
  /** Trailer fields for the last chunk of a chunked answer. */
  private trailerLines = '';

  constructor(
    private readonly conn: Connection,
    private readonly req: Http1Request,
    keepAlive: boolean,
  ) {
    this.noBody = req.method === 'HEAD';
    this.closeAfter = !keepAlive;
  }

  /** Runs fn once when the answer is finished or the connection is lost, as ServerResponse's 'close'. */
  onClose(fn: () => void): void {
    if (this.writableFinished || this.destroyed) {
      fn();
      return;
    }
    (this.closeFns ??= []).push(fn);
  }

  offClose(fn: () => void): void {
    const fns = this.closeFns;
    if (!fns) return;
    const i = fns.indexOf(fn);
    if (i >= 0) fns.splice(i, 1);
  }

  /** Runs fn when a write that returned false has drained. */
  onDrain(fn: () => void): void {
    this.drainFn = fn;
  }

  /**
   * Writes the status line and fields: a flat [name, value, …] list with
   * lowercase names (as an upstream's answer comes), or a table. Adds the
   * framing (chunked when no length is known), Date when absent, and
   * Connection when this is the connection's last answer.
   */
  writeHead(status: number, fields: string[] | Record<string, string | string[] | number>): void {
    if (this.headersSent) throw new Error('headers already sent');
    this.headersSent = true;
    let head = statusLine(status);
    let hasLength = false;
    let hasDate = false;
    if (Array.isArray(fields)) {
      for (let i = 0; i < fields.length; i += 2) {
        const name = fields[i]!;
        if (name === 'content-length') hasLength = true;
        else if (name === 'date') hasDate = true;
        head += `${name}: ${fields[i + 1]!}\r\n`;
      }
    } else {
      hasLength = fields['content-length'] !== undefined;
      hasDate = fields.date !== undefined;
      head += fieldLines(fields);
    }
    if (status < 200 || status === 204 || status === 304) this.noBody = true;
    if (!hasDate) head += `date: ${httpDate()}\r\n`;
    if (!hasLength && !this.noBody) {
      if (this.req.httpVersion === '1.1') {
        this.chunked = true;
        head += 'transfer-encoding: chunked\r\n';
      } else {
        // An HTTP/1.0 client learns the end of a body of unknown length by the close.
        this.closeAfter = true;
      }
    }
    if (this.closeAfter || this.conn.closing) {
      this.closeAfter = true;
      head += 'connection: close\r\n';
    } else if (this.req.httpVersion === '1.0') {
      head += 'connection: keep-alive\r\n';
    }
    this.pending = `${head}\r\n`;
    // Sent with the body's first bytes, or on the next tick if none come before it.
    process.nextTick(flushHead, this);
  }

  write(chunk: Buffer | string): boolean {
    if (this.noBody || this.destroyed || this.writableFinished) return true;
    const body = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (body.length === 0) return true;
    return this.send(body, this.chunked ? `${body.length.toString(16)}\r\n` : '', this.chunked ? '\r\n' : '');
  }

  /** Trailer fields travel in the last chunk of a chunked answer (RFC 9112 §7.1.2); an answer with a length has none. */
  trailers(fields: string[]): void {
    let lines = '';
    for (let i = 0; i < fields.length; i += 2) lines += `${fields[i]!}: ${fields[i + 1]!}\r\n`;
    this.trailerLines = lines;
  }

  end(chunk?: Buffer | string): void {
    if (this.writableFinished || this.destroyed) return;
    if (!this.headersSent) this.writeHead(200, {});
    const last = this.chunked ? `0\r\n${this.trailerLines}\r\n` : '';
    const body = this.noBody || chunk === undefined ? undefined : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (body !== undefined && body.length > 0) this.send(body, this.chunked ? `${body.length.toString(16)}\r\n` : '', this.chunked ? `\r\n${last}` : '');
    else if (last || this.pending !== undefined) this.send(undefined, '', this.noBody ? '' : last);
    this.writableFinished = true;
    this.drainFn = undefined;
    this.conn.answered(this.closeAfter);
    this.fireClose();
  }

  /**
   * Writes `101 Switching Protocols` with these fields and hands the socket
   * over, with the bytes the client sent after its request. The answer is
   * finished from here on; the connection stays the server's (counted,
   * drained, closed by closeAllConnections) until the socket closes.
   */
  switchProtocols(fields: string[]): SwitchedConnection {
    if (this.headersSent || this.req.upgrade === undefined) throw new Error('cannot switch protocols here');
    this.headersSent = true;
    let head = statusLine(101);
    for (let i = 0; i < fields.length; i += 2) head += `${fields[i]!}: ${fields[i + 1]!}\r\n`;
    const socket = this.conn.socket;
    socket.write(`${head}\r\n`, 'latin1');
    const rest = this.conn.switched();
    this.writableFinished = true;
    this.drainFn = undefined;
    this.fireClose();
    return { socket, head: rest };
  }

  /** Cuts the connection: the client sees the answer break off. */
  destroy(): void {
    if (this.destroyed || this.writableFinished) return;
    this.conn.socket.destroy();
  }

  /** @internal writes a held head on its own. */
  flush(): void {
    if (this.pending !== undefined && !this.writableFinished) this.send(undefined, '', '');
  }

  /** One write: any held head, then `before`, the body and `after` (chunk framing). */
  private send(body: Buffer | undefined, before: string, after: string): boolean {
    const socket = this.conn.socket;
    const head = this.pending;
    this.pending = undefined;
    if (socket.destroyed) return true;
    if (head === undefined && before === '' && after === '') return body ? socket.write(body) : true;
    const prefix = head === undefined ? before : head + before;
    if (!body) return socket.write(prefix + after, 'latin1');
    const out = Buffer.allocUnsafe(prefix.length + body.length + after.length);
    out.write(prefix, 0, 'latin1');
    body.copy(out, prefix.length);
    if (after) out.write(after, prefix.length + body.length, 'latin1');
    return socket.write(out);
  }

  /** @internal */
  drained(): void {
    this.drainFn?.();
  }

  /** @internal the connection was lost before the answer was finished. */
  lost(): void {
    if (this.writableFinished || this.destroyed) return;
    this.destroyed = true;
    this.fireClose();
  }

  private fireClose(): void {
    const fns = this.closeFns;
    if (!fns) return;
    this.closeFns = undefined;
    for (const fn of fns) fn();
  }
}

function flushHead(res: Http1Response): void {
  res.flush();
}

/** One client connection: reads requests in order, one answer at a time. */
export class Connection {
  private buf: Buffer | undefined;
  private state = State.Head;
  private req: Http1Request | undefined;
  private res: Http1Response | undefined;
  /** Body bytes still to come (Content-Length framing). */
  private remaining = 0;
  private chunks: ChunkedDecoder | undefined;
  private paused = false;
  private keepAlive = true;
  /** Where the search for the end of the head resumes. */
  private scanned = 0;
  /** When the connection last went idle, or a head began arriving (ms). */
  since = Date.now();
  closing = false;
  /** No request has been read yet: the connection may still turn out to speak HTTP/2. */
  private fresh: boolean;
  private readonly listeners: { data: (chunk: Buffer) => void; drain: () => void; close: () => void };
  /**
   * Closing by drain: an answer whose head already promised keep-alive does not
   * end the connection (its client may reuse it that moment); the next request
   * is answered with the close, or the idle grace ends it.
   */
  draining = false;

  constructor(
    readonly socket: net.Socket,
    private readonly server: Http1Server,
  ) {
    this.fresh = server.http2 !== undefined;
    socket.setNoDelay(true);
    this.listeners = { data: (chunk) => this.onData(chunk), drain: () => this.res?.drained(), close: () => this.onClose() };
    socket.on('data', this.listeners.data);
    socket.on('drain', this.listeners.drain);
    socket.on('error', () => undefined);
    socket.on('close', this.listeners.close);
  }

  /** Nothing in flight and nothing buffered: safe to close. */
  get idle(): boolean {
    return this.state === State.Head && this.buf === undefined;
  }

  /** The answer was a 101: reading stops here, and what was read past the request goes with the socket. */
  switched(): Buffer | undefined {
    const rest = this.buf;
    this.state = State.Switched;
    this.buf = undefined;
    this.req = undefined;
    this.res = undefined;
    this.socket.off('data', this.listeners.data);
    this.socket.off('drain', this.listeners.drain);
    // Each way ends on its own from here: a client's FIN is passed on, the other way keeps flowing.
    this.socket.allowHalfOpen = true;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
    return rest;
  }

  /** Closes the connection once its current answer is done (at once when idle). */
  shutdown(): void {
    this.closing = true;
    if (this.idle) this.socket.destroy();
  }

  /** Checks the idle and slow-head limits; called by the server's sweep. */
  expired(now: number): boolean {
    if (this.state !== State.Head) return false;
    return now - this.since > (this.buf === undefined ? IDLE_MS : HEAD_MS);
  }

  unpause(): void {
    if (this.paused && this.state !== State.Closed) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.state === State.Closed || this.state === State.Switched) return;
    if (this.buf === undefined) {
      if (this.state === State.Head) this.since = Date.now();
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf, chunk]);
    }
    this.process();
  }

  /** Reads what is buffered as far as the current state allows. */
  private process(): void {
    while (this.buf !== undefined && this.state !== State.Closed) {
      if (this.state === State.Head) {
        if (!this.readHead()) return;
      } else if (this.state === State.Body) {
        if (!this.readBody()) return;
      } else {
        // Pipelined: the next request waits until this answer is finished.
        if (this.buf.length > PIPELINE_BUFFER) this.pause();
        return;
      }
    }
  }

  private readHead(): boolean {
    let buf = this.buf!;
    if (this.fresh) {
      if (buf.length < HTTP2_PREFACE.length && HTTP2_PREFACE.subarray(0, buf.length).equals(buf)) return false;
      this.fresh = false;
      if (buf.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE)) {
        this.handOver(buf);
        return false;
      }
    }
    // Empty lines before a request line are ignored (RFC 9112 §2.2).
    let start = 0;
    while (start + 1 < buf.length && buf[start] === 13 && buf[start + 1] === 10) start += 2;
    if (start > 0) {
      buf = start === buf.length ? Buffer.alloc(0) : buf.subarray(start);
      this.buf = buf.length === 0 ? undefined : buf;
      this.scanned = 0;
      if (!this.buf) return false;
    }
    const end = buf.indexOf(CRLFCRLF, this.scanned);
    if (end < 0) {
      if (buf.length > MAX_HEAD_BYTES) this.refuse(431, 'request head too large');
      else this.scanned = Math.max(0, buf.length - 3);
      return false;
    }
    if (end > MAX_HEAD_BYTES) {
      this.refuse(431, 'request head too large');
      return false;
    }
    this.scanned = 0;
    let head: RequestHead;
    try {
      head = parseRequestHead(buf.toString('latin1', 0, end));
    } catch (err) {
      const e = err as HttpError;
      this.refuse(e.status ?? 400, e.message);
      return false;
    }
    const rest = end + 4;
    this.buf = rest === buf.length ? undefined : buf.subarray(rest);
    if (head.method === 'CONNECT') {
      this.refuse(405, 'CONNECT is not supported');
      return false;
    }
    const expect = head.headers.expect as string | undefined;
    if (expect !== undefined) {
      if (expect.toLowerCase() !== '100-continue') {
        this.refuse(417, 'unsupported expectation');
        return false;
      }
      if (head.minor === 1) this.socket.write('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
    }
    this.keepAlive = head.keepAlive;
    const req = new Http1Request(head, this);
    const res = new Http1Response(this, req, head.keepAlive && !this.closing);
    this.req = req;
    this.res = res;
    if (head.chunked) {
      this.chunks = new ChunkedDecoder();
      this.state = State.Body;
    } else if (head.contentLength > 0) {
      this.remaining = head.contentLength;
      this.state = State.Body;
    } else {
      this.state = State.Answer;
    }
    this.server.dispatch(req, res);
    return true;
  }

  private readBody(): boolean {
    const buf = this.buf!;
    const req = this.req!;
    let more = true;
    if (this.chunks) {
      let end: number;
      try {
        end = this.chunks.push(buf, 0, (c) => {
          if (!req.push(c)) more = false;
        });
      } catch (err) {
        const e = err as HttpError;
        req.fail(e);
        this.refuse(e.status ?? 400, e.message);
        return false;
      }
      if (end < 0) {
        this.buf = undefined;
      } else {
        this.buf = end === buf.length ? undefined : buf.subarray(end);
        this.chunks = undefined;
        this.bodyDone();
      }
    } else {
      const take = Math.min(this.remaining, buf.length);
      more = req.push(take === buf.length ? buf : buf.subarray(0, take));
      this.remaining -= take;
      this.buf = take === buf.length ? undefined : buf.subarray(take);
      if (this.remaining === 0) this.bodyDone();
    }
    if (!more) this.pause();
    return true;
  }

  private bodyDone(): void {
    const res = this.res!;
    this.req!.finish();
    if (res.writableFinished) this.nextRequest();
    else if (this.state !== State.Closed) this.state = State.Answer;
  }

  /** The current answer was written in full. */
  answered(close: boolean): void {
    if (this.state === State.Closed || this.state === State.Switched) return;
    if (close || !this.keepAlive || (this.closing && !this.draining)) {
      this.state = State.Closed;
      this.socket.end();
      return;
    }
    if (this.state === State.Body) {
      // Answered before the body was read: read on and drop it, then take the next request.
      this.req!.resume();
      return;
    }
    this.nextRequest();
  }

  private nextRequest(): void {
    // An answer that ended the connection (Connection: close) may have been written while its body
    // was still arriving: nothing after that request is read.
    if (this.state === State.Closed) return;
    this.state = State.Head;
    this.req = undefined;
    this.res = undefined;
    this.since = Date.now();
    this.unpause();
    if (this.buf !== undefined) {
      // Pipelined requests already here are read once the current call stack is done.
      setImmediate(() => this.process());
    }
  }

  /** The connection speaks HTTP/2: the HTTP/2 listener takes the socket and what was read of it. */
  private handOver(read: Buffer): void {
    const socket = this.socket;
    this.state = State.Closed;
    this.buf = undefined;
    socket.pause();
    socket.off('data', this.listeners.data);
    socket.off('drain', this.listeners.drain);
    socket.off('close', this.listeners.close);
    this.server.forget(this);
    this.server.http2!.take(socket, read);
  }

  /** Answers a malformed request itself and closes the connection. */
  private refuse(status: number, message: string): void {
    this.state = State.Closed;
    this.buf = undefined;
    if (this.res && this.res.headersSent) {
      this.socket.destroy();
      return;
    }
    const body = `${message}\n`;
    this.socket.end(`${statusLine(status)}content-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`, 'latin1');
  }

  private onClose(): void {
    this.state = State.Closed;
    this.buf = undefined;
    this.server.forget(this);
    this.req?.fail(new Error('client closed the connection'));
    this.res?.lost();
  }
}

/** A net.Server speaking HTTP/1.1 with the handler given; connections opening with HTTP/2's preface go to `http2`. */
export class Http1Server extends net.Server {
  private readonly conns = new Set<Connection>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly handler: RequestHandler,
    readonly http2?: PrefaceHandover,
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
