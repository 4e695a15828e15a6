/**
 * One client connection of the HTTP/1.1 listener: reads requests in order,
 * one answer at a time, pipelined ones held until their turn; hands a
 * connection that opens with HTTP/2's preface to the HTTP/2 listener, and a
 * switched one (a 101, a CONNECT) to whoever took it.
 */
import type net from 'node:net';
import { ChunkedDecoder } from './chunked.js';
import { MAX_HEAD_BYTES, parseRequestHead, statusLine, type RequestHead } from './head.js';
import { Http1Request } from './request.js';
import { Http1Response } from './response.js';
import type { Http1Server } from './server.js';
import type { HttpError } from './syntax.js';

/** HTTP/2's connection preface (RFC 9113 §3.4): a client speaking HTTP/2 with prior knowledge starts with it. */
export const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n');
/** A persistent connection with nothing in flight is closed after this long (Node's http server keepAliveTimeout in graymesh: 60 s). */
const IDLE_MS = 60_000;
/** A request head must arrive within this long of its first byte. */
const HEAD_MS = 60_000;
/** Bytes of pipelined requests held while an answer is in progress before reading pauses. */
const PIPELINE_BUFFER = 64 * 1024;

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
      this.takeConnect(head);
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
    if (head.upgrade !== undefined && !this.closing && this.server.http2?.upgradable(head)) {
      this.handOver(this.buf, head);
      return false;
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

  /** A CONNECT: the listener's ConnectHandler takes the socket (a tunnel from here on), else 405. */
  private takeConnect(head: RequestHead): void {
    const connect = this.server.connect;
    if (!connect) return this.refuse(405, 'CONNECT is not supported');
    // What follows a CONNECT's head is the tunnel's; a body would be read two ways.
    if (head.chunked || head.contentLength > 0) return this.refuse(400, 'CONNECT with a body');
    const rest = this.switched();
    connect(head, this.socket, rest);
  }

  /**
   * The connection speaks HTTP/2: the HTTP/2 listener takes the socket and
   * what was read of it, opening with the preface, or after an h2c upgrade
   * request (`upgrade`) that becomes its first stream.
   */
  private handOver(read: Buffer | undefined, upgrade?: RequestHead): void {
    const socket = this.socket;
    this.state = State.Closed;
    this.buf = undefined;
    socket.pause();
    socket.off('data', this.listeners.data);
    socket.off('drain', this.listeners.drain);
    socket.off('close', this.listeners.close);
    this.server.forget(this);
    if (upgrade) this.server.http2!.upgrade(socket, upgrade, read);
    else this.server.http2!.take(socket, read!);
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
