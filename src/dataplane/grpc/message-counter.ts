/**
 * Counts gRPC's length-prefixed messages in one direction of a body stream,
 * as Envoy's gRPC stats filter does for Istio's istio_request_messages_total
 * and istio_response_messages_total: each message is a 5-byte prefix (a
 * compressed flag, then a 4-byte big-endian length) followed by that many
 * bytes. Chunks may split a prefix or a message anywhere; only the prefixes
 * are read, the message bytes are skipped by count.
 */
const PREFIX = 5;

export class GrpcMessageCounter {
  /** Messages whose prefix has been read. */
  messages = 0;
  /** Bytes of the current message still to skip. */
  private remaining = 0;
  /** Bytes of the current prefix read so far (0 to 4). */
  private prefixRead = 0;
  /** The length being assembled from a split prefix. */
  private length = 0;

  /** Every message whose prefix was read has ended too: the stream is between messages. */
  get between(): boolean {
    return this.remaining === 0 && this.prefixRead === 0;
  }

  feed(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, n - i);
        this.remaining -= skip;
        i += skip;
        continue;
      }
      // Within a prefix: byte 0 is the compressed flag, bytes 1–4 the length.
      if (this.prefixRead > 0) this.length = this.length * 256 + (chunk[i] as number);
      i++;
      if (++this.prefixRead === PREFIX) {
        this.messages++;
        this.remaining = this.length;
        this.prefixRead = 0;
        this.length = 0;
      }
    }
  }
}
