/**
 * The Kubernetes API's serving certificate: a self-signed ECDSA P-256 certificate for
 * 127.0.0.1, ::1 and localhost, made at the first start and kept in the instance home (kubectl
 * sends bearer tokens over TLS only). It is its own CA: the kubeconfig carries it as the
 * cluster's certificate-authority-data. Encoded in DER by hand (X.509 v3, RFC 5280): Node's
 * crypto makes and signs the key, nothing else is needed.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ServingCert {
  /** PEM of the certificate. */
  cert: string;
  /** PEM of the private key (PKCS#8). */
  key: string;
}

const tlv = (tag: number, body: Buffer): Buffer => {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [a * 40 + b];
  for (const v of rest) {
    const chunk = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) chunk.unshift((x & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
};
const integer = (b: Buffer): Buffer => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const bitString = (b: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280, 4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

/** A new self-signed serving certificate for the loopback names. */
export function makeServingCert(commonName: string, now = new Date()): ServingCert {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))));
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 24 * 60 * 60 * 1000);
  const san = seq(tlv(0x82, Buffer.from('localhost')), tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x87, Buffer.alloc(16, 0).fill(1, 15)));
  const ski = createHash('sha1').update(spki).digest();
  const extensions = tlv(
    0xa3,
    seq(
      extension('2.5.29.19', true, seq(bool(true))),
      // digitalSignature and keyCertSign
      extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x02, 0x84]))),
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
      extension('2.5.29.14', false, octets(ski)),
      extension('2.5.29.17', false, san),
    ),
  );
  const tbs = seq(tlv(0xa0, integer(Buffer.from([2]))), integer(serial), ECDSA_SHA256, name, seq(time(notBefore), time(notAfter)), name, spki, extensions);
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, ECDSA_SHA256, bitString(signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** The certificate kept in `dir` (kube-api.crt, kube-api.key, the key mode 0600), made at the first call. */
export function servingCert(dir: string, commonName = 'graymesh-kube-api'): ServingCert {
  const certFile = path.join(dir, 'kube-api.crt');
  const keyFile = path.join(dir, 'kube-api.key');
  if (existsSync(certFile) && existsSync(keyFile)) return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = makeServingCert(commonName);
  writeFileSync(keyFile, made.key, { mode: 0o600 });
  writeFileSync(certFile, made.cert, { mode: 0o644 });
  return made;
}
