/**
 * The request and answer the executor works on, whatever protocol the client
 * speaks: the HTTP/1.1 listener's Http1Request/Http1Response and the HTTP/2
 * listener's H2Request/H2Response (one per stream) both are these, so every
 * stage of the request path serves both the same way.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type net from 'node:net';

/** Receives a request body as it arrives; `data` returning false pauses the client until `unpause()`. */
export interface BodyConsumer {
  data(chunk: Buffer): boolean;
  end(): void;
  error(err: Error): void;
}

/** A body read once, as it arrives: a client's request streamed through to the upstream. */
export interface BodySource {
  /** Sends the body to `consumer`: what already arrived at once, the rest as it comes. */
  pipeTo(consumer: BodyConsumer): void;
  /** Lets the client send more after a consumer's `data` returned false. */
  unpause(): void;
}

/** The addresses of the client's connection. */
export interface PeerAddresses {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
}

export interface DownstreamRequest extends BodySource {
  readonly method: string;
  /** The request target: origin-form (or absolute-form over HTTP/1.1); `:path` over HTTP/2. */
  readonly url: string;
  /** `1.0`, `1.1` or `2`. */
  readonly httpVersion: string;
  /** Fields by lowercase name; over HTTP/2 without pseudo-headers, `:authority` as `host`. */
  readonly headers: IncomingHttpHeaders;
  /** The request has a body to read. */
  readonly hasBody: boolean;
  /** The whole body has been read (or there was none). */
  readonly complete: boolean;
  readonly socket: PeerAddresses;
  /** Reads the whole body into one buffer. */
  readAll(): Promise<Buffer>;
  /** Throws the rest of the body away (the request was answered without it). */
  resume(): void;
  /**
   * The protocols an HTTP/1.1 Upgrade request asks for (its Upgrade field),
   * when its connection can switch to one; undefined otherwise (HTTP/2, a
   * request with a body).
   */
  readonly upgrade: string | undefined;
}

/** A client connection switched to another protocol: its socket, and what the client sent after the upgrade request. */
export interface SwitchedConnection {
  readonly socket: net.Socket;
  readonly head: Buffer | undefined;
}

export interface DownstreamResponse {
  readonly headersSent: boolean;
  /** The answer was written in full. */
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
  /** Runs fn once when the answer is finished or the client is lost. */
  onClose(fn: () => void): void;
  offClose(fn: () => void): void;
  /** Runs fn when a write that returned false has drained. */
  onDrain(fn: () => void): void;
  /** The status and fields: a flat [name, value, …] list with lowercase names, or a table. */
  writeHead(status: number, fields: string[] | Record<string, string | string[] | number>): void;
  write(chunk: Buffer | string): boolean;
  /** Trailer fields (flat, lowercase names) to send with the end of the body, where the protocol carries them. */
  trailers(fields: string[]): void;
  end(chunk?: Buffer | string): void;
  /** Cuts the answer off: the client sees it break (a reset stream, or a closed connection). */
  destroy(): void;
  /**
   * Answers `101 Switching Protocols` with these fields and hands the
   * connection over: the answer counts as finished (onClose runs), and the
   * socket belongs to the caller from then on. Only for a request whose
   * `upgrade` is set.
   */
  switchProtocols(fields: string[]): SwitchedConnection;
}

/** Reads a whole body into one buffer. */
export function readAll(source: BodySource): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    source.pipeTo({
      data: (c) => (chunks.push(c), true),
      end: () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)),
      error: reject,
    });
  });
}

/** What every answer keeps whatever its protocol: its state, and who waits for its end or for a drain. */
export abstract class AnswerState {
  headersSent = false;
  /** The answer was written in full. */
  writableFinished = false;
  destroyed = false;
  private closeFns: (() => void)[] | undefined;
  protected drainFn: (() => void) | undefined;

  /** Runs fn once when the answer is finished or the client is lost, as ServerResponse's 'close'. */
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

  protected fireClose(): void {
    const fns = this.closeFns;
    if (!fns) return;
    this.closeFns = undefined;
    for (const fn of fns) fn();
  }
}
