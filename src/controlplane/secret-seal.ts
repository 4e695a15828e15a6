/**
 * Secrets at rest: a Secret's row in the store is sealed with AES-256-GCM under a key kept in
 * the instance home (`secret-key`, 32 random bytes, created mode 0600 on first use), so the
 * SQLite file alone does not give away a certificate's private key. Every other kind is kept
 * as plain JSON. A row reads `gmseal:v1:<iv>:<tag>:<ciphertext>` (base64 each): the whole
 * object is sealed, metadata included; the row's kind, namespace and name columns stay clear,
 * so lookups work as for any kind.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { BodyCodec } from './store.js';

const PREFIX = 'gmseal:v1:';
const SEALED_KINDS = new Set(['Secret']);

/** The home's sealing key, created on first use. */
export function loadSealKey(file: string): Buffer {
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file}: not a 32-byte key in base64; restore it from a backup (Secrets sealed with it cannot be read without it)`);
    return key;
  }
  const key = randomBytes(32);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${key.toString('base64')}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return key;
}

/** The store's codec sealing Secrets with `key`. */
export function sealingCodec(key: Buffer): BodyCodec {
  return {
    encode(kind, json) {
      if (!SEALED_KINDS.has(kind)) return json;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
      return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
    },
    decode(body) {
      if (!body.startsWith(PREFIX)) return body;
      const [iv, tag, data] = body.slice(PREFIX.length).split(':');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64'));
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data ?? '', 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
