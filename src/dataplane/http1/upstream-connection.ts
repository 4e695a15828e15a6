/**
 * One keep-alive connection of an HTTP/1.1 upstream pool (client.ts): it writes
 * each request in one write, reads the answer's head and body off the socket
 * (Content-Length, chunked, or until close), hands an upgrade's socket over on
 * 101, and originates TLS when its pool has TLS settings.
 */
import net from 'node:net';
import tls from 'node:tls';
import { tlsConnectOptions, tlsError, type UpstreamTls } from '../upstream-tls.js';
import { ChunkedDecoder } from './chunked.js';
import { fieldLines, parseResponseHead, type ResponseHead } from './head.js';
import type { DispatchOptions, Http1Pool, ResponseHandler } from './client.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const REPLAYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const MAX_RESPONSE_HEAD = 64 * 1024;

export function codeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** One request on one connection, from the first byte written to the last byte read. */
export class Exchange {
  headDone = false;
  /** Any byte of an answer arrived. */
  answered = false;
  finished = false;
  requestWritten = false;
  noBody = false;
  remaining = -1;
  chunks: ChunkedDecoder | undefined;
  untilClose = false;
  head: ResponseHead | undefined;
  timer: NodeJS.Timeout | undefined;
  tries = 0;

  constructor(
    readonly opts: DispatchOptions,
    readonly handler: ResponseHandler,
  ) {}

  get replayable(): boolean {
    const b = this.opts.body;
    return (b === null || Buffer.isBuffer(b)) && (REPLAYABLE_METHODS.has(this.opts.method) || this.opts.headers['idempotency-key'] !== undefined);
  }
}

export class UpstreamConnection {
  readonly socket: net.Socket;
  exchange: Exchange | undefined;
  /** Completed exchanges: a reused connection may have been closed by the upstream while idle. */
  served = 0;
  idleSince = 0;
  idleLimit = 0;
  closed = false;
  private buf: Buffer | undefined;
  private scanned = 0;
  private connected = false;
  /** TLS only: the TCP connection is up, the handshake not yet done (a failure now is the handshake's). */
  private handshaking = false;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly listeners: { data: (chunk: Buffer) => void; drain: () => void; error: (err: Error) => void; close: () => void };

  constructor(
    private readonly pool: Http1Pool,
    /** Kept in the pool; false for an upgrade request's connection of its own. */
    private readonly pooled = true,
  ) {
    const t = pool.tls;
    this.socket = this.open(t);
    this.connectTimer = setTimeout(() => this.fail(codeError(`connect timeout to ${pool.address}:${pool.port}`, 'ECONNTIMEOUT')), pool.connectTimeoutMs);
    this.socket.once(t ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.handshaking = false;
      clearTimeout(this.connectTimer);
    });
    if (t) this.socket.once('connect', () => (this.handshaking = true));
    this.listeners = {
      data: (chunk: Buffer) => this.onData(chunk),
      drain: () => {
        const body = this.exchange?.opts.body;
        if (body && !Buffer.isBuffer(body)) body.unpause();
      },
      error: (err) => this.fail(err),
      close: () => this.fail(codeError('upstream closed the connection', 'ECONNRESET')),
    };
    for (const [event, fn] of Object.entries(this.listeners)) this.socket.on(event, fn);
  }

  /** A TCP connection, or a TLS one with the pool's settings (settings that cannot be used fail it at once). */
  private open(t: UpstreamTls | undefined): net.Socket {
    const { address, port } = this.pool;
    if (!t) return net.connect({ host: address, port, noDelay: true });
    if (t.error !== undefined) {
      const reason = t.error;
      setImmediate(() => this.fail(tlsError(reason)));
      return new net.Socket();
    }
    const socket = tls.connect(tlsConnectOptions(t, address, port));
    socket.setNoDelay(true);
    return socket;
  }

  /** Writes the request: head and an in-memory body in one write; a streamed body as it arrives. */
  send(ex: Exchange): void {
    this.exchange = ex;
    this.buf = undefined;
    this.scanned = 0;
    const { method, path, headers, body } = ex.opts;
    ex.noBody = method === 'HEAD';
    let head = `${method} ${path} HTTP/1.1\r\n${fieldLines(headers)}`;
    const socket = this.socket;
    if (body === null) {
      socket.write(`${head}\r\n`, 'latin1');
      ex.requestWritten = true;
    } else if (Buffer.isBuffer(body)) {
      if (headers['content-length'] === undefined) head += `content-length: ${body.length}\r\n`;
      socket.cork();
      socket.write(`${head}\r\n`, 'latin1');
      socket.write(body);
      socket.uncork();
      ex.requestWritten = true;
    } else {
      const chunked = headers['content-length'] === undefined;
      if (chunked) head += 'transfer-encoding: chunked\r\n';
      socket.write(`${head}\r\n`, 'latin1');
      body.pipeTo({
        data: (c) => {
          if (this.exchange !== ex || socket.destroyed) return true;
          if (!chunked) return socket.write(c);
          socket.write(`${c.length.toString(16)}\r\n`, 'latin1');
          socket.write(c);
          return socket.write('\r\n', 'latin1');
        },
        end: () => {
          if (this.exchange !== ex || socket.destroyed) return;
          if (chunked) socket.write('0\r\n\r\n', 'latin1');
          ex.requestWritten = true;
        },
        error: (err) => {
          if (this.exchange === ex) this.abort(ex, err);
        },
      });
    }
  }

  abort(ex: Exchange, err: Error): void {
    if (this.exchange !== ex || ex.finished) return;
    ex.finished = true;
    clearTimeout(ex.timer);
    this.exchange = undefined;
    this.close();
    releaseBody(ex);
    ex.handler.onError(err);
  }

  /** Closes the connection; the pool forgets it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.connectTimer);
    this.socket.destroy();
    if (this.pooled) this.pool.lost(this);
  }

  /** A 101 to an upgrade request: the socket leaves this connection for the handler, with what followed the head. */
  private switchProtocols(ex: Exchange, head: ResponseHead, rest: Buffer | undefined): void {
    ex.finished = true;
    clearTimeout(ex.timer);
    this.exchange = undefined;
    this.closed = true;
    this.buf = undefined;
    const socket = this.socket;
    for (const [event, fn] of Object.entries(this.listeners)) socket.off(event, fn);
    socket.pause();
    // Each way ends on its own from here: a FIN is passed on, the other way keeps flowing.
    socket.allowHalfOpen = true;
    ex.handler.onUpgrade!(head.headers, head.upgrade, socket, rest);
  }

  private onData(chunk: Buffer): void {
    const ex = this.exchange;
    if (!ex) {
      // Bytes with nothing asked: the connection cannot be trusted any more.
      this.socket.destroy();
      return;
    }
    ex.answered = true;
    if (ex.headDone) {
      this.body(ex, chunk, 0);
      return;
    }
    const buf = this.buf === undefined ? chunk : Buffer.concat([this.buf, chunk]);
    this.buf = buf;
    let start = 0;
    for (;;) {
      const end = buf.indexOf(CRLFCRLF, Math.max(start, this.scanned));
      if (end < 0) {
        if (buf.length - start > MAX_RESPONSE_HEAD) return this.abort(ex, codeError('upstream response head too large', 'EPROTO'));
        this.buf = start === 0 ? buf : buf.subarray(start);
        this.scanned = Math.max(0, this.buf.length - 3);
        return;
      }
      let head: ResponseHead;
      try {
        head = parseResponseHead(buf.toString('latin1', start, end));
      } catch (err) {
        return this.abort(ex, codeError((err as Error).message, 'EPROTO'));
      }
      start = end + 4;
      this.scanned = 0;
      if (head.status >= 100 && head.status < 200) {
        // Interim answers (100 Continue, 103 Early Hints) are not passed on; 101 only where an upgrade was asked for.
        if (head.status === 101) {
          if (!ex.opts.upgrade || !ex.handler.onUpgrade) return this.abort(ex, codeError('unexpected 101 from upstream', 'EPROTO'));
          return this.switchProtocols(ex, head, start < buf.length ? buf.subarray(start) : undefined);
        }
        continue;
      }
      this.buf = undefined;
      ex.headDone = true;
      ex.head = head;
      clearTimeout(ex.timer);
      const s = head.status;
      if (ex.noBody || s === 204 || s === 304) ex.noBody = true;
      else if (head.chunked) ex.chunks = new ChunkedDecoder();
      else if (head.contentLength >= 0) ex.remaining = head.contentLength;
      else ex.untilClose = true;
      const go = ex.handler.onHeaders(s, head.headers, () => this.socket.resume(), head.contentLength);
      if (ex.finished) return;
      if (ex.noBody || ex.remaining === 0) {
        if (start < buf.length) return this.abort(ex, codeError('upstream sent bytes after the answer', 'EPROTO'));
        return this.complete(ex);
      }
      if (!go) this.socket.pause();
      if (start < buf.length) this.body(ex, buf, start);
      return;
    }
  }

  private body(ex: Exchange, buf: Buffer, start: number): void {
    const handler = ex.handler;
    let go = true;
    if (ex.chunks) {
      let end: number;
      try {
        end = ex.chunks.push(buf, start, (c) => {
          if (!handler.onData(c)) go = false;
        });
      } catch (err) {
        return this.abort(ex, codeError((err as Error).message, 'EPROTO'));
      }
      if (ex.finished) return;
      if (end >= 0) {
        if (end < buf.length) return this.abort(ex, codeError('upstream sent bytes after the answer', 'EPROTO'));
        return this.complete(ex);
      }
    } else if (ex.untilClose) {
      go = handler.onData(start === 0 ? buf : buf.subarray(start));
    } else {
      const avail = buf.length - start;
      if (avail > ex.remaining) return this.abort(ex, codeError('upstream sent more than its Content-Length', 'EPROTO'));
      go = handler.onData(start === 0 ? buf : buf.subarray(start));
      if (ex.finished) return;
      ex.remaining -= avail;
      if (ex.remaining === 0) return this.complete(ex);
    }
    if (!go) this.socket.pause();
  }

  private complete(ex: Exchange): void {
    ex.finished = true;
    clearTimeout(ex.timer);
    this.served++;
    const head = ex.head!;
    this.idleLimit = head.keepAliveMs > 0 ? head.keepAliveMs - 1000 : this.pool.idleMs;
    this.exchange = undefined;
    if (head.close || !ex.requestWritten || !this.pooled) {
      // Answered before the body was all sent: the connection is mid-message, so it goes (Go's rule).
      this.close();
      releaseBody(ex);
    } else {
      this.pool.release(this);
    }
    if (this.socket.isPaused()) this.socket.resume();
    ex.handler.onComplete();
  }

  private fail(failure: Error): void {
    // What ends a connection during its TLS handshake is the handshake's failure (a certificate that does not verify).
    const err = this.handshaking ? handshakeError(failure) : failure;
    this.handshaking = false;
    const ex = this.exchange;
    this.exchange = undefined;
    this.close();
    if (!ex || ex.finished) return;
    releaseBody(ex);
    if (ex.untilClose && ex.headDone && (err as { code?: string }).code === 'ECONNRESET' && !this.socket.errored) {
      // A close-delimited body ends with the connection.
      ex.finished = true;
      ex.handler.onComplete();
      return;
    }
    if (this.served > 0 && !ex.answered && ex.tries === 0 && ex.replayable) {
      // The upstream closed this kept-alive connection as the request went out.
      ex.tries++;
      this.pool.start(ex);
      return;
    }
    clearTimeout(ex.timer);
    ex.finished = true;
    if (!this.connected && (err as { code?: string }).code === 'ECONNRESET') Object.assign(err, { code: 'ECONNREFUSED' });
    ex.handler.onError(err);
  }
}

/** A failure during the TLS handshake, as ETLS with its reason. */
function handshakeError(err: Error): Error {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ETLS') return err;
  if (e.code === 'ECONNRESET') return tlsError('the upstream closed the connection during the handshake');
  return tlsError(e.code ? `${e.code}: ${e.message}` : e.message);
}

/** A streamed request body no longer sent anywhere: its client may go on (the rest is dropped). */
function releaseBody(ex: Exchange): void {
  const body = ex.opts.body;
  if (body && !Buffer.isBuffer(body)) body.unpause();
}
