/**
 * The first TLS record of a connection, read before anything is decrypted: whether it is a
 * ClientHello, and the server name it asks for (RFC 8446 §4.1.2, the server_name extension of
 * RFC 6066 §3). The gateway picks a server by it: the certificate to present, or a
 * PASSTHROUGH route whose bytes it pipes untouched.
 */

/** A TLS record is at most 2^14 bytes of payload plus its 5-byte header (and some slack for padding). */
export const MAX_HELLO_BYTES = 5 + 16_384 + 256;

export type HelloRead =
  /** More bytes are needed. */
  | { kind: 'partial' }
  /** Not TLS: the client spoke something else (plaintext HTTP, say). */
  | { kind: 'not-tls' }
  /** A ClientHello; `sni` absent when the client sent none. */
  | { kind: 'hello'; sni?: string };

/** Reads what has arrived so far of a connection. */
export function readClientHello(buf: Buffer): HelloRead {
  if (buf.length === 0) return { kind: 'partial' };
  // A handshake record (22) of TLS 1.0-1.3 (record version 3.x).
  if (buf[0] !== 22) return { kind: 'not-tls' };
  if (buf.length < 5) return { kind: 'partial' };
  if (buf[1] !== 3) return { kind: 'not-tls' };
  const recordLength = buf.readUInt16BE(3);
  if (recordLength > 16_384 + 256) return { kind: 'not-tls' };
  if (buf.length < 5 + recordLength) return { kind: 'partial' };
  const record = buf.subarray(5, 5 + recordLength);
  // Handshake type 1: ClientHello.
  if (record[0] !== 1) return { kind: 'not-tls' };
  return { kind: 'hello', ...sniOf(record.subarray(4)) };
}

/** The server_name in a ClientHello's body (what follows its 4-byte handshake header). */
function sniOf(body: Buffer): { sni?: string } {
  let at = 2 + 32; // client_version, random
  const skip = (lengthBytes: number): boolean => {
    if (at + lengthBytes > body.length) return false;
    const n = lengthBytes === 1 ? body.readUInt8(at) : body.readUInt16BE(at);
    at += lengthBytes + n;
    return at <= body.length;
  };
  if (!skip(1) || !skip(2) || !skip(1)) return {}; // session_id, cipher_suites, compression_methods
  if (at + 2 > body.length) return {};
  const end = Math.min(body.length, at + 2 + body.readUInt16BE(at));
  at += 2;
  while (at + 4 <= end) {
    const type = body.readUInt16BE(at);
    const len = body.readUInt16BE(at + 2);
    const ext = body.subarray(at + 4, Math.min(end, at + 4 + len));
    at += 4 + len;
    if (type !== 0) continue;
    // server_name_list: a 2-byte length, then entries of name_type (0: host_name), a 2-byte length, the name.
    let i = 2;
    while (i + 3 <= ext.length) {
      const nameType = ext[i];
      const n = ext.readUInt16BE(i + 1);
      const name = ext.subarray(i + 3, i + 3 + n);
      i += 3 + n;
      if (nameType === 0 && name.length === n) return { sni: name.toString('latin1').toLowerCase().replace(/\.$/, '') };
    }
    return {};
  }
  return {};
}

/** A fatal alert (RFC 8446 §6): unrecognized_name (112), what a server sends for a name it does not serve. */
export const UNRECOGNIZED_NAME_ALERT = Buffer.from([21, 3, 1, 0, 2, 2, 112]);
