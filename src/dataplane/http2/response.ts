/**
 * The answer on one HTTP/2 stream as the executor's DownstreamResponse. The
 * head is held until the body's first bytes or the end, as the HTTP/1.1
 * listener holds it: an answer without a body leaves as one HEADERS frame
 * with END_STREAM (gRPC's trailers-only form), one with a body ends with
 * the upstream's trailers in a HEADERS frame (or an empty DATA frame when it
 * had none). Connection-specific fields, which HTTP/2 forbids (RFC 9113
 * §8.2.2), are dropped.
 */
import type { OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { AnswerState, type DownstreamResponse, type SwitchedConnection } from '../downstream.js';

const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export class H2Response extends AnswerState implements DownstreamResponse {
  private noBody: boolean;
  private pending: OutgoingHttpHeaders | undefined;
  private trailerFields: OutgoingHttpHeaders | undefined;
  /** The proxy reset the stream itself (not the client). */
  resetHere = false;

  constructor(
    private readonly stream: ServerHttp2Stream,
    method: string,
  ) {
    super();
    this.noBody = method === 'HEAD';
    stream.on('drain', () => this.drainFn?.());
    stream.on('wantTrailers', () => stream.sendTrailers(this.trailerFields ?? {}));
    stream.on('error', () => undefined);
    stream.once('close', () => this.lost());
  }

  writeHead(status: number, fields: string[] | Record<string, string | string[] | number>): void {
    if (this.headersSent) throw new Error('headers already sent');
    this.headersSent = true;
    if (status < 200 || status === 204 || status === 304) this.noBody = true;
    this.pending = toH2Fields(fields, { ':status': status });
    process.nextTick(flushHead, this);
  }

  write(chunk: Buffer | string): boolean {
    if (this.noBody || this.destroyed || this.writableFinished) return true;
    if (chunk.length === 0) return true;
    this.flush();
    if (this.stream.destroyed) return true;
    return this.stream.write(chunk);
  }

  trailers(fields: string[]): void {
    this.trailerFields = toH2Fields(fields, {});
  }

  end(chunk?: Buffer | string): void {
    if (this.writableFinished || this.destroyed) return;
    if (!this.headersSent) this.writeHead(200, {});
    const stream = this.stream;
    const body = this.noBody || chunk === undefined || chunk.length === 0 ? undefined : chunk;
    this.writableFinished = true;
    this.drainFn = undefined;
    if (!stream.destroyed) {
      if (this.pending !== undefined && (body === undefined || this.noBody)) {
        // Nothing but the head: one HEADERS frame ending the stream (a trailers-only answer).
        const head = this.pending;
        this.pending = undefined;
        if (this.trailerFields) Object.assign(head, this.trailerFields);
        this.respond(head, { endStream: true });
      } else {
        this.flush();
        if (!stream.destroyed) stream.end(body);
      }
    }
    this.fireClose();
  }

  destroy(): void {
    if (this.destroyed || this.writableFinished) return;
    this.resetHere = true;
    this.stream.close(0x2); // INTERNAL_ERROR: the client sees the answer break off.
  }

  switchProtocols(): SwitchedConnection {
    throw new Error('an HTTP/2 stream does not switch protocols');
  }

  /** @internal sends a held head on its own. */
  flush(): void {
    const head = this.pending;
    if (head === undefined) return;
    this.pending = undefined;
    this.respond(head, this.noBody ? { endStream: true } : { waitForTrailers: true });
  }

  private respond(head: OutgoingHttpHeaders, options: { endStream?: boolean; waitForTrailers?: boolean }): void {
    const stream = this.stream;
    if (stream.destroyed || stream.headersSent) return;
    try {
      stream.respond(head, options);
    } catch {
      // A field HTTP/2 cannot carry: the stream is reset rather than answered wrongly.
      this.resetHere = true;
      stream.close(0x2);
    }
  }

  private lost(): void {
    if (this.writableFinished || this.destroyed) return;
    this.destroyed = true;
    this.fireClose();
  }

}

function flushHead(res: H2Response): void {
  if (!res.writableFinished) res.flush();
}

/** A flat list or a table as HTTP/2 fields, repeated names as arrays, connection-specific ones left out. */
export function toH2Fields(fields: string[] | Record<string, string | string[] | number>, out: OutgoingHttpHeaders): OutgoingHttpHeaders {
  if (Array.isArray(fields)) {
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i]!;
      if (CONNECTION_SPECIFIC.has(name)) continue;
      const value = fields[i + 1]!;
      const cur = out[name];
      if (cur === undefined) out[name] = value;
      else out[name] = Array.isArray(cur) ? [...cur, value] : [String(cur), value];
    }
    return out;
  }
  for (const name in fields) {
    const lower = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(lower)) continue;
    out[lower] = fields[name];
  }
  return out;
}
