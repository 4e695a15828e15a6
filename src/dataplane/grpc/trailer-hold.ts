/**
 * A gRPC answer held back for its trailers, so that a grpc-status arriving
 * only there (an answer with a head of its own, not trailers-only) can still
 * be retried, as Envoy retries only while nothing has gone to the client: on
 * a route whose retryOn names a gRPC status, for a unary-shaped call (the
 * client sent one message and ended), the attempts stage holds the head and
 * body up to HOLD_LIMIT. The hold ends with the answer (its trailers or end:
 * the retry can be decided), or, streaming it through as before, once it is
 * past the limit or once a whole message has come and the input that carried
 * it was read without the trailers following: a server-streaming answer is
 * held for no longer than its first message's turn, and a unary one's
 * trailers come in the same read as its message.
 */
import type { UpstreamAttempt } from '../upstream-attempt.js';
import { GrpcMessageCounter } from './message-counter.js';

/** Bytes of an answer held back for its trailers. */
export const HOLD_LIMIT = 64 * 1024;

/** Resolves true once the held answer is over (trailers, end or break), false when it is to be streamed through unretried. */
export function holdForTrailers(attempt: UpstreamAttempt, limit = HOLD_LIMIT): Promise<boolean> {
  return new Promise((resolve) => {
    const counter = new GrpcMessageCounter();
    let bytes = 0;
    let turn: NodeJS.Immediate | undefined;
    let done = false;
    const finish = (over: boolean): void => {
      if (done) return;
      done = true;
      clearImmediate(turn);
      attempt.observe(undefined);
      resolve(over);
    };
    attempt.observe((chunk) => {
      if (chunk === null) return finish(true);
      bytes += chunk.length;
      if (bytes > limit) return finish(false);
      counter.feed(chunk);
      // A whole message: what came with it in this read is handled before the check phase runs this.
      if (turn === undefined && counter.messages > 0 && counter.between) turn = setImmediate(() => finish(false));
    });
  });
}
