/**
 * A local project as the manifests `kubectl apply -f` takes on a cluster with Istio: what an
 * Istio user would have written by hand. Pure: the objects in, the manifests and warnings out.
 *
 * - The Namespace gets Istio's sidecar injection label (istio-injection: enabled).
 * - Deployments name Istio's real Bookinfo images, keep `app`/`version` labels, named ports and
 *   readiness probes, and lose what only the local engine uses (a local `command`).
 * - Everything loses what the store adds (uid, resourceVersion, generation, creationTimestamp,
 *   ownerReferences, status) and graymesh's internal labels and annotations.
 * - graymesh's kinds come with their CustomResourceDefinitions first.
 * - The local gateway's implicit entry (`<service>.<project>.localhost`) becomes an Istio
 *   ingress Gateway and VirtualService, as Istio's bookinfo-gateway.yaml writes them.
 */
import type { Container, Deployment, KubeObject, ObjectMeta } from '../../api/objects.js';
import { applicationCrd, releaseCrd } from './crds.js';
import { clusterImage, isBookinfoImage } from './cluster-images.js';

/** Labels the local engine puts on what it creates; they mean nothing on a cluster. */
export const INTERNAL_LABELS = new Set(['pod-template-hash', 'graymesh.dev/workload']);
/** Annotations the local engine keeps for itself (pod shutdown, the release controller's stage). */
export const INTERNAL_ANNOTATIONS = new Set(['graymesh.dev/terminating', 'graymesh.dev/stage', 'kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision']);
/** Application annotation naming the service the local gateway serves as the app's entry. */
export const ENTRY_ANNOTATION = 'graymesh.dev/entry';
/** The label Istio's injector reads on a namespace (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/). */
export const INJECTION_LABEL = 'istio-injection';

/** The order manifests are applied in: definitions, then the namespace, then what refers to what came before. */
export const EXPORT_ORDER = [
  'CustomResourceDefinition',
  'Namespace',
  'Application',
  'ServiceAccount',
  'Service',
  'Deployment',
  'DestinationRule',
  'VirtualService',
  'Gateway',
  'ServiceEntry',
  'Release',
];

export interface ExportInput {
  /** The project's Namespace as stored. */
  namespace: KubeObject;
  /** Every object in the project, any kind (Pods are left out). */
  objects: KubeObject[];
}

export interface ExportOptions {
  /** Include the CustomResourceDefinitions (default true). */
  crds?: boolean;
  /** Only the CustomResourceDefinitions (to apply and wait for before the rest). */
  crdsOnly?: boolean;
  /** Add an Istio ingress Gateway for the app's entry when the project has none (default true). */
  ingress?: boolean;
}

export interface ExportResult {
  items: KubeObject[];
  /** What could not be carried over as it is, one sentence each. */
  warnings: string[];
}

function cleanMap(m: Record<string, string> | undefined, drop: Set<string>): Record<string, string> | undefined {
  if (!m) return undefined;
  const out = Object.fromEntries(Object.entries(m).filter(([k]) => !drop.has(k)));
  return Object.keys(out).length > 0 ? out : undefined;
}

/** metadata as a user writes it: name, namespace, labels, annotations, in that order. */
export function cleanMeta(m: ObjectMeta, extraLabels: Record<string, string> = {}): ObjectMeta {
  const labels = cleanMap({ ...m.labels, ...extraLabels }, INTERNAL_LABELS);
  const annotations = cleanMap(m.annotations, INTERNAL_ANNOTATIONS);
  return {
    name: m.name,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(labels ? { labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

function base(o: KubeObject, extraLabels?: Record<string, string>): KubeObject {
  const out: KubeObject = { apiVersion: o.apiVersion, kind: o.kind, metadata: cleanMeta(o.metadata, extraLabels) };
  for (const [k, v] of Object.entries(o)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    out[k] = structuredClone(v);
  }
  return out;
}

function clusterContainer(c: Container, where: string, warnings: string[]): Container | undefined {
  const out = structuredClone(c);
  if (!out.image) {
    warnings.push(`${where}: runs the local command "${(c.command ?? []).join(' ')}" and has no image; left out (give it an image to run it on a cluster)`);
    return undefined;
  }
  const mapped = clusterImage(out.image);
  if (mapped.warning) warnings.push(`${where}: ${mapped.warning}`);
  if (out.command && isBookinfoImage(out.image)) {
    // The local catalog starts the built-in program; on a cluster the image's own entrypoint runs.
    delete out.command;
    delete out.args;
  }
  out.image = mapped.image;
  return out;
}

function exportDeployment(d: Deployment, warnings: string[]): KubeObject | undefined {
  const out = base(d) as Deployment;
  const spec = out.spec;
  if (!spec) return out;
  const tpl = spec.template;
  if (tpl.metadata) {
    const labels = cleanMap(tpl.metadata.labels, INTERNAL_LABELS);
    const annotations = cleanMap(tpl.metadata.annotations, INTERNAL_ANNOTATIONS);
    tpl.metadata = { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
  }
  const containers: Container[] = [];
  for (const [i, c] of tpl.spec.containers.entries()) {
    const mapped = clusterContainer(c, `Deployment ${d.metadata.name}: spec.template.spec.containers[${i}]`, warnings);
    if (!mapped) return undefined;
    containers.push(mapped);
  }
  tpl.spec.containers = containers;
  return out;
}

function exportRelease(r: KubeObject, warnings: string[]): KubeObject {
  const out = base(r);
  const nv = (out.spec as { newVersion?: { image?: string } } | undefined)?.newVersion;
  if (nv?.image) {
    const mapped = clusterImage(nv.image);
    if (mapped.warning) warnings.push(`Release ${r.metadata.name}: spec.newVersion: ${mapped.warning}`);
    nv.image = mapped.image;
  }
  return out;
}

/**
 * The local gateway serves `<entry>.<project>.localhost` without a Gateway object; a cluster
 * needs one. As Istio's bookinfo-gateway.yaml: a Gateway on the ingress gateway's port 8080 for
 * any host, and a VirtualService sending it to the entry service.
 */
function ingressFor(app: KubeObject, services: KubeObject[], ns: string): KubeObject[] {
  const entry = app.metadata.annotations?.[ENTRY_ANNOTATION];
  const svc = services.find((s) => s.metadata.name === entry);
  if (!entry || !svc) return [];
  const port = (svc.spec as { ports?: { port: number }[] } | undefined)?.ports?.[0]?.port ?? 80;
  const name = `${app.metadata.name}-gateway`;
  const labels = cleanMap(app.metadata.labels, INTERNAL_LABELS);
  const meta = (n: string): ObjectMeta => ({ name: n, namespace: ns, ...(labels ? { labels } : {}) });
  return [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: meta(name),
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta(app.metadata.name),
      spec: { hosts: ['*'], gateways: [name], http: [{ route: [{ destination: { host: entry, port: { number: port } } }] }] },
    },
  ];
}

const rank = (kind: string): number => {
  const i = EXPORT_ORDER.indexOf(kind);
  return i < 0 ? EXPORT_ORDER.length : i;
};

/** The project's manifests for a cluster, in apply order, and what could not be carried over. */
export function exportProject(input: ExportInput, opts: ExportOptions = {}): ExportResult {
  const warnings: string[] = [];
  const ns = input.namespace.metadata.name;
  const objects = input.objects.filter((o) => o.kind !== 'Pod' && o.kind !== 'ReplicaSet' && o.kind !== 'Namespace');
  const crds: KubeObject[] = [];
  if (opts.crds !== false || opts.crdsOnly) {
    if (objects.some((o) => o.kind === 'Application')) crds.push(applicationCrd());
    crds.push(releaseCrd());
  }
  if (opts.crdsOnly) return { items: crds, warnings };

  const items: KubeObject[] = [base(input.namespace, { [INJECTION_LABEL]: 'enabled' })];
  for (const o of objects) {
    if (o.kind === 'Deployment') {
      const d = exportDeployment(o as Deployment, warnings);
      if (d) items.push(d);
    } else if (o.kind === 'Release') {
      items.push(exportRelease(o, warnings));
    } else {
      items.push(base(o));
    }
  }
  if (opts.ingress !== false && !objects.some((o) => o.kind === 'Gateway')) {
    const services = objects.filter((o) => o.kind === 'Service');
    const taken = new Set(objects.filter((o) => o.kind === 'VirtualService').map((o) => o.metadata.name));
    for (const app of objects.filter((o) => o.kind === 'Application')) {
      const extra = ingressFor(app, services, ns).filter((o) => !(o.kind === 'VirtualService' && taken.has(o.metadata.name)));
      items.push(...extra);
    }
  }
  items.sort((a, b) => rank(a.kind) - rank(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
  return { items: [...crds, ...items], warnings };
}
