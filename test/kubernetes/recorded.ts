/**
 * The API server's and istiod's answers as they look on the wire, transcribed from the
 * Kubernetes API reference and the servers' sources (apimachinery's StatusError messages, the
 * watch cache's "too old resource version", istiod's SyncStatus), so the fake answers what a
 * real cluster answers. Each is a function of the names it mentions.
 */

/** metav1.Status of a failed call (k8s.io/apimachinery/pkg/api/errors). */
export function status(code: number, reason: string, message: string, details: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code };
}

/** 404 NotFound: `deployments.apps "reviews-v2" not found`. */
export const notFound = (resource: string, name: string): Record<string, unknown> =>
  status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource.split('.')[0] });

/** 409 AlreadyExists on create. */
export const alreadyExists = (resource: string, name: string): Record<string, unknown> =>
  status(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource.split('.')[0] });

/** 409 Conflict on a PUT with a stale resourceVersion (optimistic concurrency). */
export const conflict = (resource: string, name: string): Record<string, unknown> =>
  status(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: resource.split('.')[0] });

/** 415 for a PATCH content type the server does not take. */
export const unsupportedMediaType = (ct: string): Record<string, unknown> =>
  status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got ${ct}`);

/** The ERROR event a watch from a compacted resourceVersion gets (the watch cache's answer, HTTP 200). */
export const expiredEvent = (requested: string, oldest: number): Record<string, unknown> => ({
  type: 'ERROR',
  object: status(410, 'Expired', `too old resource version: ${requested} (${oldest})`),
});

/** A BOOKMARK event: only the kind, apiVersion and resourceVersion are set. */
export const bookmarkEvent = (apiVersion: string, kind: string, resourceVersion: string): Record<string, unknown> => ({
  type: 'BOOKMARK',
  object: { kind, apiVersion, metadata: { resourceVersion, creationTimestamp: null } },
});

/** 503 from the service proxy when istiod has no ready endpoint (or is not installed: 404). */
export const noEndpoints = (service: string): Record<string, unknown> =>
  status(503, 'ServiceUnavailable', `no endpoints available for service "${service}"`);

/** One proxy of istiod's /debug/syncz (pilot/pkg/xds/debug.go SyncStatus). */
export function syncStatus(proxy: string, sent: string, acked: string, type = 'sidecar'): Record<string, unknown> {
  return {
    cluster_id: 'Kubernetes',
    proxy,
    proxy_type: type,
    proxy_version: '1.26.0',
    istio_version: '1.26.0',
    cluster_sent: sent,
    cluster_acked: acked,
    listener_sent: sent,
    listener_acked: acked,
    route_sent: sent,
    route_acked: acked,
    endpoint_sent: sent,
    endpoint_acked: acked,
  };
}
