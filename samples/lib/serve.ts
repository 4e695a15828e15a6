/**
 * The HTTP server every sample workload runs on: binds 127.0.0.1:PORT (the
 * engine's contract, samples/README.md), logs one line per request, answers
 * `/health`, and drains in-flight requests on close.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from './http-io.js';

/** A request handler; `url` is the parsed request target. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Formats the access-log line of one finished request. */
export type LogFormatter = (req: IncomingMessage, status: number, ms: number) => string;

/** Options for {@link serve}. */
export interface ServeOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Address to bind; 127.0.0.1 when left out. */
  host?: string;
  /** Handles every request except `GET /health`. */
  handler: Handler;
  /** Where log lines go; stdout when left out. */
  log?: (line: string) => void;
  /** Access-log format; `METHOD path status ms` when left out. */
  formatLog?: LogFormatter;
  /** Longest wait for in-flight requests on close before their sockets are cut. */
  drainTimeoutMs?: number;
  /** Reports liveness for `/health`; always healthy when left out. */
  healthy?: () => boolean;
  /** Extra fields for the `/health` body (e.g. version and pod). */
  healthFields?: Record<string, unknown>;
}

/** A listening server. */
export interface RunningServer {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** The underlying Node server. */
  server: http.Server;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

const DEFAULT_DRAIN_MS = 20_000;

/** Writes one line to stdout. */
export function logToStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The default access-log line: `GET /details/0 200 3ms`. */
export const formatAccessLog: LogFormatter = (req, status, ms) => `${req.method ?? '-'} ${req.url ?? '-'} ${status} ${ms}ms`;

/** Starts a server and resolves once it is listening. */
export function serve(options: ServeOptions): Promise<RunningServer> {
  const log = options.log ?? logToStdout;
  const format = options.formatLog ?? formatAccessLog;
  const inFlight = new Set<ServerResponse>();
  let closing = false;

  const server = http.createServer((req, res) => {
    const started = performance.now();
    inFlight.add(res);
    // Once draining, tell keep-alive clients to go elsewhere for the next request.
    if (closing) res.setHeader('connection', 'close');
    res.on('close', () => {
      inFlight.delete(res);
      log(format(req, res.statusCode, Math.round(performance.now() - started)));
      if (closing) server.closeIdleConnections();
    });
    void dispatch(req, res, options);
  });

  const close = (): Promise<void> =>
    new Promise<void>((resolve) => {
      closing = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      const deadline = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs ?? DEFAULT_DRAIN_MS);
      deadline.unref();
      server.close(() => {
        clearTimeout(deadline);
        resolve();
      });
      server.closeIdleConnections();
    });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve({ port: (server.address() as AddressInfo).port, server, close });
    });
  });
}

async function dispatch(req: IncomingMessage, res: ServerResponse, options: ServeOptions): Promise<void> {
  const url = requestUrl(req);
  try {
    if (url.pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      const healthy = options.healthy?.() ?? true;
      sendJson(res, healthy ? 200 : 500, { status: healthy ? 'ok' : 'unhealthy', ...options.healthFields });
      return;
    }
    await options.handler(req, res, url);
  } catch (error) {
    process.stderr.write(`${req.method ?? '-'} ${req.url ?? '-'}: ${String(error)}\n`);
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.destroy();
  }
}

/** Parses the request target; origin-form is resolved against the Host header. */
export function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  // `new URL('//x', base)` would read "x" as a host, so prefix origin-form ourselves.
  if (target.startsWith('/')) return new URL(`http://${safeHost(req.headers.host)}${target}`);
  try {
    return new URL(target);
  } catch {
    return new URL(`http://${safeHost(req.headers.host)}/`);
  }
}

function safeHost(host: string | undefined): string {
  return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? host : 'localhost';
}

/** `host:port` the server is bound to, for the startup line. */
export function listenAddress(server: RunningServer): string {
  const address = server.server.address();
  return typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
}
