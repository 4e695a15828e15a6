/**
 * Release admission, the same on every write path of both engines: the service and
 * its principal's workload exist, one release per service, and the service's Istio
 * objects are graymesh's (a release owns the routing of its service).
 */
import { conflict, invalid } from '../../api/errors.js';
import { MANAGED_ANNOTATION, RELEASE_ANNOTATION, type Release, type ReleaseSpec } from '../../config/release/types.js';
import type { ObjectStore } from '../store.js';
import { workloadsOf } from '../workloads.js';

export async function admitRelease(store: ObjectStore, r: Release, metrics?: 'embedded' | 'prometheus'): Promise<void> {
  const ns = r.metadata.namespace as string;
  const spec = r.spec as ReleaseSpec;
  const name = `Release ${r.metadata.name}`;
  (spec.analysis?.metrics ?? []).forEach((m, i) => {
    if (m.query !== undefined && metrics !== 'prometheus') {
      throw invalid(`${name}: spec.analysis.metrics[${i}].query: a PromQL query needs Prometheus as the metrics source, and this instance reads ${metrics ?? 'no metrics'}; start it with graymesh up --prometheus URL, or use request-success-rate and request-duration`);
    }
  });
  if (!(await store.get('Service', ns, spec.service))) throw invalid(`${name}: spec.service: service ${spec.service} not found in project ${ns}`);
  const versions = await workloadsOf(store, ns, spec.service);
  if (!versions.has(spec.principal)) {
    throw invalid(
      `${name}: spec.principal: service ${spec.service} has no workload of version ${spec.principal}; its versions are ${[...versions.keys()].sort().join(', ') || 'none'}`,
    );
  }
  for (const other of await store.list<Release>('Release', { namespace: ns })) {
    if (other.spec?.service === spec.service && other.metadata.name !== r.metadata.name) {
      throw conflict(`${name}: service ${spec.service} already has release ${other.metadata.name}; one release per service at a time (finish or delete ${other.metadata.name} first)`);
    }
  }
  for (const kind of ['VirtualService', 'DestinationRule']) {
    const o = await store.get(kind, ns, spec.service);
    const owner = o?.metadata.annotations?.[RELEASE_ANNOTATION];
    if (o && o.metadata.annotations?.[MANAGED_ANNOTATION] !== 'graymesh' && owner !== r.metadata.name) {
      throw conflict(`${name}: ${kind} ${spec.service} already exists and is not managed by graymesh; delete it (graymesh delete ${kind === 'VirtualService' ? 'vs' : 'dr'} ${spec.service} -p ${ns}) so the release can own the routing`);
    }
  }
}
