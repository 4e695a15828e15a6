/**
 * The HTTP/2 side of a listener: connections that open with HTTP/2's preface
 * (cleartext, prior knowledge, as gRPC clients connect) are handed here by
 * the HTTP/1.1 listener on the same port and served by Node's HTTP/2 server
 * (nghttp2). Each stream becomes an H2Request/H2Response pair for the same
 * handler the HTTP/1.1 listener calls.
 *
 * A misbehaving client is held to nghttp2's and Node's limits, per
 * session: SETTINGS_MAX_CONCURRENT_STREAMS (streams beyond are refused),
 * SETTINGS_MAX_HEADER_LIST_SIZE (the proxy's HTTP/1.1 head limit; nghttp2
 * holds a client to it only once the client has acknowledged the setting, so
 * every stream is measured here too and a larger one answered 431) and a count
 * of fields (a stream over it is reset), the memory a
 * session may hold, and counts of invalid frames and of streams Node
 * refuses for want of session memory (the session ends with a GOAWAY).
 * Streams over the concurrent limit nghttp2 refuses itself (REFUSED_STREAM,
 * cheap, the session going on). Streams a client opens and resets at once
 * (rapid reset, CVE-2023-44487) are held to Envoy's premature-reset rule:
 * once a session has closed 500 streams, it is ended with a GOAWAY
 * (ENHANCE_YOUR_CALM) when at least half of them were reset by the client
 * within a second of opening; nghttp2's own limit (a burst of 1000 resets)
 * sends a GOAWAY but leaves the connection open, so this rule is what closes
 * it. A session error ends that session only.
 */
import http2, { type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type net from 'node:net';
import type { DownstreamRequest, DownstreamResponse, PeerAddresses } from '../downstream.js';
import type { PrefaceHandover } from '../http1/server.js';
import { MAX_HEAD_BYTES, type RequestHead } from '../http1/head.js';
import { asksForH2c, switchToH2c } from './upgrade.js';
import { H2Request } from './request.js';
import { H2Response } from './response.js';

export type StreamHandler = (req: DownstreamRequest, res: DownstreamResponse) => void;

/** The limits each client session is held to. */
export const H2_LIMITS = {
  /** Streams open at once per session (Envoy's default is far higher; 256 holds a gRPC client's fan-out). */
  maxConcurrentStreams: 256,
  /** Bytes of one header list, counted as RFC 9113 §6.5.2 does: the HTTP/1.1 listener's 16 KiB head limit. */
  maxHeaderListSize: MAX_HEAD_BYTES,
  /** Fields per header list (Node's default). */
  maxHeaderListPairs: 128,
  /** Megabytes a session may hold in nghttp2 (Node's default). */
  maxSessionMemory: 10,
  /** Streams refused for being over a limit before the session is ended. */
  maxSessionRejectedStreams: 100,
  /** Invalid frames before the session is ended. */
  maxSessionInvalidFrames: 1000,
  /** A session with no stream open is closed after this long (the HTTP/1.1 listener's idle time). */
  idleMs: 60_000,
  /** Streams a session has closed before the premature-reset rule judges it (Envoy's premature_reset_total_stream_count). */
  prematureResetMinStreams: 500,
  /** A stream the client resets sooner than this after opening it is a premature reset (Envoy's premature_reset_min_stream_lifetime). */
  prematureResetMs: 1000,
};

interface Session {
  session: Http2Session;
  peer: PeerAddresses;
  /** Streams open on it. */
  streams: number;
  /** Streams closed, and of those, reset by the client within prematureResetMs of opening. */
  closed: number;
  premature: number;
  /** The premature-reset rule has ended it. */
  ending: boolean;
}

export class H2Sessions implements PrefaceHandover {
  private readonly server: Http2Server;
  private readonly sessions = new Map<Http2Session, Session>();
  /** The addresses of the socket being handed over, for the session it starts. */
  private pending: PeerAddresses | undefined;

  constructor(private readonly handler: StreamHandler) {
    this.server = http2.createServer({
      maxSessionMemory: H2_LIMITS.maxSessionMemory,
      maxHeaderListPairs: H2_LIMITS.maxHeaderListPairs,
      maxSessionRejectedStreams: H2_LIMITS.maxSessionRejectedStreams,
      maxSessionInvalidFrames: H2_LIMITS.maxSessionInvalidFrames,
      settings: { maxConcurrentStreams: H2_LIMITS.maxConcurrentStreams, maxHeaderListSize: H2_LIMITS.maxHeaderListSize, enablePush: false },
    });
    this.server.on('session', (session) => this.open(session));
    this.server.on('stream', (stream, fields) => this.serve(stream, fields));
    this.server.on('sessionError', () => undefined);
  }

  take(socket: net.Socket, read: Buffer): void {
    this.pending = { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, localAddress: socket.localAddress, localPort: socket.localPort };
    socket.unshift(read);
    this.server.emit('connection', socket);
    this.pending = undefined;
  }

  /** An HTTP/1.1 request without a body asking for h2c (RFC 7540 §3.2); one with a body is served as HTTP/1.1. */
  upgradable(head: RequestHead): boolean {
    return head.minor === 1 && !head.chunked && head.contentLength <= 0 && head.method !== 'CONNECT' && asksForH2c(head.target, head.headers, head.upgrade);
  }

  upgrade(socket: net.Socket, head: RequestHead, read: Buffer | undefined): void {
    switchToH2c(socket, head, read, (bytes) => this.take(socket, bytes));
  }

  closeIdle(): void {
    for (const s of this.sessions.values()) if (s.streams === 0) s.session.close();
  }

  shutdown(): void {
    for (const s of this.sessions.values()) s.session.close();
  }

  closeAll(): void {
    for (const s of this.sessions.values()) s.session.destroy();
  }

  drain(graceMs: number): Promise<void> {
    const closed = [...this.sessions.values()].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.session.destroyed) return resolve();
          s.session.once('close', () => resolve());
          // GOAWAY: streams in flight finish, no new ones are taken.
          s.session.close();
          const timer = setTimeout(() => s.session.destroy(), Math.max(graceMs, 1));
          timer.unref();
        }),
    );
    return Promise.all(closed).then(() => undefined);
  }

  private open(session: Http2Session): void {
    const entry: Session = { session, peer: this.pending ?? {}, streams: 0, closed: 0, premature: 0, ending: false };
    this.sessions.set(session, entry);
    session.setTimeout(H2_LIMITS.idleMs, () => {
      if (entry.streams === 0) session.close();
    });
    session.on('error', () => undefined);
    session.once('close', () => this.sessions.delete(session));
  }

  /** A stream of the session closed: counted, and the session ended by the premature-reset rule. */
  private closed(entry: Session, res: H2Response, opened: number): void {
    entry.streams--;
    entry.closed++;
    if (!res.writableFinished && !res.resetHere && Date.now() - opened < H2_LIMITS.prematureResetMs) entry.premature++;
    if (entry.closed < H2_LIMITS.prematureResetMinStreams || entry.premature * 2 < entry.closed) return;
    if (entry.ending) return;
    entry.ending = true;
    // Not from within this callback: it may run inside nghttp2's read of the frames, and a session
    // destroyed there fails Node's memory accounting (an assertion that ends the process).
    setImmediate(() => {
      const session = entry.session;
      if (session.destroyed) return;
      session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      // The GOAWAY is written with what is queued; then the connection is closed, streams and all.
      setImmediate(() => session.destroy());
    });
  }

  private serve(stream: ServerHttp2Stream, fields: IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    if (headerListSize(fields) > H2_LIMITS.maxHeaderListSize) {
      stream.respond({ ':status': 431 }, { endStream: true });
      return;
    }
    const entry = this.sessions.get(stream.session!);
    const req = new H2Request(stream, fields, entry?.peer ?? {});
    const res = new H2Response(stream, req.method);
    if (entry) {
      entry.streams++;
      const opened = Date.now();
      stream.once('close', () => this.closed(entry, res, opened));
    }
    try {
      this.handler(req, res);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = `internal error: ${(err as Error).message}\n`;
      res.writeHead(500, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    }
  }
}

/** A header list's size as SETTINGS_MAX_HEADER_LIST_SIZE counts it: name and value octets plus 32 per field (RFC 9113 §6.5.2). */
function headerListSize(fields: IncomingHttpHeaders): number {
  let size = 0;
  for (const name in fields) {
    const v = fields[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) size += name.length + one.length + 32;
    else size += name.length + String(v).length + 32;
  }
  return size;
}
