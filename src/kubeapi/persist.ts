/**
 * How the Kubernetes API writes one object: graymesh's kinds through the engine's validation,
 * the shared tenancy check and its writes (releases through the one release controller),
 * projects through the project writes (Secrets are graymesh's kind too: validated, the
 * project-admin's), ConfigMaps straight into the object store.
 * Who may write is checked here, with graymesh's roles.
 */
import { forbidden, invalid } from '../api/errors.js';
import { kindByName } from '../api/kinds.js';
import { dns1123SubdomainError } from '../api/names.js';
import { GOVERNANCE_ANNOTATION, type KubeObject, type Namespace } from '../api/objects.js';
import { ProjectAccess, WORKSPACE_LABEL, WorkspaceAccess } from '../api/roles.js';
import type { Access } from '../apiserver/auth/access.js';
import { levelFor } from '../apiserver/auth/secret-policy.js';
import { withTenancy } from '../apiserver/routes/objects.js';
import type { Release } from '../config/release/types.js';
import type { KubeApiDeps } from './deps.js';
import type { Resource } from './resources.js';
import { kubeMethodNotAllowed } from './status.js';
import { withoutZeroValues } from './zero-values.js';

export interface Writer {
  access: Access;
  user: string;
  dryRun: boolean;
}

const ctxOf = (w: Writer) => ({ user: w.user, canSee: (p: string) => w.access.canSeeProject(p) });

/** ConfigMaps: a name, string data. */
function checkPlain(o: KubeObject): KubeObject {
  const err = dns1123SubdomainError(o.metadata.name);
  if (err) throw invalid(`${o.kind} ${o.metadata.name}: metadata.name: ${err}`);
  const out = structuredClone(o);
  for (const field of ['data', 'binaryData', 'stringData']) {
    const v = out[field];
    if (v === undefined) continue;
    if (typeof v !== 'object' || v === null || Object.values(v).some((x) => typeof x !== 'string')) {
      throw invalid(`${o.kind} ${o.metadata.name}: ${field}: must map keys to strings`);
    }
  }
  return out;
}

/** A Secret's stringData folded into data (base64), as a cluster stores it. */
function foldStringData(o: KubeObject): KubeObject {
  const strings = o.stringData;
  if (strings === undefined) return o;
  if (typeof strings !== 'object' || strings === null || Object.values(strings).some((x) => typeof x !== 'string')) {
    throw invalid(`Secret ${o.metadata.name}: stringData: must map keys to strings`);
  }
  const out = structuredClone(o);
  const data = { ...((out.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(strings as Record<string, string>)) data[k] = Buffer.from(v).toString('base64');
  out.data = data;
  delete out.stringData;
  return out;
}

export class Persist {
  private readonly prepare;

  constructor(private readonly deps: KubeApiDeps) {
    this.prepare = withTenancy(deps.prepare, deps.store);
  }

  /** Who may write objects of this resource in this namespace (throws 403/404). */
  checkWrite(r: Resource, w: Writer, ns: string | undefined, verb: 'create' | 'update' | 'delete', obj?: KubeObject): void {
    if (r.storage === 'readonly') throw kubeMethodNotAllowed(`${r.plural} are managed by graymesh and cannot be changed; change their Deployment instead`);
    const a = w.access;
    if (r.kind !== 'Namespace') {
      a.requireProject(ns as string, levelFor(r.kind, ProjectAccess.Write), `${verb} ${r.plural} in project ${ns}`);
      return;
    }
    const name = obj?.metadata.name ?? ns ?? '';
    if (verb === 'delete') return a.requireProject(name, ProjectAccess.Owner, `delete project ${name}`);
    if (verb === 'update') return a.requireProject(name, ProjectAccess.Admin, `change the settings of project ${name}`);
    const ws = obj?.metadata.labels?.[WORKSPACE_LABEL];
    if (ws) a.requireWorkspace(ws, WorkspaceAccess.Admin, `create projects in workspace ${ws}`);
    else a.requirePlatform(`create project ${name} outside a workspace (label it ${WORKSPACE_LABEL}: WORKSPACE)`);
  }

  /** Validates an object as graymesh's apply does; the object as it would be stored. */
  async validate(r: Resource, obj: KubeObject, w: Writer): Promise<KubeObject> {
    obj = withoutZeroValues(obj);
    if (r.storage === 'plain') return checkPlain(obj);
    if (r.kind === 'Secret') obj = foldStringData(obj);
    const ns = obj.metadata.namespace;
    const { objects } = await this.prepare([obj], ns, { ...(ns && r.namespaced ? { onlyIn: ns } : {}), canSee: ctxOf(w).canSee });
    const out = objects[0] as KubeObject;
    // Validation keeps what the store sets; graymesh's own apiVersion is the stored one.
    for (const k of ['managedFields', 'resourceVersion', 'uid'] as const) {
      const v = (obj.metadata as unknown as Record<string, unknown>)[k];
      if (v !== undefined) (out.metadata as unknown as Record<string, unknown>)[k] = v;
    }
    return out;
  }

  async create(r: Resource, obj: KubeObject, w: Writer): Promise<KubeObject> {
    this.checkWrite(r, w, obj.metadata.namespace, 'create', obj);
    if (r.kind === 'Namespace') {
      obj = { ...obj, metadata: { ...obj.metadata, annotations: { [GOVERNANCE_ANNOTATION]: 'true', ...obj.metadata.annotations } } };
    }
    const valid = await this.validate(r, obj, w);
    delete valid.metadata.resourceVersion;
    if (w.dryRun) return { ...valid, metadata: { ...valid.metadata, creationTimestamp: new Date().toISOString() } };
    if (r.kind === 'Namespace') return this.deps.projectWrites.create(valid as Namespace);
    if (r.storage === 'plain') return this.deps.store.create(valid);
    if (valid.kind === 'Release') {
      await this.deps.releases.admit(valid as Release);
      return this.deps.releases.create(valid as Release, { user: w.user });
    }
    return (await this.deps.writes.create(valid)).object;
  }

  /** Replaces an object; its resourceVersion, when given, must be current (409 otherwise). */
  async update(r: Resource, obj: KubeObject, w: Writer): Promise<KubeObject> {
    this.checkWrite(r, w, obj.metadata.namespace ?? obj.metadata.name, 'update', obj);
    const valid = await this.validate(r, obj, w);
    if (w.dryRun) {
      const current = await this.deps.store.get(r.kind, r.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name);
      const { creationTimestamp, uid, generation } = current?.metadata ?? {};
      return { ...valid, metadata: { ...valid.metadata, ...(creationTimestamp ? { creationTimestamp } : {}), ...(uid ? { uid } : {}), ...(generation ? { generation } : {}) }, ...(current?.status ? { status: current.status } : {}) };
    }
    if (r.kind === 'Namespace') {
      const current = this.deps.projects.get(valid.metadata.name);
      const ws = current?.metadata.labels?.[WORKSPACE_LABEL];
      if (ws !== valid.metadata.labels?.[WORKSPACE_LABEL]) {
        if (valid.metadata.labels?.[WORKSPACE_LABEL] === undefined && ws) valid.metadata.labels = { ...valid.metadata.labels, [WORKSPACE_LABEL]: ws };
        else w.access.requirePlatform(`move project ${valid.metadata.name} to another workspace`);
      }
      return this.deps.projectWrites.update(valid as Namespace);
    }
    if (r.storage === 'plain') return this.deps.store.update(valid);
    if (valid.kind === 'Release') return (await this.deps.releases.apply(valid as Release, { user: w.user })).release;
    return (await this.deps.writes.replace(valid)).object;
  }

  async remove(r: Resource, obj: KubeObject, w: Writer): Promise<void> {
    const ns = obj.metadata.namespace;
    this.checkWrite(r, w, ns ?? obj.metadata.name, 'delete', obj);
    if (w.dryRun) return;
    if (r.kind === 'Namespace') return this.deps.projectWrites.remove(obj.metadata.name);
    if (r.storage === 'plain') {
      await this.deps.store.delete(r.kind, ns, obj.metadata.name);
      return;
    }
    if (r.kind === 'Release') return this.deps.releases.delete(ns as string, obj.metadata.name, { user: w.user });
    const kind = kindByName(r.plural);
    if (!kind) throw forbidden(`${r.plural} cannot be deleted here`);
    await this.deps.writes.remove(kind, obj, ctxOf(w));
  }
}
