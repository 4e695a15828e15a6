/**
 * The request guard: Fastify hooks that authenticate every request, check it
 * against the route policy before any handler runs, refuse malformed route
 * parameters, set the security headers, and write the audit log.
 *
 * - onRequest: headers; who is calling (401 for bad credentials); what the
 *   route needs (401, 403, 404); parameters (422). Runs before the body is
 *   read, so nothing unauthenticated is parsed.
 * - preHandler: manifests (apply, delete), checked per object once parsed.
 * - onSend / onResponse: the audit record of every write, refusals included.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, notFound, unauthorized } from '../../api/errors.js';
import { KINDS, kindOf } from '../../api/kinds.js';
import { Access } from './access.js';
import type { AuditResult } from './audit-log.js';
import { levelFor, secretNeed } from './secret-policy.js';
import type { AuthService } from './auth-service.js';
import { checkParams } from './params.js';
import type { ProjectDirectory } from '../projects.js';
import { needOf, type Need } from './policy.js';
import { ProjectAccess, WORKSPACE_LABEL, WorkspaceAccess } from '../../api/roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the caller may do; set before any handler runs. */
    access: Access;
    /** The caller's name (`admin` for the instance token); releases record it in their history. */
    user: string;
  }
}

/**
 * Content-Security-Policy for the console: everything from this origin only,
 * no inline scripts, no framing (with X-Frame-Options for older browsers).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': CSP,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Writes not audited: the proxies' config ACKs and telemetry ingestion (unless refused). */
const UNAUDITED = ['/xds/', '/v1/traces', '/api/v2/spans'];

interface State {
  need: Need;
  /** The objects of a manifest apply or delete (`Kind/namespace/name, ...`). */
  objects?: string;
  /** The one project a manifest apply or delete touched. */
  project?: string;
  workspace?: string;
  message?: string;
}

function pathOf(req: FastifyRequest): string {
  return req.url.split('?')[0] ?? '/';
}

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, k: string) => params[k] ?? k);
}

export interface GuardOptions {
  /** The projects a trace's spans belong to ('' for spans of no known project); none when there is no such trace. */
  traceProjects?: (traceId: string) => string[];
}

/** Installs the guard on a server; every route, whoever registers it, passes through it. */
export function installGuard(app: FastifyInstance, auth: AuthService, opts: GuardOptions = {}): void {
  const states = new WeakMap<FastifyRequest, State>();
  app.decorateRequest('access', null as unknown as Access);
  app.decorateRequest('user', '');

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    const path = pathOf(req);
    if (path.startsWith('/api/')) reply.header('cache-control', 'no-store');
    const need = needOf(req.method, req.routeOptions.url, path);
    states.set(req, { need });
    req.access = new Access(undefined, auth.accounts, auth.projects);
    req.user = '-';
    let principal;
    try {
      principal = auth.authenticate(req.headers.authorization);
    } catch (err) {
      // A bad token on an open route (login, health, console) is ignored, not refused.
      if (need.kind !== 'open') {
        req.access.refused = true;
        throw err;
      }
    }
    req.access = new Access(principal, auth.accounts, auth.projects);
    req.user = principal?.name ?? '-';
    if (need.kind !== 'open' && !principal) {
      req.access.refused = true;
      throw unauthorized('missing credentials: send "Authorization: Bearer TOKEN" (graymesh login, or GRAYMESH_TOKEN)');
    }
    checkParams(req.params);
    if (need.kind !== 'open') authorize(req, need, opts);
  });

  app.addHook('preHandler', async (req: FastifyRequest) => {
    const st = states.get(req);
    if (st?.need.kind !== 'objects') return;
    const docs = manifestDocs(req.body);
    Object.assign(st, summarize(docs));
    checkObjects(req, auth.projects, docs, req.url.startsWith('/api/v1/delete'));
  });

  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const scrapeProject = req.access?.principal?.kind === 'token' ? req.access.principal.project : undefined;
    if (scrapeProject && req.routeOptions.url === '/metrics' && typeof payload === 'string' && reply.statusCode === 200) {
      return onlyProject(payload, scrapeProject);
    }
    const st = states.get(req);
    if (st && reply.statusCode >= 400 && typeof payload === 'string' && !READS.has(req.method)) {
      try {
        const m = (JSON.parse(payload) as { error?: { message?: unknown } }).error?.message;
        if (typeof m === 'string') st.message = m.slice(0, 500);
      } catch {
        // not JSON
      }
    }
    return payload;
  });

  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    if (READS.has(req.method)) return;
    const path = pathOf(req);
    const status = reply.statusCode;
    if (status < 400 && UNAUDITED.some((p) => path.startsWith(p))) return;
    if (path.startsWith('/xds/')) return;
    const st = states.get(req);
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const body = (req.body ?? {}) as { project?: unknown; workspace?: unknown; name?: unknown };
    const access = req.access as Access | null;
    const refused = status === 429 || status === 401 || access?.refused === true;
    const result: AuditResult = status < 400 ? 'allowed' : refused ? 'refused' : 'failed';
    // Creating a project names it in the body's `name`; apply and delete in `project`.
    const named = req.routeOptions.url === '/api/v1/projects' ? body.name : body.project;
    const project = params.project ?? st?.project ?? (typeof named === 'string' && named.length <= 63 ? named : undefined);
    const workspace = params.workspace ?? (typeof body.workspace === 'string' && body.workspace.length <= 63 ? body.workspace : undefined);
    const user = access?.principal?.name ?? (access?.claimedUser ? access.claimedUser : '-');
    auth.audit.record({
      time: new Date().toISOString(),
      user,
      method: req.method,
      path: path.slice(0, 300),
      ...(project ? { project } : {}),
      ...(workspace ? { workspace } : {}),
      ...(st?.objects ? { objects: st.objects } : {}),
      status,
      result,
      ...(st?.message ? { message: st.message } : {}),
      ip: req.ip,
    });
  });
}

/**
 * The series of one project in Prometheus text: the samples whose source or
 * destination namespace label is the project (Istio's standard labels), with
 * every comment line kept.
 */
export function onlyProject(text: string, project: string): string {
  const mine = new RegExp(`[{,](source_workload_namespace|destination_workload_namespace|destination_service_namespace)="${project}"`);
  return text
    .split('\n')
    .filter((line) => line === '' || line.startsWith('#') || mine.test(line))
    .join('\n');
}

/** Checks a route's need against the caller; throws 403 or 404. */
function authorize(req: FastifyRequest, need: Need, opts: GuardOptions): void {
  const a = req.access;
  const p = a.principal!;
  const params = (req.params ?? {}) as Record<string, string>;
  if (p.kind === 'token' && need.kind !== 'scoped') {
    a.refused = true;
    throw forbidden(
      `a ${p.scope} token may only ${p.scope === 'scrape' ? 'read /metrics and the Jaeger query API' : 'send spans to /v1/traces and /api/v2/spans'}; log in for anything else`,
    );
  }
  switch (need.kind) {
    case 'open':
    case 'authenticated':
    case 'handler':
    case 'objects':
      return;
    case 'instance':
      if (p.kind === 'instance') return;
      a.refused = true;
      throw forbidden('the config stream is for node proxies, which use the instance token');
    case 'scoped':
      if (p.platformAdmin || (p.kind === 'token' && p.scope === need.scope && !(need.allProjects && p.project))) return;
      a.refused = true;
      if (p.kind === 'token' && p.project) throw forbidden(`this token is limited to project ${p.project}; the Jaeger query API holds every project's traces`);
      throw forbidden(`${a.user} may not ${need.scope === 'scrape' ? 'scrape metrics' : 'send spans'}: use a ${need.scope} token (graymesh token create --scope ${need.scope})`);
    case 'platform':
      a.requirePlatform(need.action);
      return;
    case 'project': {
      const project = params.project as string;
      const { level, action } = secretNeed(req.method, params, need.level, need.action ? fill(need.action, params) : undefined);
      a.requireProject(project, level, action);
      return;
    }
    case 'workspace': {
      const ws = params.workspace as string;
      a.requireWorkspace(ws, need.level, need.action ? fill(need.action, params) : undefined);
      return;
    }
    case 'trace':
      checkTrace(a, params.id as string, opts);
      return;
  }
}

/**
 * A trace is readable by whoever may read every project its spans belong to;
 * to anyone else it does not exist (404 with the text of a missing trace).
 */
function checkTrace(a: Access, id: string, opts: GuardOptions): void {
  if (a.isPlatformAdmin) return;
  if (!opts.traceProjects) return a.requirePlatform('read traces by id');
  const normalized = id.toLowerCase().padStart(32, '0');
  // Not hex, or no such trace: the handler answers the same to everyone.
  if (!/^[0-9a-f]{32}$/.test(normalized)) return;
  const projects = new Set(opts.traceProjects(normalized));
  if (projects.size === 0) return;
  const named = [...projects].filter((p) => p !== '');
  if (named.length > 0 && named.every((p) => a.canSeeProject(p))) return;
  a.refused = true;
  throw notFound(`trace ${normalized} not found (never received, or past retention)`);
}

type Doc = Record<string, unknown>;
type Meta = { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };

/** The documents of an apply or delete body, each with its project (metadata.namespace, else the body's `project`). */
function manifestDocs(body: unknown): { doc: Doc; meta: Meta; ns: string | undefined }[] {
  const b = body as { objects?: unknown; project?: unknown } | undefined;
  if (!b || !Array.isArray(b.objects)) return [];
  const defaultNs = typeof b.project === 'string' ? b.project : undefined;
  return b.objects
    .filter((d): d is Doc => typeof d === 'object' && d !== null && !Array.isArray(d))
    .map((doc) => {
      const meta: Meta = typeof doc.metadata === 'object' && doc.metadata !== null ? (doc.metadata as Meta) : {};
      const ns = doc.kind === 'Namespace' ? (typeof meta.name === 'string' ? meta.name : undefined) : typeof meta.namespace === 'string' ? meta.namespace : defaultNs;
      return { doc, meta, ns };
    });
}

/** What the audit log records of a manifest: the objects, and the project when there is one. */
function summarize(docs: { doc: Doc; meta: Meta; ns: string | undefined }[]): { objects?: string; project?: string } {
  if (docs.length === 0) return {};
  const names = docs.map(({ doc, meta, ns }) => (doc.kind === 'Namespace' ? `Namespace/${String(meta.name)}` : `${String(doc.kind)}/${ns ?? ''}/${String(meta.name)}`));
  const projects = new Set(docs.map((d) => d.ns).filter((n): n is string => n !== undefined));
  const summary = names.join(', ');
  const one = projects.size === 1 ? [...projects][0] : undefined;
  return {
    objects: summary.length > 1000 ? `${summary.slice(0, 997)}...` : summary,
    ...(one !== undefined && one.length <= 63 ? { project: one } : {}),
  };
}

/**
 * Manifests of an apply or a delete: each object needs write access to its
 * project; a Namespace needs the project's admin to change it, its
 * workspace's admin to create or delete it, and a platform admin to move it
 * between workspaces. Nothing is written unless every object passes.
 */
function checkObjects(req: FastifyRequest, projects: ProjectDirectory, docs: { doc: Doc; meta: Meta; ns: string | undefined }[], isDelete: boolean): void {
  const a = req.access;
  const created = new Set<string>();
  for (const { doc, meta: m } of docs.filter((d) => d.doc.kind === 'Namespace')) {
    if (typeof m.name !== 'string') continue;
    const existing = projects.get(m.name);
    if (isDelete) {
      a.requireProject(m.name, ProjectAccess.Owner, `delete project ${m.name}`);
      continue;
    }
    const wanted = m.labels?.[WORKSPACE_LABEL];
    if (existing) {
      a.requireProject(m.name, ProjectAccess.Admin, `change the settings of project ${m.name}`);
      const current = existing.metadata.labels?.[WORKSPACE_LABEL];
      if (wanted === undefined && current !== undefined) {
        // The workspace is graymesh's to record: a manifest without the label keeps it.
        doc.metadata = { ...m, labels: { ...(m.labels ?? {}), [WORKSPACE_LABEL]: current } };
      } else if (wanted !== current) {
        a.requirePlatform(`move project ${m.name} to another workspace`);
      }
    } else {
      if (typeof wanted === 'string') a.requireWorkspace(wanted, WorkspaceAccess.Admin, `create projects in workspace ${wanted}`);
      else a.requirePlatform(`create project ${m.name} outside a workspace (label it ${WORKSPACE_LABEL}: WORKSPACE)`);
      created.add(m.name);
    }
  }
  for (const { doc, ns } of docs.filter((d) => d.doc.kind !== 'Namespace')) {
    const info = typeof doc.apiVersion === 'string' && typeof doc.kind === 'string' ? (kindOf(doc.apiVersion, doc.kind) ?? KINDS.find((k) => k.kind === doc.kind)) : undefined;
    if (info && !info.namespaced) {
      a.requirePlatform(`change ${info.kind} objects`);
      continue;
    }
    // Without a project the apply fails validation (nothing is written); a platform admin sees that message.
    if (ns === undefined || created.has(ns)) continue;
    a.requireProject(ns, levelFor(String(doc.kind), ProjectAccess.Write), `${isDelete ? 'delete' : 'change'} ${String(doc.kind)} objects in project ${ns}`);
  }
}
