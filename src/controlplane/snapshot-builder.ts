/**
 * Builds the data plane's view of the store: services, endpoints (pods with
 * their readiness), outbound listeners and the Istio traffic objects. The
 * version is bumped only when the content changes. Traffic objects the
 * tenancy check refuses (`refused`, by `Kind/namespace/name`) are left out:
 * a change elsewhere, such as an allow revoked, takes them out of force.
 */
import { GOVERNANCE_ANNOTATION, outboundPolicyOf } from '../api/objects.js';
import type { Deployment, KubeObject, Namespace, Pod, Service, ServicePort } from '../api/objects.js';
import { portProtocol } from '../config/protocol.js';
import type { ConfigSnapshot, EndpointConfig, ListenerConfig, ProjectConfig, ServiceConfig, ServicePortConfig } from '../config/snapshot.js';
import { exportToOf } from '../config/tenancy/exports.js';
import type { Store } from './store.js';
import { allowRoutesFromOf, objectKey } from './tenancy.js';

export const WORKLOAD_LABEL = 'graymesh.dev/workload';
/** Annotation naming the port of a workload's outbound listener. */
export const LISTENER_META = (ns: string, workload: string): string => `listener:${ns}/${workload}`;

export type SnapshotContent = Omit<ConfigSnapshot, 'version'>;

export function buildSnapshotContent(store: Store, gatewayPort: number, refused: ReadonlyMap<string, unknown> = new Map()): SnapshotContent {
  const projects = store.list<Namespace>('Namespace').map((ns): ProjectConfig => {
    const allowed = allowRoutesFromOf(ns);
    return {
      name: ns.metadata.name,
      governance: ns.metadata.annotations?.[GOVERNANCE_ANNOTATION] !== 'false',
      ...(allowed.length > 0 ? { allowRoutesFrom: allowed } : {}),
      ...(outboundPolicyOf(ns) === 'REGISTRY_ONLY' ? { outboundPolicy: 'REGISTRY_ONLY' as const } : {}),
    };
  });
  const services = store.list<Service>('Service').map((s): ServiceConfig => {
    const exportTo = exportToOf(s);
    return {
      project: s.metadata.namespace ?? 'default',
      name: s.metadata.name,
      ports: (s.spec?.ports ?? []).map(servicePort),
      selector: s.spec?.selector ?? {},
      ...(exportTo ? { exportTo } : {}),
    };
  });
  const endpoints: EndpointConfig[] = [];
  for (const pod of store.list<Pod>('Pod')) {
    const st = pod.status;
    if (!st?.port) continue;
    const terminating = pod.metadata.annotations?.['graymesh.dev/terminating'] === 'true';
    const ready = !terminating && st.phase === 'Running' && st.containerStatuses?.[0]?.ready === true;
    const ep: EndpointConfig = {
      pod: pod.metadata.name,
      project: pod.metadata.namespace ?? 'default',
      workload: pod.metadata.labels?.[WORKLOAD_LABEL] ?? '',
      labels: pod.metadata.labels ?? {},
      address: '127.0.0.1',
      port: st.port,
      ready,
    };
    if (st.pid !== undefined) ep.pid = st.pid;
    endpoints.push(ep);
  }
  const listeners: ListenerConfig[] = [];
  for (const d of store.list<Deployment>('Deployment')) {
    const ns = d.metadata.namespace ?? 'default';
    const port = Number(store.getMeta(LISTENER_META(ns, d.metadata.name)) ?? '0');
    if (!port) continue;
    listeners.push({
      project: ns,
      workload: d.metadata.name,
      labels: d.spec?.template.metadata?.labels ?? {},
      port,
    });
  }
  const istio = (kind: string): KubeObject[] =>
    store
      .list(kind)
      .filter((o) => !refused.has(objectKey(o)))
      .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec }));
  return {
    gatewayPort,
    projects,
    services,
    endpoints,
    listeners,
    virtualServices: istio('VirtualService'),
    destinationRules: istio('DestinationRule'),
    gateways: istio('Gateway'),
    serviceEntries: istio('ServiceEntry'),
  };
}

/** A Service port as the data plane needs it: its name and number, and HTTP/2 when Istio's protocol selection says so. */
function servicePort(p: ServicePort): ServicePortConfig {
  const out: ServicePortConfig = p.name ? { name: p.name, port: p.port } : { port: p.port };
  const protocol = portProtocol({ name: p.name, appProtocol: p.appProtocol });
  if (protocol) out.protocol = protocol;
  return out;
}
