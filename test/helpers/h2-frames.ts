/**
 * Raw HTTP/2 frames for tests that send what no well-behaved client would
 * (floods, too many streams, too many fields): the client preface, frames by
 * type, a header block of HPACK literals, and a reader of the frames a
 * server sent.
 */
import net from 'node:net';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
export const enum FrameType {
  DATA = 0x0,
  HEADERS = 0x1,
  RST_STREAM = 0x3,
  SETTINGS = 0x4,
  PING = 0x6,
  GOAWAY = 0x7,
}
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;

export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** A header block of literal fields never added to the dynamic table (RFC 7541 §6.2.2), names and values under 127 bytes. */
export function headerBlock(fields: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [n, v] of fields) {
    if (n.length > 126 || v.length > 126) throw new Error(`headerBlock: field ${n} too long for a one-byte length`);
    parts.push(Buffer.from([0x00, n.length]), Buffer.from(n, 'latin1'), Buffer.from([v.length]), Buffer.from(v, 'latin1'));
  }
  return Buffer.concat(parts);
}

/** A GET on `stream` for `authority`, ending the stream, with `extra` fields after the pseudo-headers. */
export function getStream(stream: number, authority: string, extra: [string, string][] = []): Buffer {
  const block = headerBlock([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', authority], ...extra]);
  return frame(FrameType.HEADERS, END_STREAM | END_HEADERS, stream, block);
}

/** RST_STREAM with CANCEL. */
export function rstStream(stream: number): Buffer {
  const code = Buffer.alloc(4);
  code.writeUInt32BE(0x8);
  return frame(FrameType.RST_STREAM, 0, stream, code);
}

export interface Frame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

/** The frames in `buf`, whole ones only. */
export function framesIn(buf: Buffer): Frame[] {
  const out: Frame[] = [];
  for (let at = 0; at + 9 <= buf.length; ) {
    const length = buf.readUIntBE(at, 3);
    if (at + 9 + length > buf.length) break;
    out.push({ type: buf[at + 3]!, flags: buf[at + 4]!, stream: buf.readUInt32BE(at + 5) & 0x7fffffff, payload: buf.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return out;
}

/** A GOAWAY frame's error code (RFC 9113 §6.8). */
export function goawayCode(f: Frame): number {
  return f.payload.readUInt32BE(4);
}

/** A raw connection to `port`: what the server sent, and a promise of its close. */
export function rawH2(port: number): { socket: net.Socket; received: () => Buffer; closed: Promise<void> } {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, received: () => Buffer.concat(chunks), closed };
}
