/**
 * productpage's sign-in session: the user name in a cookie, signed with
 * HMAC-SHA256 so a browser cannot forge another user (Istio's Flask app does the
 * same with its signed `session` cookie). There is no password check: Bookinfo
 * sign-in exists only to set the `end-user` header that routing rules match.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'session';

/** Used when SESSION_SECRET is unset, so every productpage replica accepts every other's cookies. */
export const DEFAULT_SESSION_SECRET = 'graymesh-bookinfo-sample';

/** Encodes `user` as a signed cookie value. */
export function signSession(user: string, secret: string): string {
  const payload = Buffer.from(user, 'utf8').toString('base64url');
  return `${payload}.${mac(payload, secret)}`;
}

/** Returns the user of a signed cookie value, or undefined if it is malformed or forged. */
export function verifySession(value: string | undefined, secret: string): string | undefined {
  if (!value) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(mac(payload, secret));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const user = Buffer.from(payload, 'base64url').toString('utf8');
  return user === '' ? undefined : user;
}

/** Set-Cookie value that signs `user` in. */
export function sessionCookie(user: string, secret: string): string {
  return `${SESSION_COOKIE}=${signSession(user, secret)}; Path=/; HttpOnly; SameSite=Lax`;
}

/** Set-Cookie value that signs the user out. */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

function mac(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
