/**
 * One HTTP/2 request stream as the executor's DownstreamRequest: the method,
 * `:path` and fields (`:authority` as Host, the other pseudo-headers left
 * out), and the body read off the stream with HTTP/2 flow control as the
 * backpressure (a paused stream stops granting the client window).
 */
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { readAll, type BodyConsumer, type DownstreamRequest, type PeerAddresses } from '../downstream.js';

export class H2Request implements DownstreamRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion = '2';
  readonly headers: IncomingHttpHeaders;
  readonly hasBody: boolean;
  /** HTTP/2 has no Upgrade (RFC 9113 §8.6); extended CONNECT is not taken. */
  readonly upgrade = undefined;
  complete: boolean;
  private consumer: BodyConsumer | undefined;

  constructor(
    private readonly stream: ServerHttp2Stream,
    fields: IncomingHttpHeaders,
    readonly socket: PeerAddresses,
  ) {
    this.method = fields[':method'] ?? 'GET';
    this.url = fields[':path'] ?? '/';
    this.headers = requestFields(fields);
    this.hasBody = !stream.endAfterHeaders;
    this.complete = !this.hasBody;
    if (this.hasBody) {
      stream.once('end', () => {
        this.complete = true;
        this.consumer?.end();
      });
      stream.once('close', () => {
        if (!this.complete) this.consumer?.error(new Error('client reset the stream'));
      });
    }
  }

  pipeTo(consumer: BodyConsumer): void {
    this.consumer = consumer;
    if (!this.hasBody) {
      consumer.end();
      return;
    }
    if (this.stream.destroyed && !this.complete) {
      consumer.error(new Error('client reset the stream'));
      return;
    }
    this.stream.on('data', (chunk: Buffer) => {
      if (!consumer.data(chunk)) this.stream.pause();
    });
  }

  readAll(): Promise<Buffer> {
    return readAll(this);
  }

  resume(): void {
    if (this.consumer || !this.hasBody) return;
    this.consumer = { data: () => true, end: () => undefined, error: () => undefined };
    this.stream.resume();
  }

  unpause(): void {
    this.stream.resume();
  }
}

/** The request's fields without pseudo-headers; `:authority` becomes Host when the client sent none (RFC 9113 §8.3.1). */
function requestFields(fields: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in fields) {
    if (name.charCodeAt(0) === 58) continue;
    out[name] = fields[name];
  }
  const authority = fields[':authority'];
  if (out.host === undefined && authority !== undefined) out.host = authority;
  return out;
}
