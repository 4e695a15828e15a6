/**
 * Passwords and tokens. Passwords are hashed with scrypt (RFC 7914) and a
 * random salt; tokens are 256-bit random strings of which only a SHA-256 hash
 * is stored, so a copy of the database logs nobody in.
 */
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt cost N=2^16, r=8, p=2: one of the equivalent minimums of OWASP's
 * Password Storage Cheat Sheet (64 MiB, a few hundred ms per hash). The
 * parameters are stored with each hash, so raising them later keeps old hashes valid.
 */
const N = 65536;
const R = 8;
const P = 2;
const KEY_LEN = 64;
/** scrypt needs 128·N·r bytes; allow twice that. */
const MAX_MEM = 4 * 256 * N * R;

/** Token prefixes, so a leaked token is recognisable (and greppable by secret scanners). */
export const SESSION_PREFIX = 'gmu_';
export const SCOPED_PREFIX = 'gmt_';

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: n, r, p, maxmem: MAX_MEM };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$key` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** The same as hashPassword, synchronously: for the first start only, before the API listens. */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, KEY_LEN, { N, r: R, p: P, maxmem: MAX_MEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Checked for unknown users so they cost as much time as known ones; its all-zero key matches no password. */
const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_LEN).toString('base64url')}`;

/** True when password matches the stored hash; compares in constant time. Pass undefined for an unknown user. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? DUMMY_HASH).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (!(n > 1 && n <= N * 4 && r >= 1 && r <= R && p >= 1 && p <= 16)) return false;
  const expected = Buffer.from(parts[5] as string, 'base64url');
  const key = await scryptAsync(password, Buffer.from(parts[4] as string, 'base64url'), n, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected) && stored !== undefined;
}

/** A new bearer token: prefix + 256 random bits. */
export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** What the store keeps of a token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time string equality (hashing first, so lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
