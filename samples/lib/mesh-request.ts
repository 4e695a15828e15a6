/**
 * The HTTP client every sample workload uses for service-to-service calls.
 *
 * Through a proxy the request line carries the absolute URI
 * (`GET http://reviews:9080/reviews/0 HTTP/1.1`), which RFC 9112 §3.2.2 requires
 * of requests sent to a proxy; Host keeps naming the origin (`reviews:9080`), so
 * the node proxy can route by service name exactly as a sidecar would.
 */
import http from 'node:http';
import { proxyFor, type ProxySettings } from './proxy-config.js';

/** Options for one call. */
export interface MeshRequestOptions extends ProxySettings {
  /** HTTP method; GET when left out. */
  method?: string;
  /** Request headers; undefined values are skipped. */
  headers?: Record<string, string | undefined>;
  /** Request body; Content-Length is set from it. */
  body?: string | Buffer;
  /** Whole-call deadline (connect, headers and body) in milliseconds. */
  timeoutMs?: number;
}

/** A fully read response. */
export interface MeshResponse {
  /** HTTP status code. */
  status: number;
  /** Response headers as Node parsed them (lower-case names). */
  headers: http.IncomingHttpHeaders;
  /** The body decoded as UTF-8. */
  body: string;
}

/** Thrown when a call exceeds its deadline; the message always says "timeout". */
export class MeshTimeoutError extends Error {
  override readonly name = 'MeshTimeoutError';
}

const DEFAULT_TIMEOUT_MS = 30_000;

// One pool per process: keep-alive saves a TCP handshake per call to the node
// proxy, which every call goes through. Free sockets are unref'd by Node, so the
// pool never holds the process open.
const agent = new http.Agent({ keepAlive: true });

/** The process-wide keep-alive agent (exposed so tests can inspect or destroy it). */
export function meshAgent(): http.Agent {
  return agent;
}

/** Sends one request and reads the whole response. */
export function meshRequest(url: string, options: MeshRequestOptions = {}): Promise<MeshResponse> {
  const target = new URL(url);
  if (target.protocol !== 'http:') {
    return Promise.reject(new Error(`meshRequest ${url}: only http: URLs are supported (TLS is the mesh's job)`));
  }
  const method = (options.method ?? 'GET').toUpperCase();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const proxy = proxyFor(target, options);
  const headers = outgoingHeaders(target, options);
  const originForm = `${target.pathname}${target.search}`;

  return new Promise<MeshResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, response?: MeshResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else if (response) resolve(response);
    };

    const req = http.request({
      agent,
      method,
      headers,
      host: stripBrackets(proxy ? proxy.hostname : target.hostname),
      port: proxy ? proxy.port || 80 : target.port || 80,
      path: proxy ? `${target.origin}${originForm}` : originForm,
    });

    const timer = setTimeout(() => {
      finish(new MeshTimeoutError(`${method} ${url}: timeout after ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);

    req.on('error', (error) => finish(error));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => finish(error));
      res.on('end', () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.end(options.body);
  });
}

function outgoingHeaders(target: URL, options: MeshRequestOptions): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  // Node would otherwise name the proxy in Host; the origin is what routing needs.
  headers.host = target.host;
  if (options.body !== undefined && headers['content-length'] === undefined) {
    headers['content-length'] = Buffer.byteLength(options.body);
  }
  return headers;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
