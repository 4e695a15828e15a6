/**
 * Upstream HTTP/2 for endpoints whose service port speaks it (Istio's
 * protocol selection: `grpc`, `http2`, `h2c`): one cleartext session per
 * endpoint with prior knowledge, every request a stream on it, opened anew
 * once the upstream sends GOAWAY or the session closes. Requests are handed
 * the same ResponseHandler as HTTP/1.1's pool: the head first, then the body
 * with backpressure (a paused stream stops granting the upstream window),
 * then the trailers (gRPC's grpc-status).
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import net from 'node:net';
import type { DispatchOptions, PoolOptions, ResponseHandler } from '../http1/client.js';
import { isGrpc } from '../grpc/status.js';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, HTTP2_HEADER_STATUS } = http2.constants;
/** Fields HTTP/2 forbids in a request (RFC 9113 §8.2.2), besides Host, which becomes :authority. */
const NOT_SENT = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te']);

function codeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

export class Http2Pool {
  private session: ClientHttp2Session | undefined;
  private streams = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly connectTimeoutMs: number;
  private readonly idleMs: number;

  constructor(
    readonly address: string,
    readonly port: number,
    opts: PoolOptions = {},
  ) {
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.idleMs = opts.idleMs ?? 60_000;
  }

  dispatch(opts: DispatchOptions, handler: ResponseHandler): void {
    if (this.closing) {
      handler.onConnect(() => undefined);
      handler.onError(codeError('pool closed', 'ECONNRESET'));
      return;
    }
    let stream: ClientHttp2Stream;
    try {
      stream = this.connect().request(requestFields(opts, this.address, this.port), { endStream: opts.body === null });
    } catch (err) {
      handler.onConnect(() => undefined);
      handler.onError(err as Error);
      return;
    }
    this.track(stream);
    new UpstreamStream(stream, opts, handler);
  }

  /** Stops taking requests: the session closes once its streams have ended. */
  close(): void {
    this.closing = true;
    clearTimeout(this.idleTimer);
    this.session?.close();
  }

  destroy(): void {
    this.close();
    this.session?.destroy();
  }

  /** The session to send on: the current one, or a new one when there is none or it is going away. */
  private connect(): ClientHttp2Session {
    const cur = this.session;
    if (cur && !cur.closed && !cur.destroyed) return cur;
    const { address, port } = this;
    const session = http2.connect(`http://${address.includes(':') ? `[${address}]` : address}:${port}`, {
      createConnection: () => net.connect({ host: address, port, noDelay: true }),
      settings: { enablePush: false },
    });
    const timer = setTimeout(() => session.destroy(codeError(`connect timeout to ${address}:${port}`, 'ECONNTIMEOUT')), this.connectTimeoutMs);
    session.once('connect', () => clearTimeout(timer));
    const forget = (): void => {
      clearTimeout(timer);
      if (this.session === session) this.session = undefined;
    };
    // GOAWAY: the streams it lets finish go on; new requests take a new session.
    session.on('goaway', forget);
    session.once('close', forget);
    session.on('error', () => undefined);
    this.session = session;
    return session;
  }

  /** Counts the stream open; a session with none left closes after the idle time. */
  private track(stream: ClientHttp2Stream): void {
    this.streams++;
    clearTimeout(this.idleTimer);
    stream.once('close', () => {
      if (--this.streams > 0 || this.closing) return;
      const session = this.session;
      this.idleTimer = setTimeout(() => {
        if (this.streams === 0 && this.session === session) session?.close();
      }, this.idleMs);
      this.idleTimer.unref();
    });
  }
}

/** The request's fields as HTTP/2 sends them: pseudo-headers from the method, path and Host; te: trailers for gRPC. */
function requestFields(opts: DispatchOptions, address: string, port: number): OutgoingHttpHeaders {
  const h = opts.headers;
  const host = h.host;
  const out: OutgoingHttpHeaders = {
    ':method': opts.method,
    ':path': opts.path,
    ':scheme': 'http',
    ':authority': typeof host === 'string' && host !== '' ? host : `${address}:${port}`,
  };
  for (const name in h) if (!NOT_SENT.has(name)) out[name] = h[name];
  if (isGrpc(h['content-type'] as string | undefined)) out.te = 'trailers';
  return out;
}

/** One request's stream, reported to its handler. */
class UpstreamStream {
  private headed = false;
  private ended = false;
  private failed = false;
  private timer: NodeJS.Timeout | undefined;
  private error: Error | undefined;

  constructor(
    private readonly stream: ClientHttp2Stream,
    opts: DispatchOptions,
    private readonly handler: ResponseHandler,
  ) {
    if (opts.headersTimeout !== undefined) {
      this.timer = setTimeout(() => this.cancel(codeError('upstream sent no head in time', 'ETIMEDOUT')), opts.headersTimeout);
    }
    stream.on('response', (fields, flags) => this.onResponse(fields, flags));
    stream.on('data', (chunk: Buffer) => {
      if (!handler.onData(chunk)) stream.pause();
    });
    stream.on('trailers', (fields) => handler.onTrailers?.(flatFields(fields)));
    stream.on('end', () => this.onEnd());
    stream.on('error', (err: Error) => (this.error ??= err));
    stream.once('close', () => this.onClose());
    handler.onConnect((err) => this.cancel(err ?? new Error('aborted')));
    this.sendBody(opts);
  }

  private sendBody(opts: DispatchOptions): void {
    const body = opts.body;
    const stream = this.stream;
    if (body === null) return;
    if (Buffer.isBuffer(body)) {
      stream.end(body);
      return;
    }
    stream.on('drain', () => body.unpause());
    body.pipeTo({
      data: (c) => (stream.destroyed ? true : stream.write(c)),
      end: () => {
        if (!stream.destroyed) stream.end();
      },
      error: (err) => this.cancel(err),
    });
  }

  private onResponse(fields: IncomingHttpHeaders, flags: number): void {
    const status = Number(fields[HTTP2_HEADER_STATUS]);
    if (status < 200) return;
    clearTimeout(this.timer);
    this.headed = true;
    const cl = fields['content-length'];
    const length = typeof cl === 'string' && /^\d+$/.test(cl) ? Number(cl) : -1;
    const flat = flatFields(fields);
    if (!this.handler.onHeaders(status, flat, () => this.stream.resume(), length)) this.stream.pause();
    // A trailers-only answer (HEADERS with END_STREAM) has no body to wait for.
    if (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) this.stream.resume();
  }

  private onEnd(): void {
    if (this.ended || this.failed || !this.headed) return;
    this.ended = true;
    this.handler.onComplete();
    // The answer is over (a retry may follow): a request body still open is not sent on.
    if (!this.stream.writableEnded && !this.stream.destroyed) this.stream.close(NGHTTP2_CANCEL);
  }

  private onClose(): void {
    clearTimeout(this.timer);
    if (this.ended || this.failed) return;
    if (this.headed && this.stream.rstCode === 0 && this.stream.readableEnded) return this.onEnd();
    this.failed = true;
    this.handler.onError(this.failure());
  }

  /** Why the stream ended without an answer: a connection that failed, a stream the upstream refused or reset. */
  private failure(): Error {
    const err = this.error as (Error & { code?: string; cause?: Error }) | undefined;
    const cause = err?.cause as (Error & { code?: string }) | undefined;
    if (cause?.code) return cause;
    if (err?.code && err.code !== 'ERR_HTTP2_STREAM_ERROR') return err;
    const rst = this.stream.rstCode;
    if (rst === NGHTTP2_REFUSED_STREAM) return codeError('upstream refused the stream', 'EREFUSEDSTREAM');
    return err ?? codeError(`upstream reset the stream (code ${rst ?? 0})`, 'ECONNRESET');
  }

  private cancel(err: Error): void {
    if (this.ended || this.failed) return;
    this.error = err;
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_CANCEL);
    else this.onClose();
  }
}

/** HTTP/2 fields as a flat [name, value, …] list without pseudo-headers, repeated values one pair each. */
function flatFields(fields: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const name in fields) {
    if (name.charCodeAt(0) === 58) continue;
    const v = fields[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) out.push(name, one);
    else out.push(name, v);
  }
  return out;
}
