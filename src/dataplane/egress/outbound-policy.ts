/**
 * The outbound traffic policy of a project's workloads, as Istio's
 * meshConfig.outboundTrafficPolicy: a host neither the mesh nor a ServiceEntry declares is
 * passed through to where it names under ALLOW_ANY (the default), and refused under
 * REGISTRY_ONLY: 403, logged with `block_all` / BlackHoleCluster and the reason.
 */
import type { PassthroughDecision, RespondDecision } from '../router.js';

/** Access-log response code details of a refusal (Envoy's snake_case). */
export const REGISTRY_ONLY_DETAILS = 'outbound_policy_registry_only{host_not_declared}';

/** What REGISTRY_ONLY answers a workload of `project` asking for `host:port`. */
export function registryOnlyRefusal(host: string, port: number, project: string): RespondDecision {
  return {
    kind: 'respond',
    status: 403,
    flags: 'NR',
    details: REGISTRY_ONLY_DETAILS,
    routeName: 'block_all',
    cluster: 'BlackHoleCluster',
    body:
      `host "${host}:${port}" is not declared: project ${project}'s outbound traffic policy is REGISTRY_ONLY; ` +
      `declare it with a ServiceEntry (hosts: [${host}], ports: [{number: ${port}}]), or let any host through (graymesh project set ${project} --outbound-policy ALLOW_ANY)\n`,
  };
}

/** An undeclared host under ALLOW_ANY: sent where it names. */
export function passthrough(host: string, port: number): PassthroughDecision {
  return { kind: 'passthrough', address: host, port };
}
