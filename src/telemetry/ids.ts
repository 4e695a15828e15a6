/**
 * Trace and span ids from a pooled random buffer: one `randomFillSync` fills
 * ids for hundreds of requests, so an id costs a slice of hex, not a syscall
 * (W3C Trace Context §3.2.2.3 and §3.2.2.4: random, and never all zeros).
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

const ZERO_SPAN = '0000000000000000';
const ZERO_TRACE = '00000000000000000000000000000000';

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** A new 128-bit trace id, 32 lowercase hex digits. */
export function newTraceId(): string {
  const id = randomHex(16);
  return id === ZERO_TRACE ? newTraceId() : id;
}

/** A new 64-bit span id, 16 lowercase hex digits. */
export function newSpanId(): string {
  const id = randomHex(8);
  return id === ZERO_SPAN ? newSpanId() : id;
}
