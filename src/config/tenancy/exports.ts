/**
 * Istio's exportTo: which namespaces see an object. `spec.exportTo` on VirtualServices,
 * DestinationRules and ServiceEntries, the `networking.istio.io/exportTo` annotation on a
 * Service (comma-separated). Absent or empty exports to every namespace; `.` is the object's own,
 * `*` every one, `~` none, anything else a namespace by name.
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService-export_to
 */
import type { KubeObject } from '../../api/objects.js';

export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

/** The exportTo list of an Istio object or a Service; undefined exports everywhere. */
export function exportToOf(o: KubeObject): string[] | undefined {
  if (o.kind === 'Service') {
    const v = o.metadata.annotations?.[EXPORT_TO_ANNOTATION];
    return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
  const list = (o.spec as { exportTo?: unknown } | undefined)?.exportTo;
  return Array.isArray(list) ? list.filter((e): e is string => typeof e === 'string') : undefined;
}

/** Whether an object of namespace `ns` exported to `exportTo` is visible in namespace `viewer`. */
export function isExportedTo(exportTo: readonly string[] | undefined, ns: string, viewer: string): boolean {
  if (exportTo === undefined || exportTo.length === 0) return true;
  return exportTo.some((e) => e === '*' || (e === '.' ? viewer === ns : e === viewer));
}
