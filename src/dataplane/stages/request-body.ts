/**
 * The request body: buffered whole when the route may send it more than once
 * (retries, mirrors) and it is at most REPLAY_LIMIT with a known length; of
 * unknown length on a route that retries or mirrors, streamed and kept for a
 * retry as it goes, mirrors reading along (TeeBody); else streamed to the one attempt as it arrives. A client that goes away before
 * its buffered body ended leaves nothing to send (flag DC). A gRPC request's
 * messages are counted as the client's body is read, whichever way it goes.
 */
import type { BodyConsumer, BodySource } from '../downstream.js';
import { GrpcMessageCounter } from '../grpc/message-counter.js';
import type { RequestRecord } from '../request-record.js';
import type { Exchange } from './exchange.js';
import { CONTINUE, STOP, type Next, type Stage } from './stage.js';
import { TeeBody } from './tee-body.js';

/** Bodies up to this size are buffered so retries and mirrors can resend them (Envoy's buffer limit is 1 MiB too). */
export const REPLAY_LIMIT = 1024 * 1024;

export class RequestBody implements Stage {
  readonly name = 'request-body';

  run(x: Exchange): Next {
    if (!x.req.hasBody) return CONTINUE;
    const cl = x.req.headers['content-length'];
    const action = x.action;
    const length = Number(cl ?? NaN);
    const source: BodySource = x.rec.grpc ? new CountedBody(x.req, x.rec) : x.req;
    const retries = (action.retries?.attempts ?? 0) > 0;
    if ((retries || action.mirrors.length > 0) && cl === undefined) {
      // No length to judge by (chunked, or HTTP/2 as gRPC sends it): streamed, and kept for a retry or a mirror as it goes.
      x.body = new TeeBody(source, REPLAY_LIMIT);
      x.replayable = false;
      return CONTINUE;
    }
    const wantsReplay = retries || action.mirrors.length > 0;
    if (!wantsReplay || !(Number.isFinite(length) && length <= REPLAY_LIMIT)) {
      x.body = source;
      x.replayable = false;
      return CONTINUE;
    }
    const buffer = new BodyBuffer(x);
    source.pipeTo(buffer);
    return buffer.next();
  }
}

const READING = 0;
const WAITING = 1;
const ENDED = 2;
const FAILED = 3;

/** Collects a body; the pipeline goes on when it has ended (at once when it already had). */
class BodyBuffer implements BodyConsumer {
  private readonly chunks: Buffer[] = [];
  private state = READING;

  constructor(private readonly x: Exchange) {}

  /** What the stage answers once the body is handed over: on when it is all here already, else wait for it. */
  next(): Next {
    if (this.state === ENDED) return CONTINUE;
    if (this.state === READING) this.state = WAITING;
    return STOP;
  }

  data(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  end(): void {
    const c = this.chunks;
    this.x.body = c.length === 1 ? c[0]! : Buffer.concat(c);
    const waiting = this.state === WAITING;
    this.state = ENDED;
    if (waiting) this.x.resume();
  }

  error(): void {
    // The client went away before its body ended: nothing to send.
    this.state = FAILED;
    this.x.rec.flags = 'DC';
  }
}

/** A gRPC request's body as it is read: each chunk through the message counter, into the record. */
class CountedBody implements BodySource, BodyConsumer {
  private readonly counter = new GrpcMessageCounter();
  private consumer: BodyConsumer | undefined;

  constructor(
    private readonly req: BodySource,
    private readonly rec: RequestRecord,
  ) {}

  pipeTo(consumer: BodyConsumer): void {
    this.consumer = consumer;
    this.req.pipeTo(this);
  }

  unpause(): void {
    this.req.unpause();
  }

  data(chunk: Buffer): boolean {
    this.counter.feed(chunk);
    this.rec.requestMessages = this.counter.messages;
    return this.consumer!.data(chunk);
  }

  end(): void {
    this.consumer!.end();
  }

  error(err: Error): void {
    this.consumer!.error(err);
  }
}
