/**
 * The configuration snapshot the control plane pushes to every node proxy.
 * A proxy applies a snapshot whole or not at all and ACKs its version.
 * It carries everything the data plane needs and nothing it does not:
 * no Deployments, no Applications, only services, endpoints, listeners and
 * the Istio traffic objects as stored (networking.istio.io/v1), without those
 * the tenancy check refuses (a host of another project, see config/tenancy).
 */
import type { KubeObject } from '../api/objects.js';
import type { PortProtocol } from './protocol.js';

/** One ready-or-not instance of a service version. */
export interface EndpointConfig {
  /** Pod name, e.g. reviews-v1-7f9c2-x4k2p. */
  pod: string;
  project: string;
  /** The Deployment this pod belongs to, e.g. reviews-v1. */
  workload: string;
  /** Pod labels (app, version, and the template's others); DestinationRule subsets select on these. */
  labels: Record<string, string>;
  address: string;
  port: number;
  ready: boolean;
  /** OS process id, reported in spans and logs. */
  pid?: number;
}

/** One port of a service, with the protocol its endpoints speak there. */
export interface ServicePortConfig {
  name?: string;
  port: number;
  /** `http2` when Istio's protocol selection says HTTP/2 (appProtocol grpc/http2/h2c, name grpc-…/http2-…), `tcp` for a byte stream (tcp, tcp-…, mongo, mysql, redis); absent: HTTP/1.1. */
  protocol?: PortProtocol;
}

/** One mesh service: a stable name and port over all its versions. */
export interface ServiceConfig {
  project: string;
  name: string;
  /** Service ports; a request to any of them reaches the pods' own port. */
  ports: ServicePortConfig[];
  /** Label selector of the Service. */
  selector: Record<string, string>;
  /** The namespaces that see it (annotation `networking.istio.io/exportTo`); absent: every one. */
  exportTo?: string[];
}

/** One workload's outbound listener: where its HTTP_PROXY points. */
export interface ListenerConfig {
  project: string;
  /** The Deployment name, e.g. productpage-v1. */
  workload: string;
  /** Pod template labels of the workload (sourceLabels match on these). */
  labels: Record<string, string>;
  port: number;
}

export interface ProjectConfig {
  name: string;
  /** Application governance: when on, the gateway starts traces for requests entering the project. */
  governance: boolean;
  /** Projects whose traffic rules may name this project's hosts and route to its services. */
  allowRoutesFrom?: string[];
  /**
   * Its workloads' calls to hosts neither the mesh nor a ServiceEntry declares: REGISTRY_ONLY
   * refuses them (403); absent, they pass through to the host asked for (Istio's ALLOW_ANY).
   */
  outboundPolicy?: 'REGISTRY_ONLY';
}

/** Mesh-wide tracing settings (Istio's meshConfig.defaultConfig.tracing). */
export interface TracingConfig {
  /**
   * Percentage (0-100) of new traces a proxy samples when a request arrives
   * without a sampling decision and governance is on for its project; a
   * decision the caller made is always kept. Overrides the proxy's
   * GRAYMESH_TRACE_SAMPLING.
   */
  sampling: number;
}

export interface ConfigSnapshot {
  /** Monotonic config version; proxies ACK it. */
  version: number;
  /** Port of the gateway listener. */
  gatewayPort: number;
  projects: ProjectConfig[];
  services: ServiceConfig[];
  endpoints: EndpointConfig[];
  listeners: ListenerConfig[];
  /** networking.istio.io/v1 VirtualService objects. */
  virtualServices: KubeObject[];
  /** networking.istio.io/v1 DestinationRule objects. */
  destinationRules: KubeObject[];
  /** networking.istio.io/v1 Gateway objects. */
  gateways: KubeObject[];
  /** networking.istio.io/v1 ServiceEntry objects. */
  serviceEntries: KubeObject[];
  /** Tracing settings; absent: the proxy's environment (GRAYMESH_TRACE_SAMPLING, else 100%). */
  tracing?: TracingConfig;
  /**
   * The Secrets Gateway servers and DestinationRules name (`tls.credentialName`), from their
   * projects, as PEM; absent: none.
   */
  tlsCredentials?: TlsCredentialConfig[];
}

/** A Secret a Gateway server or DestinationRule names: `tls.crt`, `tls.key` and `ca.crt`, PEM, those it has. */
export interface TlsCredentialConfig {
  /** The Secret's project (the Gateway's or the rule's). */
  namespace: string;
  name: string;
  cert?: string;
  key?: string;
  ca?: string;
}

/** What a proxy reports back after receiving a snapshot. */
export interface ConfigAck {
  proxy: string;
  /** The process acknowledging: two processes share a proxy's name while one hands over to the other. */
  pid?: number;
  version: number;
  /** Present on a NACK: why the snapshot was refused; the proxy keeps its previous version. */
  error?: string;
}
