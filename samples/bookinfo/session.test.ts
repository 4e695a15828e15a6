import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, sessionCookie, signSession, verifySession } from './session.js';

describe('session cookies', () => {
  it('round-trips a user name, including non-ASCII', () => {
    expect(verifySession(signSession('jason', 's3'), 's3')).toBe('jason');
    expect(verifySession(signSession('zoë ✓', 's3'), 's3')).toBe('zoë ✓');
  });

  it('rejects tampering, another key and garbage', () => {
    const value = signSession('jason', 's3');
    const [, mac] = value.split('.');
    expect(verifySession(`${Buffer.from('admin').toString('base64url')}.${mac ?? ''}`, 's3')).toBeUndefined();
    expect(verifySession(value, 'other')).toBeUndefined();
    expect(verifySession('no-dot', 's3')).toBeUndefined();
    expect(verifySession(undefined, 's3')).toBeUndefined();
  });

  it('writes HttpOnly cookies scoped to the site and clears them with Max-Age=0', () => {
    expect(sessionCookie('jason', 's3')).toMatch(/^session=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(clearedSessionCookie()).toMatch(/^session=; .*Max-Age=0$/);
  });
});
