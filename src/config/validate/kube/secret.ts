/**
 * v1 Secret: `data` is base64 as Kubernetes keeps it (kubectl create secret tls writes it so),
 * keys as Kubernetes allows them, at most 1 MiB in all; a `kubernetes.io/tls` Secret holds a
 * PEM certificate and its key in `tls.crt` and `tls.key`.
 */
import { REDACTED_PREFIX, TLS_SECRET_TYPE, decodeData, tlsPairOf } from '../../secrets/tls-pair.js';
import { at, type Report } from '../issues.js';
import { rec, str } from '../values.js';

const MAX_BYTES = 1024 * 1024;
const KEY = /^[-._a-zA-Z0-9]+$/;

export function checkSecret(obj: Record<string, unknown>, r: Report): void {
  const data = rec(obj.data) ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    const path = at('data', k);
    if (!KEY.test(k) || k.length > 253) r.error(path, `"${k}" is not a valid key: letters, digits, '-', '_' or '.'`);
    if (typeof v === 'string' && v.startsWith(REDACTED_PREFIX)) {
      r.error(path, 'holds the placeholder graymesh shows instead of the value; apply the real base64 data (graymesh get secret NAME -o yaml --show-secrets)');
      continue;
    }
    const decoded = decodeData(v);
    if (decoded === undefined) r.error(path, 'must be base64, as Kubernetes keeps Secret data; encode it (base64 -w0 FILE)');
    else total += Buffer.byteLength(decoded);
  }
  if (total > MAX_BYTES) r.error('data', `holds ${total} bytes; a Secret holds at most 1 MiB`);
  const type = str(obj.type) ?? 'Opaque';
  if (type === TLS_SECRET_TYPE && r.errors.length === 0) {
    const pair = tlsPairOf(data);
    if ('error' in pair) r.error('', pair.error);
  }
}
