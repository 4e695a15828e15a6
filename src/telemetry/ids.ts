/**
 * Trace and span ids from a pooled random buffer: one `randomFillSync` fills
 * ids for hundreds of requests, and an id is hex-encoded from a table into one
 * flat string by a single String.fromCharCode, so it costs neither a syscall
 * nor a call into the Buffer binding (W3C Trace Context §3.2.2.3 and
 * §3.2.2.4: random, and never all zeros).
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** Character codes of a byte's two lowercase hex digits. */
const HIGH = new Uint8Array(256);
const LOW = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  HIGH[b] = '0123456789abcdef'.charCodeAt(b >> 4);
  LOW[b] = '0123456789abcdef'.charCodeAt(b & 15);
}

/** Where the next `bytes` random bytes start in the pool. */
function take(bytes: number): number {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

/** 8 pool bytes from `at` as 16 hex digits, or undefined when all are zero. */
function hex8(at: number): string | undefined {
  const p = pool;
  const b0 = p[at] as number;
  const b1 = p[at + 1] as number;
  const b2 = p[at + 2] as number;
  const b3 = p[at + 3] as number;
  const b4 = p[at + 4] as number;
  const b5 = p[at + 5] as number;
  const b6 = p[at + 6] as number;
  const b7 = p[at + 7] as number;
  if ((b0 | b1 | b2 | b3 | b4 | b5 | b6 | b7) === 0) return undefined;
  const H = HIGH;
  const L = LOW;
  return String.fromCharCode(
    H[b0] as number,
    L[b0] as number,
    H[b1] as number,
    L[b1] as number,
    H[b2] as number,
    L[b2] as number,
    H[b3] as number,
    L[b3] as number,
    H[b4] as number,
    L[b4] as number,
    H[b5] as number,
    L[b5] as number,
    H[b6] as number,
    L[b6] as number,
    H[b7] as number,
    L[b7] as number,
  );
}

/** A new 128-bit trace id, 32 lowercase hex digits. */
export function newTraceId(): string {
  const at = take(16);
  const high = hex8(at);
  const low = hex8(at + 8);
  if (high === undefined && low === undefined) return newTraceId();
  return (high ?? '0000000000000000') + (low ?? '0000000000000000');
}

/** A new 64-bit span id, 16 lowercase hex digits. */
export function newSpanId(): string {
  return hex8(take(8)) ?? newSpanId();
}
