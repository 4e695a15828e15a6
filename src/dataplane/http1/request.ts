/**
 * One request read by the HTTP/1.1 listener (connection.ts): its head, and its
 * body handed to a consumer as it arrives, held up to 64 KiB before reading
 * pauses while nothing consumes it yet.
 */
import type net from 'node:net';
import { readAll, type BodyConsumer, type DownstreamRequest } from '../downstream.js';
import type { Connection } from './connection.js';
import type { HeaderTable, RequestHead } from './head.js';

/** An Upgrade field naming h2c among its protocols. */
const H2C = /(?:^|,)[ \t]*h2c[ \t]*(?:,|$)/i;
/** Bytes of a request body held before anything consumes it (a queued attempt, a fault delay) before reading pauses. */
const HELD_BODY = 64 * 1024;

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

  readAll(): Promise<Buffer> {
    return readAll(this);
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
