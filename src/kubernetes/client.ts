/**
 * A small client of the Kubernetes API: the calls the engine makes and nothing else, so the
 * contract the tests record (paths, verbs, content types, query parameters, watch streams) is
 * this file's. Server-side apply is a PATCH with `application/apply-patch+yaml` and a field
 * manager (https://kubernetes.io/docs/reference/using-api/server-side-apply/); JSON is YAML, so
 * the body is JSON. Watches are newline-delimited JSON events
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes).
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { KubeObject } from '../api/objects.js';
import { ExecCredentialCache } from './exec-credential.js';
import type { ClusterConnection } from './kubeconfig.js';
import { KubeApiError, statusError } from './kube-errors.js';
import { collectionPath, objectPath, resourceOf, type ResourceType } from './resources.js';
import { readFileSync } from 'node:fs';

export const FIELD_MANAGER = 'graymesh';
export const APPLY_PATCH = 'application/apply-patch+yaml';
export const MERGE_PATCH = 'application/merge-patch+json';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[];
  resourceVersion: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface WatchOptions extends ListOptions {
  resourceVersion: string;
  /** The server ends the watch after this long (it is then resumed from the last resourceVersion). */
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface ApplyOptions {
  /** Take fields another manager owns (graymesh's own objects); false: 409 on a conflict. */
  force?: boolean;
  subresource?: string;
}

export interface DeleteOptions {
  /** Background (default), Foreground or Orphan: what happens to the objects it owns. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
}

/** How the client reaches the API server; the tests give a plain http:// server. */
export class KubeClient {
  private readonly dispatcher: Dispatcher;
  private certAgent: { cert: string; agent: Agent } | undefined;
  private readonly exec: ExecCredentialCache | undefined;

  constructor(readonly conn: ClusterConnection) {
    this.dispatcher = this.agent(conn.cert, conn.key);
    this.exec = conn.exec ? new ExecCredentialCache(conn.exec) : undefined;
  }

  private agent(cert: string | undefined, key: string | undefined): Agent {
    const tls: Record<string, unknown> = {};
    if (this.conn.ca) tls.ca = this.conn.ca;
    if (cert && key) Object.assign(tls, { cert, key });
    if (this.conn.insecureSkipTlsVerify) tls.rejectUnauthorized = false;
    if (this.conn.tlsServerName) tls.servername = this.conn.tlsServerName;
    // Watches stay open for minutes: no body timeout; headers must come quickly.
    return new Agent({ connect: tls, bodyTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 30_000 });
  }

  close(): Promise<void> {
    return Promise.all([this.dispatcher.close(), this.certAgent?.agent.close()]).then(() => undefined);
  }

  private async auth(): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher }> {
    const headers: Record<string, string> = {};
    let dispatcher = this.dispatcher;
    if (this.exec) {
      const cred = await this.exec.get();
      if (cred.token) headers.authorization = `Bearer ${cred.token}`;
      if (cred.cert && cred.key) {
        if (this.certAgent?.cert !== cred.cert) {
          void this.certAgent?.agent.close();
          this.certAgent = { cert: cred.cert, agent: this.agent(cred.cert, cred.key) };
        }
        dispatcher = this.certAgent.agent;
      }
    } else if (this.conn.tokenFile) {
      headers.authorization = `Bearer ${readFileSync(this.conn.tokenFile, 'utf8').trim()}`;
    } else if (this.conn.token) {
      headers.authorization = `Bearer ${this.conn.token}`;
    } else if (this.conn.username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.conn.username}:${this.conn.password ?? ''}`).toString('base64')}`;
    }
    return { headers, dispatcher };
  }

  /** One request; a non-2xx answer becomes a KubeApiError built from the Status body. */
  async raw(
    method: string,
    path: string,
    opts: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string; signal?: AbortSignal; accept?: string } = {},
  ): Promise<Dispatcher.ResponseData> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) q.set(k, v);
    const url = `${this.conn.server}${path}${q.size > 0 ? `?${q.toString()}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      const { headers, dispatcher } = await this.auth();
      headers.accept = opts.accept ?? 'application/json';
      if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method: method as Dispatcher.HttpMethod,
          headers,
          dispatcher,
          ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      } catch (err) {
        throw new KubeApiError(0, 'ServiceUnavailable', `cannot reach the API server at ${this.conn.server} (${(err as { code?: string }).code ?? (err as Error).message})`);
      }
      if (res.statusCode === 401 && this.exec && attempt === 0) {
        // An exec credential may have been revoked before its expiry: fetch a new one once.
        await res.body.dump();
        this.exec.invalidate();
        continue;
      }
      if (res.statusCode >= 300) throw await statusError(res.statusCode, await res.body.text(), `${method} ${path}`);
      return res;
    }
  }

  private async json<T>(method: string, path: string, opts: Parameters<KubeClient['raw']>[2] = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    return (await res.body.json()) as T;
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.json<T>('GET', objectPath(resourceOf(kind), namespace, name));
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject = KubeObject>(kind: string, namespace?: string, opts: ListOptions = {}): Promise<ListResult<T>> {
    const rt = resourceOf(kind);
    const body = await this.json<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', collectionPath(rt, namespace), {
      query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
    });
    // Items of a list carry no apiVersion and kind of their own; put them back.
    const items = (body.items ?? []).map((o) => ({ ...o, apiVersion: rt.apiVersion, kind: rt.kind }));
    return { items, resourceVersion: body.metadata?.resourceVersion ?? '' };
  }

  async create<T extends KubeObject>(obj: T): Promise<T> {
    const rt = resourceOf(obj.kind);
    return this.json<T>('POST', collectionPath(rt, obj.metadata.namespace), { body: obj, query: { fieldManager: FIELD_MANAGER } });
  }

  /** PUT: fails with 409 when metadata.resourceVersion is stale. */
  async replace<T extends KubeObject>(obj: T, subresource?: string): Promise<T> {
    const rt = resourceOf(obj.kind);
    return this.json<T>('PUT', objectPath(rt, obj.metadata.namespace, obj.metadata.name, subresource), { body: obj, query: { fieldManager: FIELD_MANAGER } });
  }

  /** Server-side apply of the fields graymesh manages. */
  async apply<T extends KubeObject>(obj: T, opts: ApplyOptions = {}): Promise<T> {
    const rt = resourceOf(obj.kind);
    const body = { ...obj, apiVersion: rt.apiVersion };
    return this.json<T>('PATCH', objectPath(rt, obj.metadata.namespace, obj.metadata.name, opts.subresource), {
      body,
      contentType: APPLY_PATCH,
      query: { fieldManager: FIELD_MANAGER, force: opts.force === false ? undefined : 'true' },
    });
  }

  /** JSON merge patch (RFC 7386): null removes a field. */
  async mergePatch<T extends KubeObject>(kind: string, namespace: string | undefined, name: string, patch: unknown, subresource?: string): Promise<T> {
    return this.json<T>('PATCH', objectPath(resourceOf(kind), namespace, name, subresource), {
      body: patch,
      contentType: MERGE_PATCH,
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  /** Deletes; true when it existed. */
  async delete(kind: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<boolean> {
    try {
      const res = await this.raw('DELETE', objectPath(resourceOf(kind), namespace, name), {
        body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: opts.propagationPolicy ?? 'Background' },
      });
      await res.body.dump();
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }

  /**
   * One watch connection: calls onEvent for each event until the server ends the stream, the
   * connection drops (both resolve: resume from the last resourceVersion), or signal aborts.
   * Rejects with a 410 KubeApiError when the resourceVersion is too old.
   */
  async watch(rt: ResourceType, namespace: string | undefined, opts: WatchOptions, onEvent: (e: WatchEvent) => void): Promise<void> {
    const res = await this.raw('GET', collectionPath(rt, namespace), {
      query: {
        watch: '1',
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(opts.timeoutSeconds ?? 300),
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += (chunk as Buffer).toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line !== '') onEvent(JSON.parse(line) as WatchEvent);
        }
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      // A dropped connection ends the watch like a server timeout: the caller resumes.
      if (err instanceof SyntaxError || err instanceof KubeApiError) throw err;
    }
  }
}
