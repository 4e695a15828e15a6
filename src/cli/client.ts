/**
 * The CLI's API client: finds its instance through --home / GRAYMESH_HOME
 * (the instance file under the home), or GRAYMESH_URL; acts with
 * GRAYMESH_TOKEN when set, else the session `graymesh login` stored in the
 * home, else (on the home's own instance) the instance token. Rebuilds API
 * errors into GmError.
 */
import { GmError, fromBody, invalid, unavailable } from '../api/errors.js';
import { Home } from '../runtime/home.js';

/** A bearer token is printable ASCII without spaces; anything else would corrupt the header. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  static fromHome(home: Home): ApiClient {
    const url = ApiClient.urlOf(home);
    const envToken = process.env.GRAYMESH_TOKEN;
    if (envToken) {
      if (!TOKEN_CHARS.test(envToken)) throw invalid('GRAYMESH_TOKEN: not a token (printable characters, no spaces)');
      return new ApiClient(url, envToken);
    }
    const session = home.readSession();
    if (session && session.url === url) return new ApiClient(url, session.token);
    // The instance token is for the home's own instance only, never sent to another URL.
    return new ApiClient(url, process.env.GRAYMESH_URL ? '' : home.adminToken());
  }

  /** The control plane's URL: GRAYMESH_URL, or the instance running on the home. */
  static urlOf(home: Home): string {
    const envUrl = process.env.GRAYMESH_URL;
    if (envUrl) {
      let u: URL;
      try {
        u = new URL(envUrl);
      } catch {
        throw invalid(`GRAYMESH_URL: "${envUrl}" is not a URL; e.g. http://127.0.0.1:7070`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid(`GRAYMESH_URL: use http:// or https://`);
      return envUrl.replace(/\/+$/, '');
    }
    const inst = home.readInstance();
    if (!inst) throw unavailable(`graymesh is not running on ${home.dir}; start it with graymesh up (or set GRAYMESH_HOME / --home)`);
    return inst.url;
  }

  /** The same server, acting with another token (or none). */
  withToken(token: string): ApiClient {
    return new ApiClient(this.url, token);
  }

  async request<T>(method: string, path: string, body?: unknown, opts: { text?: boolean; timeoutMs?: number } = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw unavailable(`cannot reach the control plane at ${this.url} (${cause}); is graymesh running? (graymesh status)`);
    }
    if (opts.text && res.ok) return (await res.text()) as T;
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) throw fromBody(res.status, parsed);
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
}

export { GmError };
