/**
 * Reading a kubeconfig as kubectl does (https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/):
 * KUBECONFIG may list several files, merged with the first file's entries winning; paths in a
 * file are relative to that file; `*-data` fields are base64. Without a kubeconfig, a process in
 * a pod uses its service account (in-cluster config).
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { invalid } from '../api/errors.js';

/** A client-go exec credential plugin (client.authentication.k8s.io). */
export interface ExecConfig {
  apiVersion: string;
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  /** The kubeconfig's directory: a relative command runs from there. */
  dir: string;
}

/** Everything needed to reach one cluster as one user. */
export interface ClusterConnection {
  /** The context's name (or `in-cluster`). */
  context: string;
  /** https://host:port of the API server. */
  server: string;
  /** PEM of the certificate authority, when the cluster has its own. */
  ca?: string;
  insecureSkipTlsVerify?: boolean;
  /** SNI and certificate name to expect, when not the server's host. */
  tlsServerName?: string;
  /** Client certificate and key (PEM). */
  cert?: string;
  key?: string;
  token?: string;
  /** A token file re-read on every request (bound service account tokens rotate). */
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  /** The context's default namespace. */
  namespace: string;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}

interface RawConfig {
  clusters: Map<string, Record<string, unknown> & { dir: string }>;
  users: Map<string, Record<string, unknown> & { dir: string }>;
  contexts: Map<string, Record<string, unknown>>;
  currentContext?: string;
}

const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function readFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(`${what}: cannot read ${file} (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
}

function mergeInto(raw: RawConfig, file: string): void {
  const doc = (parse(readFile(file, 'kubeconfig')) ?? {}) as Record<string, unknown>;
  const dir = path.dirname(path.resolve(file));
  const entries = (key: string, inner: string): [string, Record<string, unknown>][] =>
    ((doc[key] as Named<unknown>[] | undefined) ?? [])
      .filter((e) => e && typeof e.name === 'string')
      .map((e) => [e.name, ((e as Record<string, unknown>)[inner] ?? {}) as Record<string, unknown>]);
  for (const [name, v] of entries('clusters', 'cluster')) if (!raw.clusters.has(name)) raw.clusters.set(name, { ...v, dir });
  for (const [name, v] of entries('users', 'user')) if (!raw.users.has(name)) raw.users.set(name, { ...v, dir });
  for (const [name, v] of entries('contexts', 'context')) if (!raw.contexts.has(name)) raw.contexts.set(name, v);
  const cur = doc['current-context'];
  if (raw.currentContext === undefined && typeof cur === 'string' && cur !== '') raw.currentContext = cur;
}

/** PEM from `X-data` (base64) or the file `X` (relative to the kubeconfig). */
function pem(entry: Record<string, unknown> & { dir: string }, key: string, what: string): string | undefined {
  const data = entry[`${key}-data`];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  const file = entry[key];
  if (typeof file === 'string' && file !== '') return readFile(path.resolve(entry.dir, file), what);
  return undefined;
}

/** The kubeconfig files kubectl would read: --kubeconfig, else $KUBECONFIG (a path list), else ~/.kube/config. */
export function kubeconfigFiles(file: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (file) return [file];
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  if (list.length > 0) return list.filter((f) => existsSync(f));
  const home = path.join(env.HOME ?? os.homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

/** The in-cluster connection of a process in a pod, or undefined outside one. */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env, dir = IN_CLUSTER_DIR): ClusterConnection | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port || !existsSync(path.join(dir, 'token'))) return undefined;
  const nsFile = path.join(dir, 'namespace');
  return {
    context: 'in-cluster',
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFile(path.join(dir, 'ca.crt'), 'in-cluster config'),
    tokenFile: path.join(dir, 'token'),
    namespace: existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : 'default',
  };
}

/**
 * The connection for a context (default: the current one) of the kubeconfig kubectl would use,
 * or the in-cluster one when there is no kubeconfig.
 */
export function loadKubeconfig(opts: { file?: string; context?: string; env?: NodeJS.ProcessEnv } = {}): ClusterConnection {
  const env = opts.env ?? process.env;
  const files = kubeconfigFiles(opts.file, env);
  if (files.length === 0) {
    const inCluster = inClusterConnection(env);
    if (inCluster && !opts.context) return inCluster;
    throw invalid('no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config (kubectl config view shows what kubectl uses)');
  }
  const raw: RawConfig = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const f of files) mergeInto(raw, f);
  const name = opts.context ?? raw.currentContext;
  const where = files.join(path.delimiter);
  if (!name) throw invalid(`${where}: no current-context; pass --context NAME (one of ${[...raw.contexts.keys()].join(', ') || 'none'})`);
  const ctx = raw.contexts.get(name);
  if (!ctx) throw invalid(`${where}: no context "${name}"; the contexts are ${[...raw.contexts.keys()].join(', ') || 'none'}`);
  const cluster = raw.clusters.get(String(ctx.cluster ?? ''));
  if (!cluster || typeof cluster.server !== 'string') throw invalid(`${where}: context ${name}: cluster "${String(ctx.cluster ?? '')}" is missing or has no server`);
  const user = raw.users.get(String(ctx.user ?? '')) ?? { dir: cluster.dir };
  const conn: ClusterConnection = {
    context: name,
    server: cluster.server.replace(/\/$/, ''),
    namespace: typeof ctx.namespace === 'string' && ctx.namespace !== '' ? ctx.namespace : 'default',
  };
  const ca = pem(cluster, 'certificate-authority', `context ${name}: certificate-authority`);
  if (ca) conn.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) conn.insecureSkipTlsVerify = true;
  if (typeof cluster['tls-server-name'] === 'string') conn.tlsServerName = cluster['tls-server-name'];
  const cert = pem(user, 'client-certificate', `context ${name}: client-certificate`);
  const key = pem(user, 'client-key', `context ${name}: client-key`);
  if (cert) conn.cert = cert;
  if (key) conn.key = key;
  if (typeof user.token === 'string' && user.token !== '') conn.token = user.token;
  if (typeof user.tokenFile === 'string' && user.tokenFile !== '') conn.tokenFile = path.resolve(user.dir, user.tokenFile);
  if (typeof user.username === 'string') conn.username = user.username;
  if (typeof user.password === 'string') conn.password = user.password;
  const exec = user.exec as Partial<ExecConfig> | undefined;
  if (exec && typeof exec.command === 'string') {
    conn.exec = { apiVersion: exec.apiVersion ?? 'client.authentication.k8s.io/v1', command: exec.command, args: exec.args ?? [], env: exec.env ?? [], dir: user.dir };
  }
  if (user['auth-provider']) {
    throw invalid(`context ${name}: user "${String(ctx.user)}" uses an auth-provider, which graymesh does not run; use an exec credential plugin (e.g. kubelogin, gke-gcloud-auth-plugin) instead`);
  }
  return conn;
}
