/**
 * A workload instance as telemetry names it: the source or destination of a
 * request in Istio's metric labels and the process of a span. Values Istio
 * could not learn are "unknown", as its stats plugin reports them.
 */

/** What Istio puts where it knows nothing. */
export const UNKNOWN = 'unknown';

/** The gateway's workload, namespace and app as Istio names its ingress gateway. */
export const GATEWAY_WORKLOAD = 'istio-ingressgateway';
export const GATEWAY_NAMESPACE = 'istio-system';

/** Istio's `source_cluster` / `destination_cluster` for a single-cluster mesh. */
export const MESH_CLUSTER = 'Kubernetes';

/** One side of a request, resolved once per listener or endpoint and shared by every request. */
export interface PeerMeta {
  /** The Deployment, e.g. reviews-v1; `istio-ingressgateway` for the gateway. */
  workload: string;
  /** Its namespace (project); `istio-system` for the gateway. */
  namespace: string;
  /** Its `app` label (spans' service name), or unknown. */
  app: string;
  /** Its `version` label, or unknown. */
  version: string;
  /** The pod, when one is known (an endpoint, or the only pod of a workload). */
  pod?: string | undefined;
  /** The pod's OS process id, when known. */
  pid?: number | undefined;
}

/** The peer Istio reports when it knows nothing about one side. */
export const UNKNOWN_PEER: PeerMeta = Object.freeze({ workload: UNKNOWN, namespace: UNKNOWN, app: UNKNOWN, version: UNKNOWN });
