/**
 * One `HTTPMatchRequest` compiled into a predicate: every condition it sets must hold (AND);
 * a rule's match entries are alternatives (OR), tried in order by the caller.
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
import type { RouteRequest } from '../router.js';
import { compileAbsentMatch, compileStringMatch, isPresenceMatch, type ValueTest } from './string-match.js';
import type { HTTPMatchRequest } from './types.js';

/** Who is asking: the data a match's source conditions read. */
export interface MatchContext {
  /** `mesh` for workload traffic (and the gateway's default hosts), else the `ns/name` of each Gateway the request came through. */
  gateways: ReadonlySet<string>;
  /** The calling workload's labels (`sourceLabels`). */
  labels: Record<string, string>;
  /** The calling workload's namespace (`sourceNamespace`). */
  namespace: string;
}

/** A request with its path split from the query once, and query parameters parsed on first use. */
export class RequestView {
  /** Path without the query string: `uri` matches on this. */
  readonly path: string;
  /** `?...` or empty. */
  readonly query: string;
  private params: Map<string, string> | undefined;

  constructor(readonly req: RouteRequest) {
    const q = req.path.indexOf('?');
    this.path = q < 0 ? req.path : req.path.slice(0, q);
    this.query = q < 0 ? '' : req.path.slice(q);
  }

  /** A header's value; repeated headers joined with "," as Envoy's header matcher sees them. */
  header(name: string): string | undefined {
    const v = this.req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  }

  /** A query parameter's raw (undecoded) value, the first when repeated, as Envoy matches it; "" for `?flag`. */
  param(name: string): string | undefined {
    if (this.params === undefined) {
      this.params = new Map();
      for (const pair of this.query.slice(1).split('&')) {
        if (pair === '') continue;
        const eq = pair.indexOf('=');
        const key = eq < 0 ? pair : pair.slice(0, eq);
        if (!this.params.has(key)) this.params.set(key, eq < 0 ? '' : pair.slice(eq + 1));
      }
    }
    return this.params.get(name);
  }
}

type Check = (v: RequestView, ctx: MatchContext) => boolean;

export interface CompiledMatch {
  test(v: RequestView, ctx: MatchContext): boolean;
  /**
   * How much of the path `rewrite.uri` replaces after this match, as Envoy's prefix_rewrite
   * does: the matched prefix for a prefix match, the whole path for exact and regex, and the
   * leading "/" when the match has no `uri` (Istio matches it as prefix "/").
   */
  rewriteLength(path: string): number;
  /** Matches every request once its source conditions hold (Istio's IsCatchAllRoute): moved last when VirtualServices merge. */
  catchAll: boolean;
}

/** A rule without `match`: everything. */
export const MATCH_ALL: CompiledMatch = { test: () => true, rewriteLength: () => 1, catchAll: true };

export function compileMatch(m: HTTPMatchRequest, vsNamespace: string, where: string): CompiledMatch {
  const checks: Check[] = [];
  if (m.port !== undefined && m.port !== 0) {
    const port = m.port;
    checks.push((v) => v.req.port === port);
  }
  checks.push(...sourceChecks(m, vsNamespace));
  const header = (field: 'method' | 'scheme' | 'authority', read: (r: RouteRequest) => string): void => {
    const sm = m[field];
    if (sm === undefined) return;
    const test = compileStringMatch(sm, `${where}.${field}`);
    checks.push((v) => test(read(v.req)));
  };
  header('method', (r) => r.method);
  header('scheme', (r) => r.scheme);
  header('authority', (r) => r.authority);
  let rewriteLength: (path: string) => number = () => 1;
  if (m.uri !== undefined && !isPresenceMatch(m.uri)) {
    const test = compileStringMatch(m.uri, `${where}.uri`, m.ignoreUriCase === true);
    checks.push((v) => test(v.path));
    const prefix = m.uri.prefix;
    rewriteLength = prefix !== undefined ? () => prefix.length : (path) => path.length;
  }
  for (const [name, sm] of Object.entries(m.headers ?? {})) checks.push(headerCheck(name, compileStringMatch(sm, `${where}.headers.${name}`)));
  for (const [name, sm] of Object.entries(m.withoutHeaders ?? {})) checks.push(headerCheck(name, compileAbsentMatch(sm, `${where}.withoutHeaders.${name}`)));
  for (const [name, sm] of Object.entries(m.queryParams ?? {})) {
    const test = compileStringMatch(sm, `${where}.queryParams.${name}`);
    checks.push((v) => test(v.param(name)));
  }
  const catchAll = isUriCatchAll(m) && m.method === undefined && m.scheme === undefined && m.authority === undefined
    && isEmpty(m.headers) && isEmpty(m.withoutHeaders) && isEmpty(m.queryParams);
  return {
    test: (v, ctx) => {
      for (const c of checks) if (!c(v, ctx)) return false;
      return true;
    },
    rewriteLength,
    catchAll,
  };
}

/**
 * Istio's sourceMatchHTTP: match-level `gateways` override the VirtualService's and, when set,
 * are the only source condition; otherwise `sourceLabels` must be a subset of the caller's
 * labels and `sourceNamespace` its namespace.
 */
function sourceChecks(m: HTTPMatchRequest, vsNamespace: string): Check[] {
  if (m.gateways !== undefined && m.gateways.length > 0) {
    const wanted = m.gateways.map((g) => gatewayKey(g, vsNamespace));
    return [(_v, ctx) => wanted.some((g) => ctx.gateways.has(g))];
  }
  const checks: Check[] = [];
  const labels = Object.entries(m.sourceLabels ?? {});
  if (labels.length > 0) checks.push((_v, ctx) => labels.every(([k, val]) => ctx.labels[k] === val));
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== '') {
    const ns = m.sourceNamespace;
    checks.push((_v, ctx) => ctx.namespace === ns);
  }
  return checks;
}

/** Header names are lowercase in Node; `@request.auth.claims...` needs JWT authentication, which graymesh lacks: never matches. */
function headerCheck(name: string, test: ValueTest): Check {
  const key = name.toLowerCase();
  if (key.startsWith('@')) return () => false;
  return (v) => test(v.header(key));
}

/** `mesh`, or a gateway reference resolved to `ns/name` (a bare name is in the VirtualService's namespace). */
export function gatewayKey(ref: string, vsNamespace: string): string {
  if (ref === 'mesh') return ref;
  return ref.includes('/') ? ref : `${vsNamespace}/${ref}`;
}

function isUriCatchAll(m: HTTPMatchRequest): boolean {
  const u = m.uri;
  if (u === undefined || isPresenceMatch(u)) return true;
  return u.prefix === '/' || u.prefix === '' || u.regex === '.*';
}

const isEmpty = (o: object | undefined): boolean => o === undefined || Object.keys(o).length === 0;
