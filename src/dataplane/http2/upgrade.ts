/**
 * HTTP/1.1 → HTTP/2 upgrade for cleartext (RFC 7540 §3.2, `curl --http2`
 * over http://): the HTTP/1.1 listener has read a request asking for
 * `Upgrade: h2c`; the proxy answers 101 and the connection goes on as
 * HTTP/2, the upgrade request being stream 1.
 *
 * Node's HTTP/2 server takes only connections that begin with the client's
 * preface, so the upgraded request is given to it as the client would have
 * sent it with prior knowledge: once the client's preface and first SETTINGS
 * frame have arrived after the 101, a HEADERS frame for stream 1 (half-closed
 * by the client, END_STREAM) is put after them, the rest of what the client
 * sent following. The header block is written with HPACK literals that are
 * never indexed, so the dynamic table the client's later streams are coded
 * against stays as the client has it. The HTTP2-Settings field is not
 * applied: the client sends the same settings in its preface, before stream 1
 * is read.
 */
import type net from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** The upgrade request as the HTTP/1.1 listener read it. */
export interface UpgradedRequest {
  method: string;
  target: string;
  headers: IncomingHttpHeaders;
}

export const SWITCHING_TO_H2C = 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n';
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** The largest frame payload a peer may send before SETTINGS say otherwise (RFC 9113 §4.2). */
const MAX_FRAME = 16_384;
/** The client's preface must follow the 101 within this long. */
const PREFACE_MS = 10_000;
const FRAME_HEADERS = 0x1;
const FRAME_SETTINGS = 0x4;
const FRAME_CONTINUATION = 0x9;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
/** Fields HTTP/2 forbids or carries as pseudo-headers (RFC 9113 §8.2.2, §8.3.1). */
const DROPPED = new Set(['connection', 'upgrade', 'http2-settings', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'host']);

/** Whether a request asks to upgrade to h2c as RFC 7540 §3.2 has it: `h2c` among its Upgrade protocols and exactly one HTTP2-Settings. */
export function asksForH2c(target: string, headers: IncomingHttpHeaders, upgrade: string | undefined): boolean {
  if (!target.startsWith('/') && !/^http:\/\/[^/?#]+/i.test(target)) return false;
  if (upgrade === undefined || !/(?:^|,)[ \t]*h2c[ \t]*(?:,|$)/i.test(upgrade)) return false;
  const settings = headers['http2-settings'];
  if (typeof settings !== 'string' || !/^[A-Za-z0-9_-]*=*$/.test(settings)) return false;
  return /(?:^|,)[ \t]*http2-settings[ \t]*(?:,|$)/i.test(String(headers.connection ?? ''));
}

/**
 * Answers 101 on `socket` and waits for the client's preface and SETTINGS;
 * `ready` then gets the bytes to start an HTTP/2 session with (the preface,
 * the SETTINGS, stream 1's HEADERS, whatever followed). A client that sends
 * anything else, or nothing in time, has its connection closed.
 */
export function switchToH2c(socket: net.Socket, req: UpgradedRequest, read: Buffer | undefined, ready: (bytes: Buffer) => void): void {
  const stream1 = headersFrames(requestFields(req));
  let buf = read ?? Buffer.alloc(0);
  const done = (): void => {
    socket.off('data', onData);
    socket.off('close', onClose);
    clearTimeout(timer);
  };
  const check = (): void => {
    const n = Math.min(buf.length, PREFACE.length);
    if (!buf.subarray(0, n).equals(PREFACE.subarray(0, n))) return fail();
    if (buf.length < PREFACE.length + 9) return;
    const at = PREFACE.length;
    if (buf[at + 3] !== FRAME_SETTINGS || buf.readUInt32BE(at + 5) !== 0) return fail();
    const end = at + 9 + buf.readUIntBE(at, 3);
    if (buf.length < end) return;
    done();
    socket.pause();
    ready(Buffer.concat([buf.subarray(0, end), stream1, buf.subarray(end)]));
  };
  const fail = (): void => {
    done();
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    if (buf.length > PREFACE.length + 9 + MAX_FRAME) return fail();
    check();
  };
  const onClose = (): void => done();
  const timer = setTimeout(fail, PREFACE_MS);
  socket.on('data', onData);
  socket.on('close', onClose);
  socket.write(SWITCHING_TO_H2C, 'latin1');
  socket.resume();
  if (buf.length > 0) check();
}

/** The request's pseudo-headers and fields, as HTTP/2 carries them. */
function requestFields(req: UpgradedRequest): [string, string][] {
  let authority = String(req.headers.host ?? '');
  let path = req.target;
  if (!path.startsWith('/')) {
    // Absolute-form (a request to a proxy): authority and path from the target.
    const url = new URL(path);
    authority = url.host;
    path = `${url.pathname}${url.search}`;
  }
  const out: [string, string][] = [
    [':method', req.method],
    [':scheme', 'http'],
    [':authority', authority],
    [':path', path],
  ];
  const named = new Set(String(req.headers.connection ?? '').toLowerCase().split(',').map((t) => t.trim()));
  for (const name in req.headers) {
    if (DROPPED.has(name) || named.has(name)) continue;
    const v = req.headers[name];
    if (v === undefined) continue;
    if (name === 'te') {
      if (/(?:^|,)[ \t]*trailers[ \t]*(?:,|$)/i.test(String(v))) out.push(['te', 'trailers']);
      continue;
    }
    if (Array.isArray(v)) for (const one of v) out.push([name, one]);
    else out.push([name, v]);
  }
  return out;
}

/** Stream 1's header block as HEADERS (+ CONTINUATION) frames ending the stream. */
function headersFrames(fields: [string, string][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) parts.push(Buffer.from([0x00]), hpackString(name), hpackString(value));
  const block = Buffer.concat(parts);
  const frames: Buffer[] = [];
  for (let at = 0, first = true; first || at < block.length; first = false) {
    const piece = block.subarray(at, at + MAX_FRAME);
    at += piece.length;
    const last = at >= block.length;
    const head = Buffer.alloc(9);
    head.writeUIntBE(piece.length, 0, 3);
    head[3] = first ? FRAME_HEADERS : FRAME_CONTINUATION;
    head[4] = (first ? END_STREAM : 0) | (last ? END_HEADERS : 0);
    head.writeUInt32BE(1, 5);
    frames.push(head, piece);
  }
  return Buffer.concat(frames);
}

/** An HPACK string literal, not Huffman-coded (RFC 7541 §5.2). */
function hpackString(s: string): Buffer {
  const bytes = Buffer.from(s, 'latin1');
  return Buffer.concat([hpackInt(bytes.length, 7), bytes]);
}

/** An HPACK integer with an N-bit prefix, the prefix's other bits zero (RFC 7541 §5.1). */
function hpackInt(n: number, prefix: number): Buffer {
  const max = (1 << prefix) - 1;
  if (n < max) return Buffer.from([n]);
  const out = [max];
  for (n -= max; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) + 128);
  out.push(n);
  return Buffer.from(out);
}
