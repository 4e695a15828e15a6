/**
 * The console's one way to the control plane: the REST API with a bearer
 * token (kept in this browser's local storage, sent as a header, never a
 * cookie). Errors come back as ApiError carrying the API's code and message.
 */

const TOKEN_KEY = 'graymesh.token';
const USER_KEY = 'graymesh.user';

/** An error answer of the API ({"error": {"code", "message"}}), or a failure to reach it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The route does not exist on this control plane (yet): show an empty state, not an error. */
  get missingRoute(): boolean {
    return this.status === 404 && /^no API route/.test(this.message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when the API answers 401: the token is missing, expired or revoked. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export function getToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

export function getUser(): string {
  return localStorage.getItem(USER_KEY) ?? '';
}

export function setSession(token: string, user: string): void {
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(USER_KEY, user);
}

export function clearSession(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
}

export interface RequestOptions {
  /** Read the answer as text (logs). */
  text?: boolean;
  /** Send without the stored token (login). */
  anonymous?: boolean;
  /** Send this token instead of the stored one (checking a pasted token). */
  token?: string;
  signal?: AbortSignal;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: opts.text ? 'text/plain' : 'application/json' };
  const token = opts.token ?? getToken();
  if (token && !opts.anonymous) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'GM_ERR_UNREACHABLE', 'Cannot reach the control plane. Is graymesh running? Check with `graymesh status`.');
  }
  const text = await res.text();
  if (res.ok) {
    if (opts.text) return text as T;
    return (text ? JSON.parse(text) : undefined) as T;
  }
  let parsed: { error?: { code?: string; message?: string; details?: string[] } } | undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const e = parsed?.error;
  const err = e?.message
    ? new ApiError(res.status, e.code ?? 'GM_ERR_UNKNOWN', e.message, e.details ?? [])
    : new ApiError(res.status, 'GM_ERR_UNKNOWN', `The control plane answered ${res.status} ${res.statusText}.`);
  if (res.status === 401 && !opts.anonymous && opts.token === undefined) for (const fn of unauthorizedListeners) fn();
  throw err;
}

export const get = <T>(path: string, opts?: RequestOptions): Promise<T> => request<T>('GET', path, undefined, opts);
export const post = <T>(path: string, body: unknown = {}, opts?: RequestOptions): Promise<T> => request<T>('POST', path, body, opts);
export const patch = <T>(path: string, body: unknown): Promise<T> => request<T>('PATCH', path, body);
export const del = <T>(path: string): Promise<T> => request<T>('DELETE', path);

/** An error in plain words for a person: the API's own message, or what went wrong and what to do. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'Your session has ended or the token is not valid. Please log in again.';
    // A refusal already says who may not do what, and which role it needs: shown as the API words it.
    if (err.status === 403) return err.message;
    if (err.status >= 500 && err.code === 'GM_ERR_INTERNAL') return 'The control plane failed on this request; its log says why.';
    return err.details.length > 0 ? `${err.message} (${err.details.join('; ')})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
