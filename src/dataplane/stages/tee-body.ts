/**
 * A request body of unknown length (chunked, or HTTP/2 without
 * content-length, as every gRPC call) on a route that may retry: streamed to
 * the attempt as it arrives, as Envoy's router streams it, and kept as it
 * goes up to REPLAY_LIMIT, so a retry sends what came so far again and then
 * the rest. Past the limit nothing more is kept and the body can no longer be
 * sent again (Envoy stops buffering for retries there too).
 */
import type { BodyConsumer, BodySource } from '../downstream.js';

export class TeeBody implements BodySource, BodyConsumer {
  private kept: Buffer[] = [];
  private keptBytes = 0;
  /** More than the limit arrived: what was kept is gone, no retry can send the body. */
  overflowed = false;
  private ended = false;
  private failed: Error | undefined;
  private consumer: BodyConsumer | undefined;

  constructor(
    private readonly req: BodySource,
    private readonly limit: number,
  ) {
    req.pipeTo(this);
  }

  /** The body can still be sent from its start. */
  get replayable(): boolean {
    return !this.overflowed;
  }

  /** The client's body has ended. */
  get complete(): boolean {
    return this.ended;
  }

  /** An attempt reads the body: what came so far, then the rest as it arrives. */
  pipeTo(consumer: BodyConsumer): void {
    this.consumer = consumer;
    let go = true;
    for (const c of this.kept) if (!consumer.data(c)) go = false;
    if (this.failed) consumer.error(this.failed);
    else if (this.ended) consumer.end();
    else if (go) this.req.unpause();
  }

  unpause(): void {
    this.req.unpause();
  }

  data(chunk: Buffer): boolean {
    if (!this.overflowed) {
      this.keptBytes += chunk.length;
      if (this.keptBytes > this.limit) {
        this.overflowed = true;
        this.kept = [];
      } else {
        this.kept.push(chunk);
      }
    }
    // Between attempts (a backoff) the client waits.
    return this.consumer ? this.consumer.data(chunk) : false;
  }

  end(): void {
    this.ended = true;
    this.consumer?.end();
  }

  error(err: Error): void {
    this.failed = err;
    this.consumer?.error(err);
  }

  /** The attempt reading it is over (a retry follows): nothing goes to it any more. */
  detach(): void {
    this.consumer = undefined;
  }
}
