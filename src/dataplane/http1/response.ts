/**
 * One answer of the HTTP/1.1 listener: the head held until the body's first
 * bytes so both leave in one write, chunked framing when no length is known,
 * trailers in the last chunk, and the 101 of a switched connection.
 */
import { AnswerState, type DownstreamResponse, type SwitchedConnection } from '../downstream.js';
import type { Connection } from './connection.js';
import { fieldLines, httpDate, statusLine } from './head.js';
import type { Http1Request } from './request.js';

export class Http1Response extends AnswerState implements DownstreamResponse {
  private chunked = false;
  private noBody: boolean;
  private closeAfter: boolean;
  /** The head, held until the body's first bytes (or the end) so both leave in one write. */
  private pending: string | undefined;
  /** Trailer fields for the last chunk of a chunked answer. */
  private trailerLines = '';

  constructor(
    private readonly conn: Connection,
    private readonly req: Http1Request,
    keepAlive: boolean,
  ) {
    super();
    this.noBody = req.method === 'HEAD';
    this.closeAfter = !keepAlive;
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

}

function flushHead(res: Http1Response): void {
  res.flush();
}
