/**
 * The verbs on a resource: get, list, watch, create, update, patch (JSON merge, strategic
 * merge, JSON patch, server-side apply), delete, and the scale, status and log subresources.
 * Reads need the project's viewer role (another workspace's namespaces are not found); writes
 * go through Persist, which checks the role needed.
 */
import type { ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { GmError } from '../api/errors.js';
import type { Deployment, KubeObject } from '../api/objects.js';
import { ProjectAccess } from '../api/roles.js';
import type { Access } from '../apiserver/auth/access.js';
import { levelFor } from '../apiserver/auth/secret-policy.js';
import type { KubeApiDeps } from './deps.js';
import { recordUpdate, serverSideApply } from './managed-fields.js';
import { newest, page, shown } from './objects.js';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';
import { dependentsOf, podsGone } from './foreground.js';
import { Persist, type Writer } from './persist.js';
import { servePodLog } from './pod-log.js';
import { decodeProtobuf } from './protobuf.js';
import { isCustom, type Resource } from './resources.js';
import { equalities, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { KubeError, statusOf, kubeAlreadyExists, kubeBadRequest, kubeMethodNotAllowed, kubeNotFound, kubeUnsupportedMediaType } from './status.js';
import { tableOf, wantsTable } from './table.js';
import { watch } from './watch.js';

export interface Call {
  method: string;
  query: URLSearchParams;
  accept: string | undefined;
  contentType: string;
  userAgent: string;
  access: Access;
  user: string;
  r: Resource;
  version: string;
  ns: string | undefined;
  name: string | undefined;
  sub: string | undefined;
  body(): Promise<Buffer>;
  res: ServerResponse;
  signal: AbortSignal;
}

/** An answer; undefined when the handler wrote a stream itself. */
export type Answer = { status: number; body: unknown } | undefined;

const resourceName = (r: Resource): string => (r.group ? `${r.plural}.${r.group}` : r.plural);
const details = (r: Resource) => ({ group: r.group, kind: r.plural });

/** A validation error of a named object, as the API server reports it (`The Kind "name" is invalid: field: ...`). */
function named(err: unknown, r: Resource, name: string): unknown {
  if (!(err instanceof GmError) || err.status !== 422) return err;
  const st = statusOf(err, { kind: r.kind, group: r.group, name });
  return new KubeError(422, 'Invalid', st.message, st.details);
}

/** Most watches one user may hold open at once (each holds a connection and sees every change). */
const MAX_WATCHES_PER_USER = 100;

/** Deepest nesting of objects and lists a body may have (every later step walks it recursively). */
const MAX_DEPTH = 512;

/** Whether a parsed body nests deeper than max (walked without recursion). */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [v, depth] = top;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const x of Object.values(v)) if (typeof x === 'object' && x !== null) stack.push([x, depth + 1]);
  }
  return false;
}

/** The field manager of a write: the one asked for, else the client's name (as the API server derives it). */
function managerOf(c: Call): string {
  const asked = c.query.get('fieldManager');
  if (asked) return asked;
  return (c.userAgent.split('/')[0] || 'unknown').slice(0, 128);
}

export class Handlers {
  readonly persist: Persist;
  /** Open watches by user. */
  private readonly watching = new Map<string, number>();

  constructor(private readonly deps: KubeApiDeps) {
    this.persist = new Persist(deps);
  }

  /** Reading a namespace's objects needs a role there; to anyone else it does not exist. */
  private checkRead(c: Call, ns: string, level = ProjectAccess.Read): void {
    try {
      c.access.requireProject(ns, level, `read ${c.r.plural} in project ${ns}`);
    } catch (err) {
      if (err instanceof GmError && err.status === 404) throw kubeNotFound('namespaces', ns, { kind: 'namespaces' });
      throw err;
    }
    if (!this.deps.projects.get(ns)) throw kubeNotFound('namespaces', ns, { kind: 'namespaces' });
  }

  /** Secrets are read by project-admins only (the one Secret policy, src/apiserver/auth/secret-policy.ts). */
  private readLevel(r: Resource): ProjectAccess {
    return levelFor(r.kind, ProjectAccess.Read);
  }

  private async mustGet(c: Call, name: string): Promise<KubeObject> {
    const { r } = c;
    if (r.kind === 'Namespace') {
      const ns = this.deps.projects.get(name);
      if (!ns || !c.access.canSeeProject(name)) throw kubeNotFound('namespaces', name, details(r));
      return ns;
    }
    this.checkRead(c, c.ns as string, this.readLevel(r));
    const o = await this.deps.store.get(r.kind, c.ns, name);
    if (!o) throw kubeNotFound(resourceName(r), name, details(r));
    return o;
  }

  private async body(c: Call): Promise<unknown> {
    const buf = await c.body();
    if (/protobuf/.test(c.contentType)) return decodeProtobuf(buf);
    const text = buf.toString('utf8');
    let value: unknown;
    try {
      value = /yaml/.test(c.contentType) ? parseYaml(text) : JSON.parse(text);
    } catch (err) {
      throw kubeBadRequest(`the body is not valid ${/yaml/.test(c.contentType) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
    }
    if (nestedDeeperThan(value, MAX_DEPTH)) throw kubeBadRequest(`the body nests objects and lists deeper than ${MAX_DEPTH} levels`);
    return value;
  }

  private writer(c: Call): Writer {
    const dry = c.query.getAll('dryRun');
    return { access: c.access, user: c.user, dryRun: dry.includes('All') };
  }

  private out(c: Call, o: KubeObject, status = 200): Answer {
    return { status, body: shown(o, c.r, c.version) };
  }

  async handle(c: Call): Promise<Answer> {
    const { method, sub } = c;
    if (sub === 'log') return this.log(c);
    if (sub === 'scale') return this.scale(c);
    if (sub === 'status') return this.status(c);
    if (sub !== undefined) throw kubeNotFound(`${resourceName(c.r)}/${sub}`, c.name ?? '', details(c.r));
    if (c.name === undefined) {
      if (method === 'GET') return c.query.get('watch') === 'true' || c.query.get('watch') === '1' ? this.watch(c) : this.list(c);
      if (method === 'POST') return this.create(c);
      if (method === 'DELETE') return this.deleteCollection(c);
      throw kubeMethodNotAllowed(`${method} is not allowed on a collection of ${c.r.plural}`);
    }
    if (method === 'GET') {
      const o = await this.mustGet(c, c.name);
      if (wantsTable(c.accept)) return { status: 200, body: tableOf(c.r.kind, [shown(o, c.r, c.version)], { resourceVersion: o.metadata.resourceVersion as string }) };
      return this.out(c, o);
    }
    if (method === 'PUT') return this.replace(c);
    if (method === 'PATCH') return this.patch(c);
    if (method === 'DELETE') return this.delete(c);
    throw kubeMethodNotAllowed(`${method} is not allowed on ${c.r.plural}`);
  }

  /** The objects a list or watch covers: one namespace's, or every namespace's the caller sees. */
  private async selected(c: Call): Promise<KubeObject[]> {
    const { r } = c;
    const labels = parseLabelSelector(c.query.get('labelSelector') ?? undefined);
    const eq = equalities(labels);
    if (r.kind === 'Namespace') return c.access.visibleProjects(this.deps.projects.list());
    if (c.ns !== undefined) {
      this.checkRead(c, c.ns, this.readLevel(r));
      return this.deps.store.list(r.kind, { namespace: c.ns, ...(eq ? { labels: eq } : {}) });
    }
    const all = await this.deps.store.list(r.kind, eq ? { labels: eq } : {});
    const level = this.readLevel(r);
    return all.filter((o) => c.access.projectAccess(o.metadata.namespace ?? '') >= level);
  }

  private async list(c: Call): Promise<Answer> {
    const all = await this.selected(c);
    const labels = parseLabelSelector(c.query.get('labelSelector') ?? undefined);
    const fields = parseFieldSelector(c.query.get('fieldSelector') ?? undefined);
    const limit = Number(c.query.get('limit') ?? 0) || undefined;
    const p = page(all, labels, fields, limit, c.query.get('continue') ?? undefined);
    const meta = { resourceVersion: newest(all), ...(p.continue ? { continue: p.continue, remainingItemCount: p.remaining } : {}) };
    const items = p.items.map((o) => shown(o, c.r, c.version));
    if (wantsTable(c.accept)) return { status: 200, body: tableOf(c.r.kind, items, meta) };
    return { status: 200, body: { kind: `${c.r.kind}List`, apiVersion: c.r.group ? `${c.r.group}/${c.version}` : c.version, metadata: meta, items } };
  }

  private async watch(c: Call): Promise<Answer> {
    if (c.r.kind !== 'Namespace' && c.ns !== undefined) this.checkRead(c, c.ns, this.readLevel(c.r));
    const level = this.readLevel(c.r);
    const visible = (o: KubeObject): boolean =>
      c.r.kind === 'Namespace' ? c.access.canSeeProject(o.metadata.name) : c.access.projectAccess(o.metadata.namespace ?? '') >= level;
    const open = this.watching.get(c.user) ?? 0;
    if (open >= MAX_WATCHES_PER_USER) throw new KubeError(429, 'TooManyRequests', `${c.user} has ${open} watches open, the most one user may; close some (each kubectl get -w is one)`);
    this.watching.set(c.user, open + 1);
    try {
      await watch(this.deps.store, c, visible);
    } finally {
      const left = (this.watching.get(c.user) ?? 1) - 1;
      if (left > 0) this.watching.set(c.user, left);
      else this.watching.delete(c.user);
    }
    return undefined;
  }

  private async create(c: Call): Promise<Answer> {
    const obj = (await this.body(c)) as KubeObject;
    if (!obj || typeof obj !== 'object' || !obj.metadata) throw kubeBadRequest(`the body must be a ${c.r.kind} object with metadata`);
    if (c.r.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== c.ns) {
        throw kubeBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = c.ns as string;
      this.checkRead(c, c.ns as string);
    }
    if (obj.kind !== c.r.kind) throw kubeBadRequest(`the body's kind ${String(obj.kind)} is not ${c.r.kind}`);
    const manager = managerOf(c);
    const withFields = recordUpdate(undefined, obj, manager);
    try {
      return this.out(c, await this.persist.create(c.r, withFields, this.writer(c)), 201);
    } catch (err) {
      if (err instanceof GmError && err.code === 'GM_ERR_ALREADY_EXISTS') throw kubeAlreadyExists(resourceName(c.r), obj.metadata.name, details(c.r));
      throw named(err, c.r, obj.metadata.name);
    }
  }

  private async replace(c: Call): Promise<Answer> {
    const obj = (await this.body(c)) as KubeObject;
    if (!obj || typeof obj !== 'object' || !obj.metadata) throw kubeBadRequest(`the body must be a ${c.r.kind} object with metadata`);
    if (obj.metadata.name !== c.name) throw kubeBadRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${c.name})`);
    if (c.r.namespaced) obj.metadata.namespace = c.ns as string;
    const current = await this.mustGet(c, c.name);
    return this.out(c, await this.write(c, current, obj));
  }

  /** Writes a changed object (keeping its status), with who changed which field; a stale resourceVersion is a Conflict. */
  private async write(c: Call, current: KubeObject, next: KubeObject, apply?: string): Promise<KubeObject> {
    const withFields = apply ? next : recordUpdate(current, next, managerOf(c));
    try {
      return await this.persist.update(c.r, withFields, this.writer(c));
    } catch (err) {
      if (err instanceof GmError && err.code === 'GM_ERR_CONFLICT') {
        throw new KubeError(409, 'Conflict', `Operation cannot be fulfilled on ${resourceName(c.r)} "${c.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: c.name as string, ...details(c.r) });
      }
      if (err instanceof GmError && err.status === 404 && !(err instanceof KubeError)) throw kubeNotFound(resourceName(c.r), c.name as string, details(c.r));
      throw named(err, c.r, c.name as string);
    }
  }

  private async patch(c: Call): Promise<Answer> {
    const type = c.contentType.split(';')[0]?.trim() ?? '';
    if (type === 'application/apply-patch+yaml') return this.apply(c);
    const patch = await this.body(c);
    // A read-modify-write: retried on a conflict with another writer, as the API server does.
    for (let attempt = 0; ; attempt++) {
      const current = await this.mustGet(c, c.name as string);
      const next = this.patched(c, type, current, patch);
      next.metadata = { ...next.metadata, name: current.metadata.name, resourceVersion: (next.metadata?.resourceVersion as string | undefined) ?? (current.metadata.resourceVersion as string) };
      if (c.r.namespaced) next.metadata.namespace = c.ns as string;
      try {
        return this.out(c, await this.write(c, current, next));
      } catch (err) {
        const stale = err instanceof KubeError && err.reason === 'Conflict' && (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion === undefined;
        if (!stale || attempt >= 4) throw err;
      }
    }
  }

  private patched(c: Call, type: string, current: KubeObject, patch: unknown): KubeObject {
    switch (type) {
      case 'application/json-patch+json':
        return jsonPatch(current, patch) as KubeObject;
      case 'application/merge-patch+json':
        return mergePatch(structuredClone(current), patch) as KubeObject;
      case 'application/strategic-merge-patch+json':
        if (isCustom(c.r)) throw kubeUnsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
        return strategicMerge(structuredClone(current), patch, c.r.kind) as KubeObject;
      default:
        throw kubeUnsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${isCustom(c.r) ? '' : ', application/strategic-merge-patch+json'}`);
    }
  }

  /** Server-side apply: the fields this manager sets are its own; another owner's are a Conflict unless forced. */
  private async apply(c: Call): Promise<Answer> {
    const config = (await this.body(c)) as KubeObject;
    const manager = c.query.get('fieldManager');
    if (!manager) throw kubeBadRequest('PATCH with application/apply-patch+yaml requires fieldManager; kubectl apply --server-side sends it');
    if (!config || typeof config !== 'object' || !config.metadata) throw kubeBadRequest(`the body must be a ${c.r.kind} object with metadata`);
    if (config.kind !== c.r.kind) throw kubeBadRequest(`the body's kind ${String(config.kind)} is not ${c.r.kind}`);
    if (config.metadata.name !== c.name) throw kubeBadRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${c.name})`);
    if (c.r.namespaced) config.metadata.namespace = c.ns as string;
    const force = c.query.get('force') === 'true';
    let current: KubeObject | undefined;
    try {
      current = await this.mustGet(c, c.name as string);
    } catch (err) {
      if (!(err instanceof KubeError && err.reason === 'NotFound' && err.details?.kind === c.r.plural)) throw err;
    }
    const outcome = serverSideApply(current, config, manager, force);
    if (outcome.conflicts.length > 0) {
      const n = outcome.conflicts.length;
      const lines = outcome.conflicts.map((x) => `conflict with "${x.manager}": ${x.field}`);
      throw new KubeError(409, 'Conflict', `Apply failed with ${n} conflict${n > 1 ? 's' : ''}: ${lines.join('\n')}`, {
        name: c.name as string,
        ...details(c.r),
        causes: outcome.conflicts.map((x) => ({ reason: 'FieldManagerConflict', message: `conflict with "${x.manager}"`, field: x.field })),
      });
    }
    if (!current) {
      try {
        return this.out(c, await this.persist.create(c.r, outcome.object, this.writer(c)), 201);
      } catch (err) {
        throw named(err, c.r, c.name as string);
      }
    }
    const next = { ...outcome.object, metadata: { ...outcome.object.metadata, resourceVersion: current.metadata.resourceVersion as string } };
    return this.out(c, await this.write(c, current, next, manager));
  }

  private async delete(c: Call): Promise<Answer> {
    const raw = await c.body();
    const options = raw.length > 0 ? ((await this.body(c)) as { propagationPolicy?: string } | null) : null;
    const policy = c.query.get('propagationPolicy') ?? options?.propagationPolicy;
    if (policy === 'Orphan') throw kubeBadRequest(`propagationPolicy Orphan is not supported: graymesh deletes a ${c.r.kind}'s pods with it (use Background or Foreground)`);
    if (policy !== undefined && policy !== 'Background' && policy !== 'Foreground') throw kubeBadRequest(`propagationPolicy: "${policy}" is not Background, Foreground or Orphan`);
    const obj = await this.mustGet(c, c.name as string);
    const w = this.writer(c);
    const owners = policy === 'Foreground' && obj.kind === 'Deployment' && !w.dryRun ? await dependentsOf(this.deps.store, obj as Deployment) : undefined;
    await this.persist.remove(c.r, obj, w);
    if (owners) await podsGone(this.deps.store, c.ns as string, owners, c.signal);
    return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: obj.metadata.name, ...details(c.r), uid: obj.metadata.uid } } };
  }

  private async deleteCollection(c: Call): Promise<Answer> {
    const all = await this.selected(c);
    const p = page(all, parseLabelSelector(c.query.get('labelSelector') ?? undefined), parseFieldSelector(c.query.get('fieldSelector') ?? undefined), undefined, undefined);
    for (const o of p.items) await this.persist.remove(c.r, o, this.writer(c));
    return { status: 200, body: { kind: `${c.r.kind}List`, apiVersion: c.r.group ? `${c.r.group}/${c.version}` : c.version, metadata: {}, items: p.items.map((o) => shown(o, c.r, c.version)) } };
  }

  /** deployments/NAME/scale: the Scale object (autoscaling/v1); writing it sets spec.replicas. */
  private async scale(c: Call): Promise<Answer> {
    if (c.r.kind !== 'Deployment') throw kubeNotFound(`${resourceName(c.r)}/scale`, c.name ?? '', details(c.r));
    const current = (await this.mustGet(c, c.name as string)) as Deployment;
    const scaleOf = (d: Deployment) => ({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: d.metadata.name, namespace: d.metadata.namespace, uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion, creationTimestamp: d.metadata.creationTimestamp },
      spec: { replicas: d.spec?.replicas ?? 1 },
      status: {
        replicas: d.status?.replicas ?? 0,
        selector: Object.entries(d.spec?.selector?.matchLabels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      },
    });
    if (c.method === 'GET') return { status: 200, body: scaleOf(current) };
    if (c.method !== 'PUT' && c.method !== 'PATCH') throw kubeMethodNotAllowed(`${c.method} is not allowed on deployments/scale`);
    const body = await this.body(c);
    const type = c.contentType.split(';')[0]?.trim() ?? '';
    const scale = (c.method === 'PUT' ? body : type === 'application/json-patch+json' ? jsonPatch(scaleOf(current), body) : mergePatch(scaleOf(current), body)) as { spec?: { replicas?: unknown }; metadata?: { resourceVersion?: string } };
    const replicas = scale.spec?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw kubeBadRequest('Scale spec.replicas: a whole number, 0 or more');
    const rv = scale.metadata?.resourceVersion ?? current.metadata.resourceVersion;
    const next: Deployment = { ...current, metadata: { ...current.metadata, ...(rv ? { resourceVersion: rv } : {}) }, spec: { ...(current.spec as Deployment['spec'] & object), replicas } };
    const written = (await this.write(c, current, next)) as Deployment;
    return { status: 200, body: scaleOf(written) };
  }

  /** NAME/status: read as the object; written by the engine only (kubectl does not write it). */
  private async status(c: Call): Promise<Answer> {
    if (c.method !== 'GET') throw kubeMethodNotAllowed(`${c.r.plural}/status is written by graymesh's controllers`);
    return this.out(c, await this.mustGet(c, c.name as string));
  }

  /** pods/NAME/log: the engine's pod log (pod-log.ts). */
  private async log(c: Call): Promise<Answer> {
    if (c.r.kind !== 'Pod') throw kubeNotFound(`${resourceName(c.r)}/log`, c.name ?? '', details(c.r));
    await this.mustGet(c, c.name as string);
    const logs = this.deps.logs;
    if (!logs) throw new GmError('GM_ERR_NOT_IMPLEMENTED', 501, 'this engine serves no pod logs here');
    await servePodLog(logs, c.ns as string, c.name as string, c.query, c.res, c.signal, this.deps.log);
    return undefined;
  }
}
