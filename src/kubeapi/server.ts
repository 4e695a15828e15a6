/**
 * The Kubernetes API server kubectl talks to: HTTPS on its own port (kubectl sends bearer
 * tokens over TLS only), with the serving certificate of cert.ts. Every request but /version
 * and the health checks carries a graymesh token (a login session, or the instance token);
 * graymesh's roles decide (Access, src/apiserver/auth/access.ts) and every write is in
 * graymesh's audit log. Answers are JSON whatever protobuf kubectl would prefer.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GmError } from '../api/errors.js';
import { Access, type Principal } from '../apiserver/auth/access.js';
import type { KubeApiDeps } from './deps.js';
import { AGGREGATED_TYPE, aggregated, coreVersions, groupList, resourceList, version, wantsAggregated } from './discovery.js';
import { Handlers, type Answer, type Call } from './handlers.js';
import { openApiDocument, openApiRoot } from './openapi.js';
import { findResource, groups, resourcesOf, type Resource } from './resources.js';
import { KubeError, kubeNotFound, statusOf } from './status.js';

/** Largest body accepted (a manifest of one object). */
const MAX_BODY = 3 * 1024 * 1024;
/** A request body must arrive within this. */
const BODY_TIMEOUT_MS = 30_000;

export interface KubeApiOptions {
  cert: string;
  key: string;
}

interface Target {
  r: Resource;
  version: string;
  ns: string | undefined;
  name: string | undefined;
  sub: string | undefined;
}

/** `/api/v1/namespaces/demo/pods/x/log` → the resource, namespace, name and subresource; undefined for no resource path. */
export function parseResourcePath(parts: string[]): Target | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) [group, version, rest] = ['', parts[1] as string, parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 4) [group, version, rest] = [parts[1] as string, parts[2] as string, parts.slice(3)];
  else return undefined;
  const namespacedHere = rest[0] === 'namespaces' && rest.length >= 3 && resourcesOf(group, version).some((r) => r.namespaced && r.plural === rest[2]);
  if (namespacedHere) {
    const r = findResource(group, version, rest[2] as string);
    if (!r || rest.length > 5) return undefined;
    return { r, version, ns: rest[1], name: rest[3], sub: rest[4] };
  }
  const r = findResource(group, version, rest[0] as string);
  if (!r || rest.length > 3) return undefined;
  if (r.namespaced && rest.length > 1) return undefined;
  return { r, version, ns: undefined, name: rest[1], sub: rest[2] };
}

export class KubeApiServer {
  private readonly server: https.Server;
  private readonly handlers: Handlers;
  url = '';

  constructor(
    private readonly deps: KubeApiDeps,
    opts: KubeApiOptions,
  ) {
    this.handlers = new Handlers(deps);
    this.server = https.createServer({ cert: opts.cert, key: opts.key }, (req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 65_000;
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const a = this.server.address() as AddressInfo;
    this.url = `https://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const method = req.method ?? 'GET';
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    let principal: Principal | undefined;
    let access: Access | undefined;
    let target: Target | undefined;
    let status = 500;
    try {
      const parts = url.pathname.split('/').filter((p) => p !== '').map(decodePart);
      const open = this.open(parts, res);
      if (open) {
        status = open.status;
        return send(res, open);
      }
      principal = this.deps.auth.authenticate(req.headers.authorization);
      if (!principal) throw new KubeError(401, 'Unauthorized', 'Unauthorized: send a bearer token (graymesh kubeconfig writes one)');
      if (principal.kind === 'token') throw new KubeError(403, 'Forbidden', `a ${principal.scope ?? 'scoped'} token may not use the Kubernetes API; log in (graymesh kubeconfig --user NAME)`);
      access = new Access(principal, this.deps.auth.accounts, this.deps.projects);
      const discovered = this.discovery(parts, req.headers.accept, res);
      if (discovered) {
        status = discovered.status;
        return send(res, discovered);
      }
      target = parseResourcePath(parts);
      if (!target) throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
      const call = this.callOf(req, res, url, method, access, principal, target, abort.signal);
      const answer = await this.handlers.handle(call);
      status = answer?.status ?? 200;
      if (answer) send(res, answer);
    } catch (err) {
      const st = statusOf(err, target ? { kind: target.r.kind, group: target.r.group, ...(target.name ? { name: target.name } : {}) } : {});
      if (st.code >= 500 && !(err instanceof GmError) && !(err instanceof KubeError)) this.deps.log(`kube API: ${method} ${url.pathname}: ${(err as Error).stack ?? String(err)}`);
      status = st.code;
      if (res.headersSent) res.end();
      else send(res, { status: st.code, body: st });
      if (access && st.code >= 400 && (st.code === 403 || st.code === 404)) access.refused = true;
      if (st.reason === 'Unauthorized') access = undefined;
    } finally {
      if (method !== 'GET' && method !== 'HEAD') this.audit(method, url.pathname, principal, access, target, status, req);
    }
  }

  /** What anyone may read: the version and health. */
  private open(parts: string[], _res: ServerResponse): Answer {
    const p = parts.join('/');
    if (p === 'version') return { status: 200, body: version() };
    if (p === 'healthz' || p === 'livez' || p === 'readyz') return { status: 200, body: 'ok' };
    return undefined;
  }

  private discovery(parts: string[], accept: string | undefined, res: ServerResponse): Answer {
    const p = parts.join('/');
    const agg = wantsAggregated(accept);
    if (p === 'api' || p === 'apis') {
      if (agg) {
        res.setHeader('content-type', AGGREGATED_TYPE);
        return { status: 200, body: aggregated(p === 'api') };
      }
      return { status: 200, body: p === 'api' ? coreVersions(this.url.replace(/^https:\/\//, '')) : groupList() };
    }
    if (p === 'api/v1') return { status: 200, body: resourceList('', 'v1') };
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = groups().find((x) => x.name === parts[1]);
      if (!g) return undefined;
      return { status: 200, body: { kind: 'APIGroup', apiVersion: 'v1', name: g.name, versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })), preferredVersion: { groupVersion: `${g.name}/${g.versions[0]}`, version: g.versions[0] } } };
    }
    if (parts[0] === 'apis' && parts.length === 3 && resourcesOf(parts[1] as string, parts[2] as string).length > 0) {
      return { status: 200, body: resourceList(parts[1] as string, parts[2] as string) };
    }
    if (p === 'openapi/v3') return { status: 200, body: openApiRoot() };
    if (parts[0] === 'openapi' && parts[1] === 'v3') {
      const doc = openApiDocument(parts.slice(2).join('/'));
      if (!doc) throw kubeNotFound('openapi documents', parts.slice(2).join('/'));
      return { status: 200, body: doc };
    }
    return undefined;
  }

  private callOf(req: IncomingMessage, res: ServerResponse, url: URL, method: string, access: Access, principal: Principal, t: Target, signal: AbortSignal): Call {
    let body: Promise<Buffer> | undefined;
    return {
      method,
      query: url.searchParams,
      accept: req.headers.accept,
      contentType: req.headers['content-type'] ?? 'application/json',
      userAgent: req.headers['user-agent'] ?? '',
      access,
      user: principal.name,
      ...t,
      body: () => (body ??= readBody(req)),
      res,
      signal,
    };
  }

  private audit(method: string, path: string, principal: Principal | undefined, access: Access | undefined, t: Target | undefined, status: number, req: IncomingMessage): void {
    const refused = status === 401 || access?.refused === true;
    const project = t?.ns ?? (t?.r.kind === 'Namespace' ? t.name : undefined);
    const objects = t?.name ? `${t.r.kind}/${t.ns ?? ''}/${t.name}` : undefined;
    this.deps.auth.audit.record({
      time: new Date().toISOString(),
      user: principal?.name ?? '-',
      method,
      path: path.slice(0, 300),
      ...(project && project.length <= 63 ? { project } : {}),
      ...(objects ? { objects: objects.slice(0, 1000) } : {}),
      status,
      result: status < 400 ? 'allowed' : refused ? 'refused' : 'failed',
      message: 'kubectl API',
      ip: req.socket.remoteAddress ?? '',
    });
  }
}

/** A path segment unescaped; a malformed escape (`%zz`) is the client's error. */
function decodePart(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    throw new KubeError(400, 'BadRequest', `the path segment ${p.slice(0, 100)} is not valid percent-encoding`);
  }
}

function send(res: ServerResponse, a: { status: number; body: unknown }): void {
  const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
  if (!res.hasHeader('content-type')) res.setHeader('content-type', typeof a.body === 'string' ? 'text/plain' : 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.writeHead(a.status);
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const timer = setTimeout(() => {
      reject(new KubeError(408, 'Timeout', 'the request body did not arrive in time'));
      req.destroy();
    }, BODY_TIMEOUT_MS);
    // Over the limit, the rest of the body is read and dropped (never kept, for at most the
    // body timeout) and then answered 413, so the client reads the answer, not a reset connection.
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) over = true;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size <= MAX_BODY) return void chunks.push(c);
      over = true;
      chunks.length = 0;
    });
    req.on('end', () => {
      clearTimeout(timer);
      if (over) reject(new KubeError(413, 'RequestEntityTooLarge', `the request body is larger than ${MAX_BODY} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
