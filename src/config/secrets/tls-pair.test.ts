import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_KEY_BITS, decodeData, tlsPairError } from './tls-pair.js';

describe('decodeData', () => {
  it('decodes base64 with line breaks, as base64 without -w0 writes it', () => {
    expect(decodeData('aGVs\nbG8=\n')).toBe('hello');
    expect(decodeData('aGVsbG8\r\n')).toBe('hello');
  });

  it('refuses what is no base64', () => {
    expect(decodeData('not base64!')).toBeUndefined();
    expect(decodeData(42)).toBeUndefined();
  });

  it('refuses a long run of line breaks before a bad character at once, not after a backtracking search', () => {
    expect(decodeData(`${'\n'.repeat(200_000)}!`)).toBeUndefined();
    expect(decodeData(`QQ==${'\r\n'.repeat(100_000)}!`)).toBeUndefined();
  }, 5000);
});

/** A self-signed certificate and its key, made by openssl. */
function pair(dir: string, bits: number): { cert: string; key: string } {
  const key = path.join(dir, `${bits}.key`);
  const cert = path.join(dir, `${bits}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', `rsa:${bits}`, '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=pair.example', '-days', '1'], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

describe('tlsPairError', () => {
  it('takes a matching pair, and refuses an RSA key over the bound, naming the field and the fix', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gm-tls-pair-'));
    try {
      const small = pair(dir, 2048);
      expect(tlsPairError(small.cert, small.key)).toBeUndefined();
      const big = pair(dir, MAX_KEY_BITS + 512);
      expect(tlsPairError(big.cert, big.key)).toBe(
        `data["tls.key"]: a ${MAX_KEY_BITS + 512}-bit rsa key is over the ${MAX_KEY_BITS} bits the gateway signs with; use a ${MAX_KEY_BITS}-bit (or smaller) RSA key or an EC key`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
