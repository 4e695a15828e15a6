/**
 * A clean-room httpbin: echoes requests and misbehaves on demand (status codes,
 * delays), the usual target for trying traffic rules. Every JSON answer names
 * the version and pod that produced it, so a canary split is visible per call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookies, readBody, redirect, safeDecode, sendJson } from '../lib/http-io.js';
import { serve, type LogFormatter, type RunningServer } from '../lib/serve.js';
import { argsOf, fullUrlOf, headersOf, multiDict, originOf } from './request-info.js';
import { parseStatusCodes, pickStatusCode } from './status-codes.js';
import { serveWebSocketEcho, WEBSOCKET_ECHO_PATH } from './websocket-echo.js';

/** Options for {@link startHttpbin}. */
export interface HttpbinOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Reported as `version` (SERVICE_VERSION). */
  version: string;
  /** Reported as `pod` (POD_NAME). */
  pod: string;
  /** Address to bind; 127.0.0.1 when left out. */
  host?: string;
  /** Access-log sink; stdout when left out. */
  log?: (line: string) => void;
  /** Random source for `/status/a,b`; injectable for tests. */
  random?: () => number;
  /** Cap on `/delay/{seconds}`; 10 as on httpbin.org. */
  maxDelaySeconds?: number;
}

const MAX_DELAY_S = 10;

/** `GET /get host=httpbin:8000 200 3ms`: the Host shows which name the caller used. */
export const formatHttpbinLog: LogFormatter = (req, status, ms) =>
  `${req.method ?? '-'} ${req.url ?? '-'} host=${req.headers.host ?? '-'} ${status} ${ms}ms`;

/** Starts httpbin, with `/websocket/echo` on its upgrade requests. */
export async function startHttpbin(options: HttpbinOptions): Promise<RunningServer> {
  const running = await startHttp(options);
  const closeSockets = serveWebSocketEcho(running.server);
  return {
    ...running,
    close: () => {
      closeSockets();
      return running.close();
    },
  };
}

function startHttp(options: HttpbinOptions): Promise<RunningServer> {
  const stamp = { version: options.version, pod: options.pod };
  const json = (res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string | string[]> = {}): void =>
    sendJson(res, status, { ...body, ...stamp }, headers);

  const echo = async (req: IncomingMessage, url: URL, withMethod: boolean): Promise<Record<string, unknown>> => {
    const raw = (await readBody(req)).toString('utf8');
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    return {
      args: argsOf(url),
      data: isForm ? '' : raw,
      files: {},
      form: isForm ? multiDict(new URLSearchParams(raw)) : {},
      headers: headersOf(req),
      json: isForm ? null : parseJson(raw),
      ...(withMethod ? { method: req.method } : {}),
      origin: originOf(req),
      url: fullUrlOf(req, url),
    };
  };

  return serve({
    port: options.port,
    host: options.host,
    log: options.log,
    formatLog: formatHttpbinLog,
    healthFields: stamp,
    handler: async (req, res, url) => {
      const path = url.pathname;
      const method = req.method ?? 'GET';
      const isGet = method === 'GET' || method === 'HEAD';

      if (path === '/get' && isGet) {
        return json(res, 200, { args: argsOf(url), headers: headersOf(req), origin: originOf(req), url: fullUrlOf(req, url) });
      }
      if (path === '/anything' || path.startsWith('/anything/')) return json(res, 200, await echo(req, url, true));
      if (path === '/headers' && isGet) return json(res, 200, { headers: headersOf(req) });
      if (path === '/ip' && isGet) return json(res, 200, { origin: originOf(req) });
      if (path === '/user-agent' && isGet) return json(res, 200, { 'user-agent': req.headers['user-agent'] ?? '' });
      if (path.startsWith('/status/')) return handleStatus(res, safeDecode(path.slice('/status/'.length)));
      if (path.startsWith('/delay/')) return handleDelay(req, res, url);
      if (path === '/cookies' && isGet) return json(res, 200, { cookies: parseCookies(req.headers.cookie) });
      if (path === '/cookies/set' && isGet) return handleCookies(res, url, false);
      if (path === '/cookies/delete' && isGet) return handleCookies(res, url, true);
      if (path === '/response-headers' && (isGet || method === 'POST')) return handleResponseHeaders(res, url);
      if (path === WEBSOCKET_ECHO_PATH) return json(res, 400, { error: 'missing required `Upgrade: websocket` header' });
      if (path === '/' && isGet) return json(res, 200, { endpoints: ENDPOINTS });
      json(res, 404, { error: `no such endpoint: ${method} ${path}` });
    },
  });

  function handleStatus(res: ServerResponse, spec: string): void {
    const choices = parseStatusCodes(spec);
    if (!choices) return json(res, 400, { error: `Invalid status code: ${spec}` });
    const status = pickStatusCode(choices, options.random);
    // 204 and 304 must not carry a body (RFC 9110 §15.3.5, §15.4.5).
    if (status === 204 || status === 304) {
      res.writeHead(status).end();
      return;
    }
    json(res, status, { status });
  }

  async function handleDelay(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const seconds = Number(url.pathname.slice('/delay/'.length));
    if (!Number.isFinite(seconds) || seconds < 0) return json(res, 400, { error: 'delay must be a number of seconds' });
    const body = await echo(req, url, false);
    const ms = Math.min(seconds, options.maxDelaySeconds ?? MAX_DELAY_S) * 1000;
    await new Promise<void>((done) => {
      const timer = setTimeout(done, ms);
      res.once('close', () => {
        clearTimeout(timer);
        done();
      });
    });
    if (!res.destroyed) json(res, 200, body);
  }

  function handleCookies(res: ServerResponse, url: URL, remove: boolean): void {
    const cookies = [...url.searchParams].map(([name, value]) =>
      remove
        ? `${encodeURIComponent(name)}=; Path=/; Max-Age=0`
        : `${encodeURIComponent(name)}=${encodeURIComponent(value)}; Path=/`,
    );
    redirect(res, '/cookies', cookies.length > 0 ? { 'set-cookie': cookies } : {});
  }

  function handleResponseHeaders(res: ServerResponse, url: URL): void {
    const args = argsOf(url);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(args)) {
      // Names and values come from the caller; Node rejects ones that are not valid header tokens.
      if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && ![value].flat().some((v) => /[\r\n\0]/.test(v))) {
        headers[name] = value;
      }
    }
    json(res, 200, { 'Content-Type': 'application/json', ...headers }, headers);
  }
}

const ENDPOINTS = [
  '/get',
  '/anything',
  '/headers',
  '/ip',
  '/user-agent',
  '/status/{codes}',
  '/delay/{seconds}',
  '/cookies',
  '/cookies/set?name=value',
  '/cookies/delete?name',
  '/response-headers?name=value',
  '/websocket/echo',
  '/health',
];

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
