/**
 * The CLI's API client: finds its instance through --home / GRAYMESH_HOME
 * (the instance file and admin token under the home), or GRAYMESH_URL and
 * GRAYMESH_TOKEN, and rebuilds API errors into GmError.
 */
import { GmError, fromBody, unavailable } from '../api/errors.js';
import { Home } from '../runtime/home.js';

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  static fromHome(home: Home): ApiClient {
    const envUrl = process.env.GRAYMESH_URL;
    const envToken = process.env.GRAYMESH_TOKEN;
    if (envUrl) return new ApiClient(envUrl.replace(/\/$/, ''), envToken ?? '');
    const inst = home.readInstance();
    if (!inst) throw unavailable(`graymesh is not running on ${home.dir}; start it with graymesh up (or set GRAYMESH_HOME / --home)`);
    return new ApiClient(inst.url, envToken ?? home.adminToken());
  }

  async request<T>(method: string, path: string, body?: unknown, opts: { text?: boolean; timeoutMs?: number } = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
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
