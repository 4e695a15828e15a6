/**
 * Builds the data plane's view of the store: services, endpoints (pods with
 * their readiness), outbound listeners and the Istio traffic objects. The
 * version is bumped only when the content changes.
 */
import type { Deployment, KubeObject, Namespace, Pod, Service } from '../api/objects.js';
import { GOVERNANCE_ANNOTATION } from '../api/objects.js';
import type { ConfigSnapshot, EndpointConfig, ListenerConfig } from '../config/snapshot.js';
import type { Store } from './store.js';

export const WORKLOAD_LABEL = 'graymesh.dev/workload';
/** Annotation naming the port of a workload's outbound listener. */
export const LISTENER_META = (ns: string, workload: string): string => `listener:${ns}/${workload}`;

export type SnapshotContent = Omit<ConfigSnapshot, 'version'>;

export function buildSnapshotContent(store: Store, gatewayPort: number): SnapshotContent {
  const projects = store.list<Namespace>('Namespace').map((ns) => ({
    name: ns.metadata.name,
    governance: ns.metadata.annotations?.[GOVERNANCE_ANNOTATION] !== 'false',
  }));
  const services = store.list<Service>('Service').map((s) => ({
    project: s.metadata.namespace ?? 'default',
    name: s.metadata.name,
    ports: (s.spec?.ports ?? []).map((p) => (p.name ? { name: p.name, port: p.port } : { port: p.port })),
    selector: s.spec?.selector ?? {},
  }));
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
    store.list(kind).map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec }));
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
