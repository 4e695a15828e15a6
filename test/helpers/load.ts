/**
 * Continuous load through the gateway for end-to-end tests: a few loops of
 * keep-alive requests that count which version answered and every failure,
 * so a test can assert that a release step lost nothing.
 */
import http from 'node:http';

export interface LoadTarget {
  /** The gateway's port. */
  port: number;
  /** The Host header, e.g. productpage.demo-project.localhost. */
  host: string;
  path: string;
  headers?: Record<string, string>;
  /** The version that answered, or undefined when the answer counts as a failure. */
  version(status: number, body: string): string | undefined;
}

/** Bookinfo's product page: 200, the reviews version named, and no "unavailable" fallback. */
export function productpageVersion(status: number, body: string): string | undefined {
  const v = /Reviews served by:[^r]*reviews-(v\d)-/.exec(body)?.[1];
  return status === 200 && v && !body.includes('currently unavailable') ? v : undefined;
}

/** httpbin's JSON answers name the version that produced them. */
export function httpbinVersion(status: number, body: string): string | undefined {
  if (status !== 200) return undefined;
  try {
    return (JSON.parse(body) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** One request's outcome: the version that answered, or what went wrong. */
export type Outcome = { version: string } | { failure: string };

/**
 * Loops that each send one request after another, counting which version
 * answered (per reset) and every failure (with the phase it happened in).
 */
export abstract class LoadLoops {
  protected stopped = false;
  private readonly loops: Promise<void>[] = [];
  /** Counts resets, so an answer to a request sent before the last one is not counted in `seen`. */
  private epoch = 0;
  /** Answers per version to the requests sent since the last reset. */
  readonly seen = new Map<string, number>();
  /** Every failure, prefixed with the phase it happened in. */
  failures: string[] = [];
  total = 0;
  /** Names the step under way, so a failure says when it happened. */
  phase = 'start';

  /** Sends one request on loop `n`. */
  protected abstract once(n: number): Promise<Outcome>;

  /** What a thrown error says in `failures`. */
  protected describe(err: unknown): string {
    return (err as Error).message;
  }

  protected runLoop(n: number): void {
    this.loops.push(this.loop(n));
  }

  private async loop(n: number): Promise<void> {
    while (!this.stopped) {
      this.total++;
      const epoch = this.epoch;
      try {
        const r = await this.once(n);
        if ('failure' in r) this.failures.push(`${this.phase}: ${r.failure}`);
        else if (epoch === this.epoch) this.seen.set(r.version, (this.seen.get(r.version) ?? 0) + 1);
      } catch (err) {
        this.failures.push(`${this.phase}: ${this.describe(err)}`);
      }
    }
  }

  /** Counts afresh: `seen` holds only answers to requests sent from now on (failures are all kept). */
  reset(): void {
    this.epoch++;
    this.seen.clear();
  }

  /** Stops every loop once its request in flight is answered. */
  protected async stopLoops(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

export class Load extends LoadLoops {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  constructor(private readonly target: LoadTarget) {
    super();
  }

  start(concurrency = 4): void {
    for (let i = 0; i < concurrency; i++) this.runLoop(i);
  }

  protected async once(): Promise<Outcome> {
    const r = await this.get();
    const v = this.target.version(r.status, r.body);
    return v === undefined ? { failure: `${r.status} ${r.body.slice(0, 120)}` } : { version: v };
  }

  private get(): Promise<{ status: number; body: string }> {
    const t = this.target;
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: t.port, path: t.path, headers: { ...t.headers, host: t.host }, agent: this.agent, timeout: 20_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  }

  async stop(): Promise<void> {
    await this.stopLoops();
    this.agent.destroy();
  }
}

export interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Requests through the gateway on keep-alive connections (thousands of them stay cheap). */
export class GatewayClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  constructor(private readonly port: number) {}

  request(host: string, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: this.port, path, method, headers: { ...headers, host }, agent: this.agent, timeout: 20_000 }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs fn over items with at most `n` at a time. */
export async function inParallel<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}
