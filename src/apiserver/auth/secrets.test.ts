import { describe, expect, it } from 'vitest';
import { hashPassword, newToken, safeEqual, tokenHash, verifyPassword } from './secrets.js';

describe('secrets', () => {
  it('hashes passwords with scrypt and a salt, and verifies them', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$65536\$8\$2\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    // An unknown user (no hash) never verifies, whatever the password.
    expect(await verifyPassword('', undefined)).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
  });

  it('makes tokens of 256 random bits and keeps only their hash', () => {
    const t = newToken('gmu_');
    expect(t).toMatch(/^gmu_[A-Za-z0-9_-]{43}$/);
    expect(newToken('gmu_')).not.toBe(t);
    expect(tokenHash(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(safeEqual(t, t)).toBe(true);
    expect(safeEqual(t, `${t}x`)).toBe(false);
  });
});
