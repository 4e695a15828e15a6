/**
 * The bytes of a connection that switched protocols (a WebSocket, any
 * HTTP/1.1 Upgrade), carried both ways between the client's socket and the
 * upstream's as Envoy's upgrade path carries them: each way with
 * backpressure (a write the other side cannot take yet pauses the reading
 * side until it drains), a FIN passed on as a FIN while the other way keeps
 * flowing (half-close), and an error or reset on either side closing both.
 */
import type net from 'node:net';

/** Counts what a tunnel carries, as it goes. */
export interface TunnelMeter {
  /** Bytes from the upstream to the client (Istio's tcp sent bytes). */
  sent(bytes: number): void;
  /** Bytes from the client to the upstream (Istio's tcp received bytes). */
  received(bytes: number): void;
  /** Both sides are closed. */
  closed(): void;
}

export interface TunnelEnd {
  readonly socket: net.Socket;
  /** Bytes read off this side before the tunnel began, to go to the other side first. */
  readonly head: Buffer | undefined;
}

/** Carries bytes between `client` and `upstream` until both are closed. */
export function tunnel(client: TunnelEnd, upstream: TunnelEnd, meter: TunnelMeter | undefined): void {
  const a = client.socket;
  const b = upstream.socket;
  let open = 2;
  const closed = (hadError: boolean, other: net.Socket): void => {
    if (hadError) other.destroy();
    if (--open === 0) meter?.closed();
  };
  a.once('close', (hadError: boolean) => closed(hadError || !a.readableEnded, b));
  b.once('close', (hadError: boolean) => closed(hadError || !b.readableEnded, a));
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  oneWay(a, b, client.head, meter ? (n) => meter.received(n) : undefined);
  oneWay(b, a, upstream.head, meter ? (n) => meter.sent(n) : undefined);
}

/** `from`'s bytes to `to`, with backpressure; `from`'s FIN ends `to`'s writing side. */
function oneWay(from: net.Socket, to: net.Socket, head: Buffer | undefined, count: ((bytes: number) => void) | undefined): void {
  if (head && head.length > 0) {
    count?.(head.length);
    to.write(head);
  }
  from.on('data', (chunk: Buffer) => {
    count?.(chunk.length);
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => from.resume());
  from.once('end', () => {
    if (!to.destroyed) to.end();
  });
  if (from.readableEnded) {
    if (!to.destroyed) to.end();
  } else {
    from.resume();
  }
}
