/** `get`, `apply`, `delete`, `deploy`, `logs`, `status` and `project`: thin shells over the REST API. */
import { invalid, notFound, GmError } from '../../api/errors.js';
import { kindByName } from '../../api/kinds.js';
import { dns1123LabelError } from '../../api/names.js';
import type { Deployment, KubeObject, Pod, ReplicaSet, Service } from '../../api/objects.js';
import { ALLOW_ROUTES_ANNOTATION, GOVERNANCE_ANNOTATION, outboundPolicyOf, parseProjectList } from '../../api/objects.js';
import { ApiClient } from '../client.js';
import { readManifests } from '../manifests.js';
import { age, parseFormat, printData, printTable, type Format } from '../output.js';

interface ApplyResponse {
  results: { kind: string; name: string; namespace?: string; action: string }[];
  warnings: string[];
}

const enc = encodeURIComponent;

function reportApply(r: ApplyResponse): void {
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const x of r.results) {
    process.stdout.write(`${x.kind.toLowerCase()}/${x.name}${x.namespace ? ` (${x.namespace})` : ''} ${x.action}\n`);
  }
}

export async function applyCmd(client: ApiClient, file: string, project: string | undefined, dryRun: boolean): Promise<number> {
  const objects = readManifests(file);
  if (objects.length === 0) throw invalid(`${file === '-' ? 'stdin' : file}: no objects to apply`);
  reportApply(await client.post<ApplyResponse>('/api/v1/apply', { objects, project, dryRun }));
  return 0;
}

export async function deleteFileCmd(client: ApiClient, file: string, project: string | undefined, ignoreNotFound: boolean): Promise<number> {
  const objects = readManifests(file);
  reportApply(await client.post<ApplyResponse>('/api/v1/delete', { objects, project, ignoreNotFound }));
  return 0;
}

export async function deleteNamedCmd(client: ApiClient, resource: string, name: string, project: string | undefined): Promise<number> {
  const kind = kindByName(resource);
  if (!kind) throw invalid(`unknown resource type "${resource}"; use app, workload, service, vs, dr, gw, se or project`);
  if (kind.kind === 'Namespace') {
    await client.request('DELETE', `/api/v1/projects/${enc(name)}`);
  } else {
    if (!project) throw invalid(`${kind.kind} ${name}: which project? pass -p PROJECT`);
    await client.request('DELETE', `/api/v1/projects/${enc(project)}/${kind.plural}/${enc(name)}`);
  }
  process.stdout.write(`${kind.kind.toLowerCase()}/${name} deleted\n`);
  return 0;
}

export async function deployCmd(client: ApiClient, sample: string, project: string, allVersions: boolean): Promise<number> {
  const r = await client.post<ApplyResponse>(`/api/v1/projects/${enc(project)}/samples/${enc(sample)}`, { allVersions });
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  const names = r.results.filter((x) => x.kind === 'Deployment').map((x) => x.name);
  const tty = process.stderr.isTTY;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const deps = (await client.get<{ items: Deployment[] }>(`/api/v1/projects/${enc(project)}/deployments`)).items.filter((d) =>
      names.includes(d.metadata.name),
    );
    const ready = deps.filter((d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1));
    if (tty) process.stderr.write(`\r${sample}: ${ready.length}/${names.length} workloads ready`);
    if (ready.length === names.length) break;
    if (Date.now() > deadline) {
      const waiting = deps.filter((d) => !ready.includes(d)).map((d) => d.metadata.name);
      throw new GmError('GM_ERR_TIMEOUT', 504, `${sample}: not ready after 180 s: ${waiting.join(', ')}; see graymesh get pods -p ${project} and graymesh logs`);
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  if (tty) process.stderr.write('\n');
  await client.get('/api/v1/config/wait');
  process.stdout.write(`${sample} deployed into project ${project}: ${names.length} workloads ready\n`);
  return 0;
}

export async function logsCmd(client: ApiClient, target: string, project: string, tail: number | undefined, proxy = false): Promise<number> {
  const q = tail !== undefined ? `?tail=${tail}` : '';
  let text: string;
  if (proxy) {
    text = await client.request<string>('GET', `/api/v1/projects/${enc(project)}/pods/${enc(target)}/proxy-log${q}`, undefined, { text: true });
    process.stdout.write(text);
    return 0;
  }
  try {
    text = await client.request<string>('GET', `/api/v1/projects/${enc(project)}/pods/${enc(target)}/log${q}`, undefined, { text: true });
  } catch (err) {
    if (!(err instanceof GmError) || err.status !== 404 || /project .* not found/.test(err.message)) throw err;
    try {
      text = await client.request<string>('GET', `/api/v1/projects/${enc(project)}/deployments/${enc(target)}/log${q}`, undefined, { text: true });
    } catch (err2) {
      if (err2 instanceof GmError && err2.status === 404) throw notFound(`no pod or workload named ${target} in project ${project}`);
      throw err2;
    }
  }
  process.stdout.write(text);
  return 0;
}

interface ProxyRow {
  name: string;
  pid: number;
  status: string;
  restartCount: number;
  ackedVersion: number;
  current: boolean;
  connected: boolean;
  error?: string;
  lastExit?: string;
}

/** The STATUS column in words: what the proxy does for traffic now. */
function proxyState(p: ProxyRow, version: number): string {
  switch (p.status) {
    case 'Serving':
      return 'Serving';
    case 'Starting':
      return 'Starting (not yet enforcing the config)';
    case 'Dead':
      return `Dead (${p.lastExit ?? 'exited'}; restarting)`;
    default:
      if (!p.connected) return 'Stale (not connected; serving its last config)';
      return `Stale (at version ${p.ackedVersion} of ${version}${p.error ? `; refused: ${p.error}` : ''})`;
  }
}

export async function statusCmd(client: ApiClient, output: string | undefined): Promise<number> {
  const s = await client.get<{
    controlPlane: { url: string; healthy: boolean; pid: number };
    gateway: { url: string; tlsUrl?: string };
    proxies: ProxyRow[];
    configVersion: number;
  }>('/api/v1/status');
  const f = parseFormat(output);
  if (f === 'json' || f === 'yaml') {
    printData(s, f);
    return 0;
  }
  process.stdout.write(`control plane  ${s.controlPlane.url}  healthy  pid ${s.controlPlane.pid}\n`);
  process.stdout.write(`gateway        ${s.gateway.url}${s.gateway.tlsUrl ? `  tls ${s.gateway.tlsUrl}` : ''}\n`);
  process.stdout.write(`config         version ${s.configVersion}\n`);
  printTable(
    ['PROXY', 'PID', 'RESTARTS', 'ACKED', 'STATUS'],
    s.proxies.map((p) => [p.name, p.pid > 0 ? String(p.pid) : '-', String(p.restartCount), String(p.ackedVersion), proxyState(p, s.configVersion)]),
  );
  return 0;
}

export async function proxyRestartCmd(client: ApiClient): Promise<number> {
  const r = await client.post<{ from: number; to: number; version: number }>('/api/v1/proxies/restart', {});
  process.stdout.write(`node-proxy restarted: pid ${r.to} serves config version ${r.version}; pid ${r.from} drained and exited\n`);
  return 0;
}

export interface ProjectSettings {
  /** on or off. */
  governance?: string | undefined;
  /** Move to this workspace. */
  workspace?: string | undefined;
  /** Comma-separated projects whose traffic rules may name this project's hosts; '' or false lets none in. */
  allowRoutesFrom?: string | false | undefined;
  /** REGISTRY_ONLY or ALLOW_ANY. */
  outboundPolicy?: string | undefined;
}

export async function projectSetCmd(client: ApiClient, project: string, s: ProjectSettings): Promise<number> {
  const { governance, workspace } = s;
  const outbound = s.outboundPolicy?.toUpperCase();
  if (governance === undefined && workspace === undefined && s.allowRoutesFrom === undefined && outbound === undefined) {
    throw invalid('project set: name a setting: --governance on|off, --allow-routes-from P1,P2 (or --no-allow-routes-from), --outbound-policy REGISTRY_ONLY|ALLOW_ANY, or --workspace W');
  }
  if (governance !== undefined && governance !== 'on' && governance !== 'off') throw invalid('--governance: use on or off');
  if (outbound !== undefined && outbound !== 'REGISTRY_ONLY' && outbound !== 'ALLOW_ANY') {
    throw invalid(`--outbound-policy ${s.outboundPolicy}: use REGISTRY_ONLY (only hosts a ServiceEntry declares) or ALLOW_ANY (any host)`);
  }
  const allowed = s.allowRoutesFrom === undefined ? undefined : allowList(s.allowRoutesFrom);
  await client.request('PATCH', `/api/v1/projects/${enc(project)}`, {
    ...(governance !== undefined ? { governance: governance === 'on' } : {}),
    ...(allowed !== undefined ? { allowRoutesFrom: allowed } : {}),
    ...(outbound !== undefined ? { outboundPolicy: outbound } : {}),
    ...(workspace !== undefined ? { workspace } : {}),
  });
  if (governance !== undefined) process.stdout.write(`project ${project}: application governance ${governance}\n`);
  if (allowed !== undefined) {
    process.stdout.write(
      allowed.length > 0
        ? `project ${project}: lets the traffic rules of ${allowed.join(', ')} name its hosts and route to it\n`
        : `project ${project}: lets no other project's traffic rules in\n`,
    );
  }
  if (outbound === 'REGISTRY_ONLY') process.stdout.write(`project ${project}: outbound policy REGISTRY_ONLY: its workloads reach only hosts the mesh or a ServiceEntry declares\n`);
  if (outbound === 'ALLOW_ANY') process.stdout.write(`project ${project}: outbound policy ALLOW_ANY: its workloads reach any host\n`);
  if (workspace !== undefined) process.stdout.write(`project ${project}: in workspace ${workspace}\n`);
  return 0;
}

/** `--allow-routes-from a,b`: project names; '' and --no-allow-routes-from clear the list. */
function allowList(v: string | false): string[] {
  if (v === false) return [];
  const names = v.split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const n of names) {
    const err = dns1123LabelError(n);
    if (err) throw invalid(`--allow-routes-from: project name ${err}; list projects separated by commas, e.g. shop,payments`);
  }
  return names;
}

export async function projectCreateCmd(client: ApiClient, name: string, workspace?: string): Promise<number> {
  await client.post('/api/v1/projects', { name, ...(workspace !== undefined ? { workspace } : {}) });
  process.stdout.write(`project ${name} created${workspace !== undefined ? ` in workspace ${workspace}` : ''}\n`);
  return 0;
}

export async function getCmd(client: ApiClient, resource: string, name: string | undefined, project: string | undefined, output: string | undefined, showSecrets = false): Promise<number> {
  const kind = kindByName(resource);
  if (!kind) throw invalid(`unknown resource type "${resource}"; use projects, apps, workloads, replicasets, services, pods, vs, dr, gw or se`);
  const format = parseFormat(output);
  let items: KubeObject[];
  let single: KubeObject | undefined;
  if (kind.kind === 'Namespace') {
    if (name) single = await client.get<KubeObject>(`/api/v1/projects/${enc(name)}`);
    else items = (await client.get<{ items: KubeObject[] }>('/api/v1/projects')).items;
  } else {
    if (!project) throw invalid(`which project? pass -p PROJECT (graymesh get projects lists them)`);
    const base = `/api/v1/projects/${enc(project)}/${kind.plural}`;
    // A Secret's data comes only when asked for, and only to a project-admin.
    const query = showSecrets && kind.kind === 'Secret' ? '?showSecrets=true' : '';
    if (name) single = await client.get<KubeObject>(`${base}/${enc(name)}${query}`);
    else items = (await client.get<{ items: KubeObject[] }>(`${base}${query}`)).items;
  }
  if (format === 'json' || format === 'yaml') {
    printData(single ?? { items: items! }, format);
    return 0;
  }
  const list = single ? [single] : items!;
  if (list.length === 0) {
    process.stderr.write(`no ${kind.plural} found${project && kind.namespaced ? ` in project ${project}` : ''}\n`);
    return 0;
  }
  const apps = kind.kind === 'Application' ? await appSummary(client, project as string) : undefined;
  table(kind.kind, list, format, apps);
  return 0;
}

async function appSummary(client: ApiClient, project: string): Promise<{ deps: Deployment[]; svcs: Service[] }> {
  const base = `/api/v1/projects/${enc(project)}`;
  const [deps, svcs] = await Promise.all([
    client.get<{ items: Deployment[] }>(`${base}/deployments`),
    client.get<{ items: Service[] }>(`${base}/services`),
  ]);
  return { deps: deps.items, svcs: svcs.items };
}

function table(kind: string, list: KubeObject[], format: Format, apps?: { deps: Deployment[]; svcs: Service[] }): void {
  const wide = format === 'wide';
  switch (kind) {
    case 'Namespace':
      printTable(
        ['NAME', 'STATUS', 'GOVERNANCE', 'ALLOW-ROUTES-FROM', 'OUTBOUND-POLICY', 'AGE'],
        list.map((o) => [
          o.metadata.name,
          'Active',
          o.metadata.annotations?.[GOVERNANCE_ANNOTATION] === 'false' ? 'off' : 'on',
          parseProjectList(o.metadata.annotations?.[ALLOW_ROUTES_ANNOTATION]).join(',') || '-',
          outboundPolicyOf(o),
          age(o.metadata.creationTimestamp),
        ]),
      );
      return;
    case 'Application':
      printTable(
        ['NAME', 'SERVICES', 'WORKLOADS', 'READY', 'AGE'],
        list.map((o) => {
          const sel = (o.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels ?? {};
          const match = (x: KubeObject): boolean => Object.entries(sel).every(([k, v]) => x.metadata.labels?.[k] === v);
          const deps = apps?.deps.filter(match) ?? [];
          const ready = deps.filter((d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1)).length;
          return [o.metadata.name, String(apps?.svcs.filter(match).length ?? 0), String(deps.length), `${ready}/${deps.length}`, age(o.metadata.creationTimestamp)];
        }),
      );
      return;
    case 'Deployment':
      printTable(
        ['NAME', 'APP', 'VERSION', 'READY', 'IMAGE', 'AGE', ...(wide ? ['UP-TO-DATE'] : [])],
        (list as Deployment[]).map((d) => [
          d.metadata.name,
          d.metadata.labels?.app ?? '-',
          d.metadata.labels?.version ?? '-',
          `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
          d.spec?.template.spec.containers[0]?.image ?? '-',
          age(d.metadata.creationTimestamp),
          ...(wide ? [String(d.status?.updatedReplicas ?? 0)] : []),
        ]),
      );
      return;
    case 'ReplicaSet':
      printTable(
        ['NAME', 'DESIRED', 'CURRENT', 'READY', 'REVISION', 'AGE'],
        (list as ReplicaSet[]).map((rs) => [
          rs.metadata.name,
          String(rs.spec?.replicas ?? 0),
          String(rs.status?.replicas ?? 0),
          String(rs.status?.readyReplicas ?? 0),
          rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '-',
          age(rs.metadata.creationTimestamp),
        ]),
      );
      return;
    case 'Service':
      printTable(
        ['NAME', 'PORTS', 'SELECTOR', 'AGE'],
        (list as Service[]).map((s) => [
          s.metadata.name,
          (s.spec?.ports ?? []).map((p) => `${p.port}${p.name ? `/${p.name}` : ''}`).join(','),
          Object.entries(s.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
          age(s.metadata.creationTimestamp),
        ]),
      );
      return;
    case 'Pod':
      printTable(
        ['NAME', 'READY', 'STATUS', 'RESTARTS', 'PID', 'PORT', 'AGE', ...(wide ? ['VERSION', 'PROXY-PORT'] : [])],
        (list as Pod[]).map((p) => {
          const c = p.status?.containerStatuses?.[0];
          const terminating = p.metadata.deletionTimestamp !== undefined || p.metadata.annotations?.['graymesh.dev/terminating'] === 'true';
          return [
            p.metadata.name,
            c?.ready ? '1/1' : '0/1',
            terminating ? 'Terminating' : p.status?.phase ?? 'Pending',
            String(c?.restartCount ?? 0),
            String(p.status?.pid ?? '-'),
            String(p.status?.port ?? '-'),
            age(p.metadata.creationTimestamp),
            ...(wide ? [p.metadata.labels?.version ?? '-', String(p.status?.proxyPort ?? '-')] : []),
          ];
        }),
      );
      return;
    case 'Secret':
      printTable(
        ['NAME', 'TYPE', 'DATA', 'AGE'],
        list.map((o) => {
          const x = o as KubeObject & { type?: string; data?: Record<string, unknown> };
          return [o.metadata.name, x.type ?? 'Opaque', String(Object.keys(x.data ?? {}).length), age(o.metadata.creationTimestamp)];
        }),
      );
      return;
    default:
      printTable(
        ['NAME', 'HOSTS', 'AGE'],
        list.map((o) => [o.metadata.name, ((o.spec as { hosts?: string[]; host?: string } | undefined)?.hosts ?? [(o.spec as { host?: string } | undefined)?.host ?? '-']).join(','), age(o.metadata.creationTimestamp)]),
      );
  }
}
