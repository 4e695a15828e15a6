/**
 * The conformance suite's harness: one real graymesh instance per test file, workloads applied as
 * users write them, and requests sent from inside the mesh exactly as a workload sends them: an
 * absolute-form request (`GET http://httpbin:8000/get`) to the caller's outbound listener, the
 * port its HTTP_PROXY names (`status.proxyPort` of its pod). Every CLI call is asynchronous so
 * servers a test runs in this process keep answering meanwhile.
 *
 * The suite speaks HTTP/1.1 to the proxy, or HTTP/2 with prior knowledge (h2c) once a file has
 * called `speak('h2c')` (the `*.h2c.test.ts` files, which run the same cases again): a request
 * to a listener then goes as one HTTP/2 stream, the absolute-form target as `:authority` and
 * `:path`, as an HTTP/2 client of a proxy sends it. The control plane's API is always HTTP/1.1.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import { Instance, ROOT, eventually, type CliResult } from '../helpers/instance.js';

/** Istio's own sample manifests, verbatim (copied from istio/istio samples/bookinfo/networking). */
export const ISTIO_SAMPLES = path.join(ROOT, 'src', 'config', 'validate', 'testdata');

export interface Pod {
  metadata: { name: string; labels: Record<string, string> };
  status: { phase?: string; port?: number; proxyPort?: number; containerStatuses?: { ready: boolean }[] };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Wall time of the exchange; only ever used as a lower bound (a fault delay happened). */
  ms: number;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export type Protocol = 'http1' | 'h2c';
let protocol: Protocol = 'http1';

/** What the suite speaks to the proxy from here on. */
export function speak(p: Protocol): void {
  protocol = p;
}

/** What the suite speaks to the proxy. */
export function speaking(): Protocol {
  return protocol;
}

/** The label the engine puts on every pod naming its workload (Deployment). */
const WORKLOAD_LABEL = 'graymesh.dev/workload';

export class Mesh {
  readonly gm = new Instance();
  private readonly proxyPorts = new Map<string, number>();
  private token: string | undefined;

  constructor(readonly project: string) {}

  async start(): Promise<void> {
    const r = await this.gm.up(['--no-sample']);
    expect(r.code, r.stderr).toBe(0);
  }

  cleanup(): void {
    this.gm.cleanup();
  }

  cli(args: string[], input?: string): Promise<CliResult> {
    return this.gm.cliAsync(args, input);
  }

  /**
   * `graymesh apply` of manifests: inline YAML/JSON or paths of files (read as they are), several
   * joined into one multi-document stream so they apply in one all-or-nothing step. Must succeed.
   */
  async apply(config: string | string[]): Promise<CliResult> {
    const r = await this.applyRaw(config);
    expect(r.code, `apply failed: ${r.stderr}`).toBe(0);
    return r;
  }

  applyRaw(config: string | string[]): Promise<CliResult> {
    return this.cli(['apply', '-f', '-', '-p', this.project], manifests(config));
  }

  /** `graymesh delete -f -` of what manifests name, skipping what is already gone. */
  async delete(config: string | string[]): Promise<void> {
    const r = await this.cli(['delete', '-f', '-', '-p', this.project, '--ignore-not-found'], manifests(config));
    expect(r.code, `delete failed: ${r.stderr}`).toBe(0);
  }

  /** Applies `config`, runs `fn`, and deletes the config again even when `fn` fails. */
  async with<T>(config: string | string[], fn: () => Promise<T>): Promise<T> {
    await this.apply(config);
    try {
      return await fn();
    } finally {
      await this.delete(config);
    }
  }

  /**
   * A GET on the REST API the CLI speaks, with this instance's admin token: polling a log through
   * it costs milliseconds where a CLI process costs half a second. The CLI itself is exercised by
   * `cliLogs` and by every apply.
   */
  async api(urlPath: string): Promise<string> {
    this.token ??= /token:\s*(\S+)/.exec(readFileSync(path.join(this.gm.home, 'admin-credentials'), 'utf8'))?.[1] ?? '';
    const r = await sendTo(this.gm.port, urlPath, { headers: { host: `127.0.0.1:${this.gm.port}`, authorization: `Bearer ${this.token}` } }, 'http1');
    expect(r.status, `GET ${urlPath}: ${r.body}`).toBe(200);
    return r.body;
  }

  async pods(): Promise<Pod[]> {
    return (JSON.parse(await this.api(`/api/v1/projects/${this.project}/pods`)) as { items: Pod[] }).items;
  }

  /** The pods of a workload, by name. */
  async podsOf(workload: string): Promise<Pod[]> {
    return (await this.pods()).filter((p) => p.metadata.labels[WORKLOAD_LABEL] === workload).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Waits until every named workload has `replicas` ready, running pods with an outbound listener. */
  async waitReady(workloads: Record<string, number>): Promise<void> {
    await eventually(async () => {
      const pods = await this.pods();
      return Object.entries(workloads).every(([w, n]) => {
        const ready = pods.filter(
          (p) => p.metadata.labels[WORKLOAD_LABEL] === w && p.status.phase === 'Running' && p.status.containerStatuses?.[0]?.ready && p.status.proxyPort,
        );
        return ready.length === n;
      });
    }, 60_000, 250);
  }

  /** The outbound listener of a workload's (first) pod; looked up once (client pods never restart here). */
  async proxyPortOf(workload: string): Promise<number> {
    const known = this.proxyPorts.get(workload);
    if (known) return known;
    const pod = (await this.podsOf(workload))[0];
    const port = pod?.status.proxyPort;
    if (!port) throw new Error(`workload ${workload} has no pod with an outbound listener`);
    this.proxyPorts.set(workload, port);
    return port;
  }

  /** A request from inside the mesh: `url` (absolute) sent to the workload's outbound listener. */
  async send(from: string, url: string, opts: SendOptions = {}): Promise<Reply> {
    return sendVia(await this.proxyPortOf(from), url, opts);
  }

  /** A request through the gateway with the given Host. */
  gateway(host: string, urlPath: string, opts: SendOptions = {}): Promise<Reply> {
    return sendTo(this.gm.gatewayPort, urlPath, { ...opts, headers: { host, ...opts.headers } });
  }

  /** `graymesh logs POD [--proxy]`: the pod's own output, or the proxy's access log for it. */
  async cliLogs(pod: string, proxy = false): Promise<string> {
    const r = await this.cli(['logs', pod, '-p', this.project, ...(proxy ? ['--proxy'] : [])]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  }

  /** The pod's own output, as `graymesh logs POD` reads it. */
  logs(pod: string): Promise<string> {
    return this.api(`/api/v1/projects/${this.project}/pods/${pod}/log`);
  }

  /** The proxy's access log for the pod, as `graymesh logs POD --proxy` reads it. */
  proxyLog(pod: string): Promise<string> {
    return this.api(`/api/v1/projects/${this.project}/pods/${pod}/proxy-log`);
  }

  /** The lines of a pod's output that contain `marker`, once at least `min` of them appeared. */
  async logLines(pod: string, marker: string, min = 1): Promise<string[]> {
    let lines: string[] = [];
    await eventually(async () => {
      lines = (await this.logs(pod)).split('\n').filter((l) => l.includes(marker));
      return lines.length >= min;
    }, 10_000, 50);
    return lines;
  }

  /** Access-log lines of a pod containing `marker`, once at least `min` appeared. */
  async accessLines(pod: string, marker: string, min = 1): Promise<string[]> {
    let lines: string[] = [];
    await eventually(async () => {
      lines = (await this.proxyLog(pod)).split('\n').filter((l) => l.includes(marker));
      return lines.length >= min;
    }, 10_000, 50);
    return lines;
  }
}

/** One multi-document stream of manifests given inline (YAML or JSON) or as `.yaml` paths, each kept verbatim. */
function manifests(config: string | string[]): string {
  const parts = (Array.isArray(config) ? config : [config]).map((c) => (!c.includes('\n') && c.endsWith('.yaml') ? readFileSync(c, 'utf8') : c));
  // Several: a YAML stream, where a JSON document is a flow document as it is (YAML is a superset of JSON).
  return parts.length === 1 ? (parts[0] as string) : `---\n${parts.map((p) => p.trimEnd()).join('\n---\n')}\n`;
}

/** An absolute-form request to a proxy listener, as an HTTP_PROXY client sends it. */
export function sendVia(proxyPort: number, url: string, opts: SendOptions = {}): Promise<Reply> {
  const u = new URL(url);
  return sendTo(proxyPort, url, { ...opts, headers: { host: u.host, ...opts.headers } });
}

/** One request on a fresh connection; `target` is the request-target (origin or absolute form). */
export function sendTo(port: number, target: string, opts: SendOptions = {}, over: Protocol = protocol): Promise<Reply> {
  if (over === 'h2c') return sendH2c(port, target, opts);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = http.request(
      { host: '127.0.0.1', port, path: target, method: opts.method ?? 'GET', headers, setHost: false, agent: false, timeout: 30_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${target} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** One request as an HTTP/2 stream on a fresh h2c session (prior knowledge); Host becomes `:authority`. */
function sendH2c(port: number, target: string, opts: SendOptions): Promise<Reply> {
  const started = Date.now();
  const fields: http2.OutgoingHttpHeaders = {};
  let authority = '';
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    if (name.toLowerCase() === 'host') authority = value;
    else fields[name.toLowerCase()] = value;
  }
  let path = target;
  if (/^https?:\/\//i.test(target)) {
    const u = new URL(target);
    authority ||= u.host;
    path = `${u.pathname}${u.search}`;
  }
  if (opts.body !== undefined) fields['content-length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({ ':method': opts.method ?? 'GET', ':path': path, ':authority': authority, ':scheme': 'http', ...fields });
    req.setTimeout(30_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
    let head: http2.IncomingHttpHeaders = {};
    let body = '';
    req.setEncoding('utf8');
    req.on('response', (h) => (head = h));
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      session.close();
      const headers: http.IncomingHttpHeaders = {};
      for (const [name, value] of Object.entries(head)) if (!name.startsWith(':')) headers[name] = value as string | string[];
      resolve({ status: Number(head[':status'] ?? 0), headers, body, ms: Date.now() - started });
    });
    req.on('error', (err) => {
      session.destroy();
      reject(err);
    });
    req.end(opts.body);
  });
}

/** Sends `n` requests one after another and returns the replies in order. */
export async function sendMany(n: number, send: (i: number) => Promise<Reply>): Promise<Reply[]> {
  const out: Reply[] = [];
  for (let i = 0; i < n; i++) out.push(await send(i));
  return out;
}

/** Counts values. */
export function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** A JSON body's field (httpbin answers name their `version` and `pod`). */
export function field(r: Reply, name: string): string {
  try {
    return String((JSON.parse(r.body) as Record<string, unknown>)[name]);
  } catch {
    return `<${r.status} ${r.body.slice(0, 80)}>`;
  }
}

/** A plain HTTP server on 127.0.0.1 for ServiceEntry endpoints, with the requests it received. */
export interface TestServer {
  port: number;
  requests: string[];
  close(): Promise<void>;
}

export function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} host=${req.headers.host}`);
    handler(req, res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    );
  });
}

/**
 * Istio's default access-log format (TEXT), one field per group: start time, request line,
 * code, flags, code details, connection termination details, upstream transport failure,
 * bytes in/out, duration, upstream service time, x-forwarded-for, user agent, request id,
 * authority, upstream host, upstream cluster, upstream local, downstream local, downstream
 * remote, requested server name, route name.
 * https://istio.io/latest/docs/tasks/observability/logs/access-log/#default-access-log-format
 */
export const ENVOY_LINE =
  /^\[(\S+)\] "(\S+) (\S+) (\S+)" (\d+) (\S+) (\S+) (\S+) "([^"]*)" (\d+) (\d+) (\d+) (\S+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$/;

/** An access-log line's fields, by name; fails the test when the line is not in Envoy's format. */
export function parseAccessLine(line: string): { method: string; path: string; protocol: string; status: number; flags: string; authority: string; upstreamHost: string; cluster: string; route: string } {
  const m = ENVOY_LINE.exec(line);
  expect(m, `not an Envoy-format access-log line: ${line}`).not.toBeNull();
  const g = m as RegExpExecArray;
  return {
    method: g[2] as string,
    path: g[3] as string,
    protocol: g[4] as string,
    status: Number(g[5]),
    flags: g[6] as string,
    authority: g[17] as string,
    upstreamHost: g[18] as string,
    cluster: g[19] as string,
    route: g[24] as string,
  };
}
