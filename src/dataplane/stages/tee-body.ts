/**
 * A request body of unknown length (chunked, or HTTP/2 without
 * content-length, as every gRPC call) on a route that may retry: streamed to
 * the attempt as it arrives, as Envoy's router streams it, and kept as it
 * goes up to REPLAY_LIMIT, so a retry sends what came so far again and then
 * the rest. Past the limit nothing more is kept and the body can no longer be
 * sent again (Envoy stops buffering for retries there too). A mirror reads
 * along (`follow`), as Envoy streams a shadow's body.
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
  /** Mirrors reading along, without backpressure: cut off once the body passes the limit. */
  private followers: BodyConsumer[] | undefined;

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

  /**
   * The body for a mirror: what came so far, then the rest as it arrives,
   * never holding the client back; a body past the limit fails the mirror
   * (a copy is not worth that much memory).
   */
  follow(): BodySource {
    return {
      pipeTo: (consumer) => {
        if (this.overflowed) return consumer.error(new Error('body too large to mirror'));
        for (const c of this.kept) consumer.data(c);
        if (this.failed) consumer.error(this.failed);
        else if (this.ended) consumer.end();
        else (this.followers ??= []).push(consumer);
      },
      unpause: () => undefined,
    };
  }

  data(chunk: Buffer): boolean {
    if (!this.overflowed) {
      this.keptBytes += chunk.length;
      if (this.keptBytes > this.limit) {
        this.overflowed = true;
        this.kept = [];
        this.cutFollowers(new Error('body too large to mirror'));
      } else {
        this.kept.push(chunk);
        if (this.followers) for (const f of this.followers) f.data(chunk);
      }
    }
    // Between attempts (a backoff) the client waits.
    return this.consumer ? this.consumer.data(chunk) : false;
  }

  end(): void {
    this.ended = true;
    this.consumer?.end();
    const followers = this.followers;
    this.followers = undefined;
    if (followers) for (const f of followers) f.end();
  }

  error(err: Error): void {
    this.failed = err;
    this.consumer?.error(err);
    this.cutFollowers(err);
  }

  private cutFollowers(err: Error): void {
    const followers = this.followers;
    this.followers = undefined;
    if (followers) for (const f of followers) f.error(err);
  }

  /** The attempt reading it is over (a retry follows): nothing goes to it any more. */
  detach(): void {
    this.consumer = undefined;
  }
}
