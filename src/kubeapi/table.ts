/**
 * `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`: the columns `kubectl get` prints, as a
 * cluster's API server fills them (pods: Name, Ready, Status, Restarts, Age; deployments:
 * Ready, Up-to-date, Available, Age; replicasets: Desired, Current, Ready, Age; custom resources: their CRD's printer columns).
 * Columns of priority 1 are printed by `-o wide` only.
 */
import type { KubeObject } from '../api/objects.js';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number' | 'boolean';
  format: string;
  description: string;
  priority: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: Column[];
  rows: { cells: unknown[]; object: unknown }[];
}

type Cell = (o: KubeObject, now: number) => unknown;
interface ColumnDef {
  name: string;
  type?: Column['type'];
  wide?: boolean;
  cell: Cell;
}

/** kubectl's short ages: 45s, 3m20s, 2h5m, 3d4h, 400d, 2y30d. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  if (y < 8) return `${y}y${Math.floor((h / 24) % 365)}d`;
  return `${y}y`;
}

const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
const age: ColumnDef = {
  name: 'Age',
  cell: (o, now) => (o.metadata.creationTimestamp ? humanDuration(now - Date.parse(o.metadata.creationTimestamp)) : '<unknown>'),
};
const name: ColumnDef = { name: 'Name', cell: (o) => o.metadata.name };
const str = (label: string, path: string, wide = false): ColumnDef => ({
  name: label,
  wide,
  cell: (o) => {
    const v = get(o, path);
    if (v === undefined || v === null) return '';
    return Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  },
});
const int = (label: string, f: (o: KubeObject) => number): ColumnDef => ({ name: label, type: 'integer', cell: (o) => f(o) });

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}
const containerStatuses = (o: KubeObject): ContainerStatus[] => (get(o, 'status.containerStatuses') as ContainerStatus[] | undefined) ?? [];
const containers = (o: KubeObject, path: string): { name?: string; image?: string }[] => (get(o, path) as { name?: string; image?: string }[] | undefined) ?? [];

/** A pod's Status column: a waiting container's reason, else its phase (Terminating while it goes). */
function podStatus(o: KubeObject): string {
  if (o.metadata.annotations?.['graymesh.dev/terminating']) return 'Terminating';
  for (const c of containerStatuses(o)) {
    const r = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
    if (r) return r;
  }
  return String(get(o, 'status.phase') ?? 'Pending');
}

const selectorText = (sel: unknown): string =>
  sel && typeof sel === 'object'
    ? Object.entries(sel as Record<string, string>)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : '<none>';

/** The `-o wide` columns of what runs a pod template (Deployments, ReplicaSets). */
const templateColumns: ColumnDef[] = [
  { name: 'Containers', wide: true, cell: (o) => containers(o, 'spec.template.spec.containers').map((c) => c.name).join(',') },
  { name: 'Images', wide: true, cell: (o) => containers(o, 'spec.template.spec.containers').map((c) => c.image).join(',') },
  { name: 'Selector', wide: true, cell: (o) => selectorText(get(o, 'spec.selector.matchLabels')) },
];

const COLUMNS: Record<string, ColumnDef[]> = {
  Pod: [
    name,
    {
      name: 'Ready',
      cell: (o) => {
        const cs = containerStatuses(o);
        const total = Math.max(cs.length, containers(o, 'spec.containers').length);
        return `${cs.filter((c) => c.ready).length}/${total}`;
      },
    },
    { name: 'Status', cell: podStatus },
    int('Restarts', (o) => containerStatuses(o).reduce((n, c) => n + (c.restartCount ?? 0), 0)),
    age,
    str('IP', 'status.podIP', true),
    { name: 'Node', wide: true, cell: () => 'localhost' },
    { name: 'Nominated Node', wide: true, cell: () => '<none>' },
    { name: 'Readiness Gates', wide: true, cell: () => '<none>' },
  ],
  Deployment: [
    name,
    { name: 'Ready', cell: (o) => `${Number(get(o, 'status.readyReplicas') ?? 0)}/${Number(get(o, 'spec.replicas') ?? 1)}` },
    int('Up-to-date', (o) => Number(get(o, 'status.updatedReplicas') ?? 0)),
    int('Available', (o) => Number(get(o, 'status.availableReplicas') ?? 0)),
    age,
    ...templateColumns,
  ],
  ReplicaSet: [
    name,
    int('Desired', (o) => Number(get(o, 'spec.replicas') ?? 1)),
    int('Current', (o) => Number(get(o, 'status.replicas') ?? 0)),
    int('Ready', (o) => Number(get(o, 'status.readyReplicas') ?? 0)),
    age,
    ...templateColumns,
  ],
  Service: [
    name,
    { name: 'Type', cell: (o) => String(get(o, 'spec.type') ?? 'ClusterIP') },
    { name: 'Cluster-IP', cell: (o) => String(get(o, 'spec.clusterIP') ?? '<none>') },
    { name: 'External-IP', cell: () => '<none>' },
    {
      name: 'Port(s)',
      cell: (o) => ((get(o, 'spec.ports') as { port?: number; protocol?: string }[] | undefined) ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>',
    },
    age,
    { name: 'Selector', wide: true, cell: (o) => selectorText(get(o, 'spec.selector')) },
  ],
  Namespace: [name, { name: 'Status', cell: () => 'Active' }, age],
  ServiceAccount: [name, int('Secrets', () => 0), age],
  Secret: [name, { name: 'Type', cell: (o) => String(o.type ?? 'Opaque') }, int('Data', (o) => Object.keys((o.data as object | undefined) ?? {}).length), age],
  ConfigMap: [name, int('Data', (o) => Object.keys((o.data as object | undefined) ?? {}).length + Object.keys((o.binaryData as object | undefined) ?? {}).length), age],
  Event: [
    { name: 'Last Seen', cell: (o, now) => (typeof o.lastTimestamp === 'string' ? humanDuration(now - Date.parse(o.lastTimestamp)) : '<unknown>') },
    str('Type', 'type'),
    str('Reason', 'reason'),
    { name: 'Object', cell: (o) => `${String(get(o, 'involvedObject.kind') ?? '').toLowerCase()}/${String(get(o, 'involvedObject.name') ?? '')}` },
    str('Message', 'message'),
  ],
  VirtualService: [name, str('Gateways', 'spec.gateways'), str('Hosts', 'spec.hosts'), age],
  DestinationRule: [name, str('Host', 'spec.host'), age],
  Gateway: [name, age],
  ServiceEntry: [name, str('Hosts', 'spec.hosts'), str('Location', 'spec.location'), str('Resolution', 'spec.resolution'), age],
  Application: [name, age],
  Release: [
    name,
    str('Type', 'spec.type'),
    str('Service', 'spec.service'),
    str('Principal', 'spec.principal'),
    str('New', 'spec.newVersion.version'),
    str('Governor', 'spec.governor'),
    str('Phase', 'status.phase'),
    age,
  ],
};

export function columnsOf(kind: string): Column[] {
  return (COLUMNS[kind] ?? [name, age]).map((c) => ({
    name: c.name,
    type: c.type ?? 'string',
    format: c.name === 'Name' ? 'name' : '',
    description: c.name === 'Name' ? 'Name must be unique within a namespace.' : c.name,
    priority: c.wide ? 1 : 0,
  }));
}

/** The Table of objects of one kind; each row carries its object (includeObject=Object). */
export function tableOf(kind: string, objects: KubeObject[], meta: Table['metadata'], now = Date.now()): Table {
  const defs = COLUMNS[kind] ?? [name, age];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: meta,
    columnDefinitions: columnsOf(kind),
    rows: objects.map((o) => ({ cells: defs.map((d) => d.cell(o, now)), object: o })),
  };
}

/** Whether an Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}
