/**
 * A fake Kubernetes API server on 127.0.0.1 for the engine's contract tests: a small model of
 * the real one (objects with uid, resourceVersion and generation; create, get, list with label
 * selectors, replace with optimistic concurrency, server-side apply and merge patch, delete with
 * the garbage collector following ownerReferences; watch streams with history, BOOKMARKs,
 * dropped connections and 410 Expired after compaction), a deployment controller that makes
 * pods and reports readiness (held per Deployment when a test asks), and istiod's /debug/syncz
 * behind the service proxy (its proxies' ACKs held when a test asks).
 *
 * Every request is recorded and checked against the contract graymesh must keep (known paths
 * and apiVersions, JSON accepted, server-side apply with `application/apply-patch+yaml`,
 * fieldManager=graymesh and no server-set fields in the body); a breach lands in `violations`.
 * A `timeline` tells in order what happened to the cluster, for tests of the release order.
 * Simplification: server-side apply here treats graymesh as the only field manager, so an
 * applied configuration replaces labels, annotations, ownerReferences and spec as a whole.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/api/objects.js';
import { mergePatch } from '../../src/engine/merge-patch.js';
import { RESOURCES, type ResourceType } from '../../src/kubernetes/resources.js';
import * as rec from './recorded.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  body?: unknown;
  status: number;
}

interface Watcher {
  rt: ResourceType;
  namespace?: string;
  selector?: string;
  res: http.ServerResponse;
}

interface Fault {
  method: string;
  path: RegExp;
  times: number;
  body: Record<string, unknown>;
}

interface HistoryEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rt: ResourceType;
  object: KubeObject;
}

export interface FakeOptions {
  /** The deployment controller makes pods and reports them ready (default true). */
  autoReady?: boolean;
  readyDelayMs?: number;
  /** istiod reachable through the service proxy (default true). */
  istiod?: boolean;
  /** Polls of /debug/syncz before a proxy ACKs a push (default 1). */
  ackAfterPolls?: number;
}

const SERVER_SET = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields'];

function matches(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    if (!k) return true;
    return v === undefined ? labels?.[k] !== undefined : labels?.[k] === v;
  });
}

export class FakeApiServer {
  url = '';
  readonly log: RecordedRequest[] = [];
  readonly violations: string[] = [];
  /** What happened to the cluster, in order: `apply VirtualService reviews [pin] v1=100`, `converged`. */
  readonly timeline: string[] = [];
  /** Proxies istiod reports; a push is sent to each and ACKed after ackAfterPolls polls. */
  proxies = ['productpage-v1-0.demo-project', 'reviews-v1-0.demo-project', 'istio-ingressgateway-0.istio-system'];
  private readonly server: http.Server;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: HistoryEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly faults: Fault[] = [];
  private rv = 1000;
  private compactedBefore = 0;
  private push = 0;
  private readonly proxyState = new Map<string, { sent: string; acked: string; wait: number }>();
  /** Deployments the deployment controller leaves alone until allowed (holdRollout). */
  private readonly heldRollouts = new Set<string>();
  private acksHeld = false;

  constructor(readonly opts: FakeOptions = {}) {
    this.server = http.createServer((req, res) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (data += c));
      req.on('end', () => this.handle(req, res, data));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // ---- test controls ----

  /** Puts an object in the store as if someone had created it (no request recorded). */
  seed(o: KubeObject): KubeObject {
    return this.write(this.rtOf(o.kind), { ...structuredClone(o), metadata: { ...o.metadata } }, 'ADDED');
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(this.key(this.rtOf(kind), namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  list(kind: string, namespace?: string): KubeObject[] {
    const rt = this.rtOf(kind);
    return [...this.objects.values()].filter((o) => o.kind === rt.kind && (namespace === undefined || o.metadata.namespace === namespace));
  }

  /** The next `times` requests matching answer this Status instead. */
  fail(method: string, path: RegExp, body: Record<string, unknown>, times = 1): void {
    this.faults.push({ method, path, times, body });
  }

  /** Cuts every open watch connection, as a load balancer or an API server restart does. */
  dropWatches(): void {
    for (const w of this.watchers) w.res.socket?.destroy();
    this.watchers.clear();
    this.timeline.push('watches dropped');
  }

  /** Sends a BOOKMARK with the current resourceVersion on every open watch. */
  bookmark(): void {
    for (const w of this.watchers) this.send(w, rec.bookmarkEvent(w.rt.apiVersion, w.rt.kind, String(this.rv)));
  }

  /** Forgets history: a watch from a resourceVersion older than the current one gets 410 Expired. */
  compact(): void {
    this.compactedBefore = this.rv;
  }

  /** Sets a Deployment's status by hand (with autoReady off). */
  setDeploymentStatus(namespace: string, name: string, status: Record<string, unknown>): void {
    const d = this.get('Deployment', namespace, name);
    if (d) this.write(this.rtOf('Deployment'), { ...d, status }, 'MODIFIED');
  }

  /** The deployment controller does not roll out Deployment `name` (in any namespace) until allowRollout. */
  holdRollout(name: string): void {
    this.heldRollouts.add(name);
  }

  /** Lets Deployment `name` roll out (at once when it exists). */
  allowRollout(name: string): void {
    this.heldRollouts.delete(name);
    for (const d of [...this.objects.values()]) {
      if (d.kind === 'Deployment' && d.metadata.name === name) this.rollOut(d.metadata.namespace as string, name);
    }
  }

  /** No proxy ACKs a push until allowAcks: istiod keeps reporting them behind. */
  holdAcks(): void {
    this.acksHeld = true;
  }

  allowAcks(): void {
    this.acksHeld = false;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  // ---- the model ----

  private rtOf(kind: string): ResourceType {
    const rt = RESOURCES.find((r) => r.kind === kind);
    if (!rt) throw new Error(`fake: unknown kind ${kind}`);
    return rt;
  }

  private key(rt: ResourceType, ns: string | undefined, name: string): string {
    return `${rt.plural}/${rt.namespaced ? (ns ?? '') : ''}/${name}`;
  }

  private resourceName(rt: ResourceType): string {
    const group = rt.apiVersion.includes('/') ? rt.apiVersion.split('/')[0] : '';
    return group ? `${rt.plural}.${group}` : rt.plural;
  }

  private write(rt: ResourceType, o: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    o.apiVersion = rt.apiVersion;
    o.kind = rt.kind;
    o.metadata.resourceVersion = String(++this.rv);
    if (type === 'ADDED') {
      o.metadata.uid ??= randomUUID();
      o.metadata.generation = 1;
      o.metadata.creationTimestamp = new Date().toISOString();
    }
    this.objects.set(this.key(rt, o.metadata.namespace, o.metadata.name), o);
    this.emit({ rv: this.rv, type, rt, object: structuredClone(o) });
    this.react(rt, o, type);
    return structuredClone(o);
  }

  private remove(rt: ResourceType, o: KubeObject): void {
    this.objects.delete(this.key(rt, o.metadata.namespace, o.metadata.name));
    const gone = structuredClone(o);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, type: 'DELETED', rt, object: gone });
    this.timeline.push(`delete ${rt.kind} ${o.metadata.name}`);
    if (rt.kind === 'Deployment') {
      setTimeout(() => {
        for (const p of this.list('Pod', o.metadata.namespace)) {
          if (p.metadata.labels?.['fake/deployment'] === o.metadata.name) this.remove(this.rtOf('Pod'), p);
        }
      }, this.opts.readyDelayMs ?? 20);
    }
    if (['VirtualService', 'DestinationRule'].includes(rt.kind)) this.pushConfig();
    // The garbage collector: what this object owned goes with it.
    for (const other of [...this.objects.values()]) {
      if (other.metadata.ownerReferences?.some((r) => r.uid === o.metadata.uid)) this.remove(this.rtOf(other.kind), other);
    }
  }

  private emit(e: HistoryEvent): void {
    this.history.push(e);
    for (const w of this.watchers) {
      if (w.rt.plural === e.rt.plural && (w.namespace === undefined || w.namespace === e.object.metadata.namespace) && matches(e.object.metadata.labels, w.selector)) {
        this.send(w, { type: e.type, object: e.object });
      }
    }
  }

  private send(w: Watcher, event: unknown): void {
    w.res.write(`${JSON.stringify(event)}\n`);
  }

  /** What the cluster's controllers do in response: pods and readiness, CRDs established, istiod pushes. */
  private react(rt: ResourceType, o: KubeObject, type: 'ADDED' | 'MODIFIED'): void {
    if (rt.kind === 'VirtualService' || rt.kind === 'DestinationRule') this.pushConfig();
    if (rt.kind === 'CustomResourceDefinition' && !(o.status as { conditions?: unknown } | undefined)?.conditions) {
      setTimeout(() => {
        const cur = this.get(rt.kind, undefined, o.metadata.name);
        if (cur) this.write(rt, { ...cur, status: { conditions: [{ type: 'Established', status: 'True' }] } }, 'MODIFIED');
      }, 5);
    }
    if (rt.kind === 'Deployment' && this.opts.autoReady !== false && !this.heldRollouts.has(o.metadata.name) && (type === 'ADDED' || (o.status as { observedGeneration?: number } | undefined)?.observedGeneration !== o.metadata.generation)) {
      setTimeout(() => this.rollOut(o.metadata.namespace as string, o.metadata.name), this.opts.readyDelayMs ?? 20);
    }
  }

  private rollOut(ns: string, name: string): void {
    const d = this.get('Deployment', ns, name);
    if (!d) return;
    const spec = d.spec as { replicas?: number; template?: { metadata?: { labels?: Record<string, string> } } };
    const replicas = spec.replicas ?? 1;
    const existing = this.list('Pod', ns).filter((p) => p.metadata.labels?.['fake/deployment'] === name);
    for (let i = existing.length; i < replicas; i++) {
      const labels = { ...spec.template?.metadata?.labels, 'fake/deployment': name };
      this.write(this.rtOf('Pod'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-${i}`, namespace: ns, labels }, spec: {}, status: { phase: 'Running' } }, 'ADDED');
      this.proxies.push(`${name}-${i}.${ns}`);
    }
    this.write(this.rtOf('Deployment'), { ...d, status: { observedGeneration: d.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas } }, 'MODIFIED');
    this.timeline.push(`ready Deployment ${name}`);
  }

  private pushConfig(): void {
    this.push++;
    for (const p of this.proxies) {
      const st = this.proxyState.get(p) ?? { sent: '', acked: '', wait: 0 };
      st.sent = `${this.push}-${randomUUID().slice(0, 8)}`;
      st.wait = this.opts.ackAfterPolls ?? 1;
      this.proxyState.set(p, st);
    }
  }

  private syncz(): unknown[] {
    return this.proxies.map((p) => {
      const st = this.proxyState.get(p) ?? { sent: '', acked: '', wait: 0 };
      if (!this.acksHeld && st.wait > 0 && --st.wait === 0) st.acked = st.sent;
      this.proxyState.set(p, st);
      return rec.syncStatus(p, st.sent, st.acked, p.startsWith('istio-ingressgateway') ? 'router' : 'sidecar');
    });
  }

  // ---- HTTP ----

  private reply(res: http.ServerResponse, r: RecordedRequest, status: number, body: unknown): void {
    r.status = status;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private violation(r: RecordedRequest, what: string): void {
    this.violations.push(`${r.method} ${r.path}: ${what}`);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, data: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const r: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    const ct = req.headers['content-type'];
    if (ct) r.contentType = ct;
    if (data) {
      try {
        r.body = ct === 'application/apply-patch+yaml' ? parse(data) : JSON.parse(data);
      } catch {
        this.violation(r, 'body is neither JSON nor YAML');
      }
    }
    this.log.push(r);
    if (!String(req.headers.accept ?? '').includes('application/json')) this.violation(r, `accept ${String(req.headers.accept)}: the engine reads JSON`);
    const fault = this.faults.find((f) => f.method === r.method && f.path.test(r.path) && f.times > 0);
    if (fault) {
      fault.times--;
      this.timeline.push(`fault ${r.method} ${r.path} ${String(fault.body.code)}`);
      return this.reply(res, r, fault.body.code as number, fault.body);
    }
    if (r.path === '/api/v1/namespaces/istio-system/services/istiod:15014/proxy/debug/syncz') {
      if (this.opts.istiod === false) return this.reply(res, r, 503, rec.noEndpoints('istiod:15014'));
      const body = this.syncz();
      if (body.every((s) => (s as { route_sent: string; route_acked: string }).route_sent === (s as { route_acked: string }).route_acked)) this.timeline.push('istiod: in sync');
      return this.reply(res, r, 200, body);
    }
    const target = this.route(r);
    if (!target) {
      this.violation(r, 'no such API path');
      return this.reply(res, r, 404, rec.status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    const { rt, namespace, name, sub } = target;
    if (r.method !== 'GET' && rt.apiVersion.startsWith('graymesh.dev/') && !this.get('CustomResourceDefinition', undefined, this.resourceName(rt))) {
      this.violation(r, `${rt.kind} written before its CustomResourceDefinition ${this.resourceName(rt)} was installed`);
    }
    switch (r.method) {
      case 'GET':
        if (name === undefined && (r.query.watch === '1' || r.query.watch === 'true')) return this.watch(r, res, rt, namespace);
        if (name === undefined) {
          const items = this.list(rt.kind, namespace).filter((o) => matches(o.metadata.labels, r.query.labelSelector));
          return this.reply(res, r, 200, { apiVersion: rt.apiVersion, kind: `${rt.kind}List`, metadata: { resourceVersion: String(this.rv) }, items: items.map((o) => { const { apiVersion: _a, kind: _k, ...rest } = o; return rest; }) });
        }
        return this.getOne(r, res, rt, namespace, name);
      case 'POST':
        return this.create(r, res, rt, namespace);
      case 'PUT':
        return this.replace(r, res, rt, namespace, name as string, sub);
      case 'PATCH':
        return this.patch(r, res, rt, namespace, name as string, sub);
      case 'DELETE':
        return this.del(r, res, rt, namespace, name as string);
      default:
        this.violation(r, 'unexpected verb');
        return this.reply(res, r, 405, rec.status(405, 'MethodNotAllowed', 'method not allowed'));
    }
  }

  private route(r: RecordedRequest): { rt: ResourceType; namespace?: string; name?: string; sub?: string } | undefined {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))\/(.*)$/.exec(r.path);
    if (!m) return undefined;
    const apiVersion = (m[1] ?? m[2]) as string;
    const segs = (m[3] as string).split('/').map(decodeURIComponent);
    let namespace: string | undefined;
    if (segs[0] === 'namespaces' && segs.length >= 3) {
      namespace = segs[1];
      segs.splice(0, 2);
    }
    const rt = RESOURCES.find((x) => x.plural === segs[0] && x.apiVersion === apiVersion);
    if (!rt) return undefined;
    if (rt.namespaced === false && namespace !== undefined) return undefined;
    return { rt, ...(namespace !== undefined ? { namespace } : {}), ...(segs[1] ? { name: segs[1] } : {}), ...(segs[2] ? { sub: segs[2] } : {}) };
  }

  private getOne(r: RecordedRequest, res: http.ServerResponse, rt: ResourceType, ns: string | undefined, name: string): void {
    const o = this.get(rt.kind, ns, name);
    if (!o) return this.reply(res, r, 404, rec.notFound(this.resourceName(rt), name));
    return this.reply(res, r, 200, o);
  }

  private create(r: RecordedRequest, res: http.ServerResponse, rt: ResourceType, ns: string | undefined): void {
    const body = r.body as KubeObject;
    if (this.get(rt.kind, ns, body.metadata.name)) return this.reply(res, r, 409, rec.alreadyExists(this.resourceName(rt), body.metadata.name));
    const { status: _s, ...rest } = body;
    this.timeline.push(`create ${rt.kind} ${body.metadata.name}`);
    return this.reply(res, r, 201, this.write(rt, { ...rest, metadata: { ...body.metadata, ...(ns ? { namespace: ns } : {}) } }, 'ADDED'));
  }

  private replace(r: RecordedRequest, res: http.ServerResponse, rt: ResourceType, ns: string | undefined, name: string, sub: string | undefined): void {
    const body = r.body as KubeObject;
    const cur = this.get(rt.kind, ns, name);
    if (!cur) return this.reply(res, r, 404, rec.notFound(this.resourceName(rt), name));
    if (!body.metadata.resourceVersion) this.violation(r, 'PUT without metadata.resourceVersion: a lost update is possible');
    if (body.metadata.resourceVersion && body.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      return this.reply(res, r, 409, rec.conflict(this.resourceName(rt), name));
    }
    let next: KubeObject;
    if (sub === 'status') {
      next = { ...cur, status: body.status };
    } else {
      next = { ...cur, metadata: { ...cur.metadata, labels: body.metadata.labels, annotations: body.metadata.annotations }, spec: body.spec } as KubeObject;
      if (JSON.stringify(body.spec) !== JSON.stringify(cur.spec)) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    }
    if (JSON.stringify(next) === JSON.stringify(cur)) return this.reply(res, r, 200, cur);
    this.timeline.push(`${sub === 'status' ? 'status' : 'update'} ${rt.kind} ${name}${sub === 'status' ? ` ${String((body.status as { phase?: string } | undefined)?.phase)}` : ''}`);
    return this.reply(res, r, 200, this.write(rt, next, 'MODIFIED'));
  }

  private patch(r: RecordedRequest, res: http.ServerResponse, rt: ResourceType, ns: string | undefined, name: string, sub: string | undefined): void {
    const cur = this.get(rt.kind, ns, name);
    if (r.contentType === 'application/apply-patch+yaml') {
      if (r.query.fieldManager !== 'graymesh') this.violation(r, `server-side apply with fieldManager=${r.query.fieldManager}; graymesh applies as fieldManager=graymesh`);
      const body = r.body as KubeObject;
      if (body.apiVersion !== rt.apiVersion || body.kind !== rt.kind) this.violation(r, `applied ${body.apiVersion} ${body.kind} at the path of ${rt.apiVersion} ${rt.kind}`);
      if (body.metadata?.name !== name) this.violation(r, `applied metadata.name ${body.metadata?.name} at the path of ${name}`);
      for (const f of SERVER_SET) if ((body.metadata as unknown as Record<string, unknown>)[f] !== undefined) this.violation(r, `applied configuration sets metadata.${f}, which only the server sets`);
      if (body.status !== undefined && sub !== 'status') this.violation(r, 'applied configuration sets status outside the status subresource');
      if (!cur) {
        const { status: _s, ...rest } = body;
        this.timeline.push(`apply ${rt.kind} ${name}${describe(body)}`);
        return this.reply(res, r, 201, this.write(rt, { ...rest, metadata: { ...rest.metadata, ...(ns ? { namespace: ns } : {}) } }, 'ADDED'));
      }
      const next = structuredClone(cur);
      for (const f of ['labels', 'annotations', 'ownerReferences'] as const) {
        if (body.metadata[f] === undefined) delete next.metadata[f];
        else (next.metadata as unknown as Record<string, unknown>)[f] = body.metadata[f];
      }
      for (const [k, v] of Object.entries(body)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) next[k] = v;
      if (JSON.stringify(next) === JSON.stringify(cur)) return this.reply(res, r, 200, cur);
      if (JSON.stringify(next.spec) !== JSON.stringify(cur.spec)) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
      this.timeline.push(`apply ${rt.kind} ${name}${describe(body)}`);
      return this.reply(res, r, 200, this.write(rt, next, 'MODIFIED'));
    }
    if (r.contentType === 'application/merge-patch+json') {
      if (!cur) return this.reply(res, r, 404, rec.notFound(this.resourceName(rt), name));
      const next = mergePatch(cur, r.body) as KubeObject;
      this.timeline.push(`patch ${rt.kind} ${name} ${JSON.stringify(r.body)}`);
      return this.reply(res, r, 200, this.write(rt, next, 'MODIFIED'));
    }
    this.violation(r, `PATCH with content type ${String(r.contentType)}`);
    return this.reply(res, r, 415, rec.unsupportedMediaType(String(r.contentType)));
  }

  private del(r: RecordedRequest, res: http.ServerResponse, rt: ResourceType, ns: string | undefined, name: string): void {
    const cur = this.get(rt.kind, ns, name);
    if (!cur) return this.reply(res, r, 404, rec.notFound(this.resourceName(rt), name));
    this.remove(rt, cur);
    return this.reply(res, r, 200, rec.status(200, '', '', { name, kind: rt.plural, uid: cur.metadata.uid }));
  }

  private watch(r: RecordedRequest, res: http.ServerResponse, rt: ResourceType, ns: string | undefined): void {
    r.status = 200;
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const w: Watcher = { rt, res, ...(ns !== undefined ? { namespace: ns } : {}), ...(r.query.labelSelector ? { selector: r.query.labelSelector } : {}) };
    if (r.query.allowWatchBookmarks !== 'true') this.violation(r, 'watch without allowWatchBookmarks=true: resuming after a quiet period may need a relist');
    const from = Number(r.query.resourceVersion ?? '0');
    if (!r.query.resourceVersion) this.violation(r, 'watch without a resourceVersion: events between the list and the watch are lost');
    if (from < this.compactedBefore) {
      this.timeline.push(`watch ${rt.plural} from ${from}: 410 Expired`);
      this.send(w, rec.expiredEvent(String(from), this.compactedBefore));
      res.end();
      return;
    }
    this.timeline.push(`watch ${rt.plural} from ${from}`);
    for (const e of this.history) {
      if (e.rv > from && e.rt.plural === rt.plural && (ns === undefined || e.object.metadata.namespace === ns) && matches(e.object.metadata.labels, w.selector)) {
        this.send(w, { type: e.type, object: e.object });
      }
    }
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }
}

/** How the timeline shows an applied object: a VirtualService's stage and weights, a DestinationRule's subsets. */
function describe(o: KubeObject): string {
  if (o.kind === 'VirtualService') {
    const http = ((o.spec as { http?: { route?: { destination: { subset?: string }; weight?: number }[] }[] }).http ?? []);
    const routes = http.flatMap((h) => h.route ?? []).map((d) => `${d.destination.subset ?? '*'}=${d.weight ?? 100}`);
    const stage = o.metadata.annotations?.['graymesh.dev/stage'];
    return `${stage ? ` [${stage}]` : ''} ${routes.join(',')}${o.metadata.ownerReferences ? ' owned' : ''}`;
  }
  if (o.kind === 'DestinationRule') {
    const subsets = ((o.spec as { subsets?: { name: string }[] }).subsets ?? []).map((s) => s.name);
    return ` subsets=${subsets.join(',')}${o.metadata.ownerReferences ? ' owned' : ''}`;
  }
  if (o.kind === 'Deployment') return o.metadata.ownerReferences ? ' owned' : '';
  return '';
}
