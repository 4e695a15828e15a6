/**
 * One attempt of a request to one upstream endpoint, as a ResponseHandler of
 * the upstream pool: no AbortController, no intermediate Readable, no header
 * objects on the hot path. The executor learns the answer's status and headers first
 * (to decide on a retry), then either pipes the body to the client with
 * backpressure, or discards it.
 */
import type net from 'node:net';
import type { ResponseHandler } from './http1/client.js';
import type { DownstreamResponse } from './downstream.js';

export type FailureKind = 'connect' | 'reset' | 'timeout';

export interface AttemptFailure {
  status: number;
  flag: string;
  text: string;
  kind: FailureKind;
}

/** What the executor learns when an attempt settles: an answer's head, or a local failure. */
export interface AttemptHead {
  status?: number;
  /** End-to-end response headers as a flat [name, value, ...] list, names lowercase. */
  headers?: string[];
  /** The answer's content-length, when it gave one. */
  contentLength?: number;
  failure?: AttemptFailure;
  /** An upgrade request answered 101: the upstream's socket, switched, until someone takes it (`takeUpgraded`). */
  upgraded?: UpgradedUpstream;
}

/** The upstream's side of a connection that switched protocols. */
export interface UpgradedUpstream {
  readonly socket: net.Socket;
  /** What the upstream sent after the 101's head. */
  readonly head: Buffer | undefined;
  /** The answer's Upgrade field: the protocol switched to. */
  readonly protocol: string | undefined;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNTIMEOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH']);

export function failureOf(err: Error, timedOut: boolean): AttemptFailure {
  if (timedOut) return { status: 504, flag: 'UT', text: 'upstream request timeout\n', kind: 'timeout' };
  const code = (err as { code?: string }).code ?? '';
  if (code === 'ETLS') {
    // Envoy: a connection failure whose transport failure reason is the TLS error.
    return { status: 503, flag: 'UF', text: `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${err.message}\n`, kind: 'connect' };
  }
  if (CONNECT_CODES.has(code)) {
    return { status: 503, flag: 'UF', text: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure\n', kind: 'connect' };
  }
  return { status: 503, flag: 'UC', text: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination\n', kind: 'reset' };
}

export class UpstreamAttempt implements ResponseHandler {
  /** Settles once: with the head of the answer or a failure. */
  readonly head: Promise<AttemptHead>;
  /** Body bytes received. */
  bytes = 0;
  /** The answer's trailer fields, once they came. */
  trailerFields: string[] | undefined = undefined;
  private trailersFn: ((fields: string[]) => void) | undefined;
  private readonly endCallbacks: (() => void)[] = [];
  private settle!: (h: AttemptHead) => void;
  private settled = false;
  private abortFn: ((err?: Error) => void) | undefined;
  private resumeFn: (() => void) | undefined;
  private sink: DownstreamResponse | undefined;
  /** Sees each chunk that goes to the client (a gRPC answer's message count). */
  private meter: ((chunk: Buffer) => void) | undefined;
  private buffered: Buffer[] | undefined;
  private complete = false;
  private discarded = false;
  private aborted = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  /** A switched upstream socket nobody took yet: closed if the attempt is aborted. */
  private untaken: net.Socket | undefined;
  /** Sees the body while it is held back before `pipe` (each chunk, then null once the answer is over). */
  private observer: ((chunk: Buffer | null) => void) | undefined;
  /** The answer broke off after its head, before anything was piped. */
  private broken = false;

  constructor(perTryMs: number) {
    this.head = new Promise((r) => (this.settle = r));
    if (Number.isFinite(perTryMs)) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.abort();
      }, perTryMs);
    }
  }

  /** Bounds the body too (the route's overall timeout): after ms the answer is cut. */
  limit(ms: number): void {
    if (!Number.isFinite(ms)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.abort(), Math.max(0, ms));
  }

  abort(): void {
    this.untaken?.destroy();
    this.untaken = undefined;
    if (this.aborted || this.ended) return;
    this.aborted = true;
    this.abortFn?.(new Error('aborted'));
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
    if (this.aborted) abort(new Error('aborted'));
  }

  onHeaders(statusCode: number, headers: string[], resume: () => void, contentLength: number): boolean {
    if (!this.timedOut && this.timer && !this.sink) {
      // The per-try timeout covers the wait for headers, as Envoy's does.
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.resumeFn = resume;
    this.settled = true;
    this.settle(contentLength >= 0 ? { status: statusCode, headers, contentLength } : { status: statusCode, headers });
    return true;
  }

  /** A 101: the attempt is over (the connection belongs to neither pool nor router), the socket waits for the tunnel. */
  onUpgrade(headers: string[], protocol: string | undefined, socket: net.Socket, head: Buffer | undefined): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.settled = true;
    this.untaken = socket;
    this.settle({ status: 101, headers, upgraded: { socket, head, protocol } });
    this.finish();
  }

  /** The switched socket is the caller's from now on. */
  takeUpgraded(): void {
    this.untaken = undefined;
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.discarded) return true;
    if (this.sink) {
      this.meter?.(chunk);
      return this.sink.write(chunk);
    }
    (this.buffered ??= []).push(chunk);
    this.observer?.(chunk);
    return true;
  }

  onTrailers(fields: string[]): void {
    this.trailerFields = fields;
    this.trailersFn?.(fields);
    this.observer?.(null);
  }

  /**
   * While the answer is held back (not piped yet), `fn` sees what has come of
   * its body and each chunk after, then null once the trailers or the end came
   * or the answer broke off.
   */
  observe(fn: ((chunk: Buffer | null) => void) | undefined): void {
    this.observer = fn;
    if (!fn) return;
    for (const c of this.buffered ?? []) fn(c);
    if (this.trailerFields || this.ended) fn(null);
  }

  /** Runs fn with the trailer fields when they come (before the answer ends). */
  whenTrailers(fn: (fields: string[]) => void): void {
    if (this.trailerFields) fn(this.trailerFields);
    else this.trailersFn = fn;
  }

  onComplete(): void {
    this.complete = true;
    clearTimeout(this.timer);
    if (this.sink) this.endSink(this.sink);
    this.finish();
    this.observer?.(null);
  }

  onError(err: Error): void {
    clearTimeout(this.timer);
    if (!this.settled) {
      this.settled = true;
      this.settle({ failure: failureOf(err, this.timedOut) });
    } else if (this.sink && !this.sink.writableFinished) {
      // The answer broke off after its head: the client's connection is cut, as Envoy does.
      this.sink.destroy();
    } else if (!this.sink) {
      this.broken = true;
    }
    this.finish();
    this.observer?.(null);
  }

  /** Sends the body to the client as it arrives, with backpressure; `meter` sees every chunk sent. */
  pipe(res: DownstreamResponse, meter?: (chunk: Buffer) => void): void {
    this.sink = res;
    this.meter = meter;
    this.observer = undefined;
    if (this.buffered) {
      for (const c of this.buffered) {
        meter?.(c);
        res.write(c);
      }
      this.buffered = undefined;
    }
    if (this.broken) {
      res.destroy();
      return;
    }
    if (this.complete) {
      this.endSink(res);
      return;
    }
    res.onDrain(() => this.resumeFn?.());
    // The client went away mid-answer: stop reading from the upstream.
    res.onClose(() => {
      if (!res.writableFinished) this.abort();
    });
    this.resumeFn?.();
  }

  private endSink(res: DownstreamResponse): void {
    if (this.trailerFields) res.trailers(this.trailerFields);
    res.end();
  }

  /** Throws the body away (a retry follows), keeping the connection usable when it completes. */
  discard(): void {
    this.untaken?.destroy();
    this.untaken = undefined;
    this.discarded = true;
    this.buffered = undefined;
    this.resumeFn?.();
  }

  /** Runs fn once the attempt is over (body complete, failed or aborted); at once when it already is. */
  whenEnded(fn: () => void): void {
    if (this.ended) fn();
    else this.endCallbacks.push(fn);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const fn of this.endCallbacks) fn();
  }
}

/** A dispatch handler that drops the answer: for fire-and-forget mirrors. */
export const DISCARD: ResponseHandler = {
  onConnect: () => undefined,
  onHeaders: () => true,
  onData: () => true,
  onComplete: () => undefined,
  onError: () => undefined,
};
