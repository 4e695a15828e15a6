/**
 * What a `kubernetes.io/tls` Secret holds, read once for the validator (at apply) and the
 * control plane (before a Gateway's credential reaches the proxy): a PEM certificate chain and
 * the private key that goes with its first certificate.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';
/** What `graymesh get` shows instead of a value unless asked with --show-secrets. */
export const REDACTED_PREFIX = 'REDACTED';

/** A Secret's data value decoded, or undefined when it is no base64 (Kubernetes' data is base64). */
export function decodeData(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  // Line breaks dropped first: one pattern allowing them both before and after the padding
  // backtracked quadratically over a long run of them (minutes for a Secret a tenant applies).
  const flat = v.replace(/[\r\n]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(flat)) return undefined;
  return Buffer.from(flat, 'base64').toString('utf8');
}

/** Why cert and key cannot serve TLS (one line naming the field), or undefined when they can. */
/**
 * Largest RSA (or DSA) modulus a Secret's key may have. Every handshake signs with it on the
 * shared node proxy's event loop: a 16384-bit key costs about 60 times a 2048-bit one per
 * handshake and would stall every tenant's traffic; 4096 is what public CAs issue at most.
 */
export const MAX_KEY_BITS = 4096;

export function tlsPairError(cert: string, key: string): string | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    return `data["tls.crt"]: not a PEM certificate (${(err as Error).message}); put the base64 of the PEM file in it (base64 -w0 cert.pem)`;
  }
  let pk: ReturnType<typeof createPrivateKey>;
  try {
    pk = createPrivateKey(key);
  } catch (err) {
    return `data["tls.key"]: not a PEM private key (${(err as Error).message}); put the base64 of the PEM key file in it (base64 -w0 key.pem)`;
  }
  const bits = pk.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits > MAX_KEY_BITS) {
    return `data["tls.key"]: a ${bits}-bit ${pk.asymmetricKeyType} key is over the ${MAX_KEY_BITS} bits the gateway signs with; use a ${MAX_KEY_BITS}-bit (or smaller) RSA key or an EC key`;
  }
  if (!x509.checkPrivateKey(pk)) return `data["tls.key"]: is not the key of the certificate in data["tls.crt"] (${x509.subject.replace(/\n/g, ', ')}); give the matching key`;
  return undefined;
}

/** The PEM pair of a TLS Secret's data, or why there is none. */
export function tlsPairOf(data: Record<string, unknown> | undefined): { cert: string; key: string } | { error: string } {
  const cert = decodeData(data?.['tls.crt']);
  const key = decodeData(data?.['tls.key']);
  if (cert === undefined || cert === '') return { error: 'data["tls.crt"]: missing or not base64; add the base64 of the PEM certificate' };
  if (key === undefined || key === '') return { error: 'data["tls.key"]: missing or not base64; add the base64 of the PEM private key' };
  const err = tlsPairError(cert, key);
  return err ? { error: err } : { cert, key };
}
