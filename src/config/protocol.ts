/**
 * Istio's protocol selection for a Service port
 * (https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/):
 * `appProtocol`, else the port name's prefix before `-` (or the whole name).
 * graymesh carries HTTP/2 (gRPC, HTTP/2, h2c: cleartext with prior knowledge), HTTP/1.1, and
 * opaque TCP: a port declared `tcp` (appProtocol, ServiceEntry `protocol: TCP`, a name `tcp` or
 * `tcp-…`) or one of the TCP-based protocols Istio never sniffs as HTTP (`mongo`, `mysql`,
 * `redis`) is proxied as a byte stream. A port declaring nothing is taken for HTTP/1.1 (Istio
 * would sniff it): graymesh does not sniff.
 */

/** What the data plane speaks to a port's endpoints: `http2`, `tcp` (a byte stream), or HTTP/1.1 when absent. */
export type PortProtocol = 'http2' | 'tcp';

const HTTP2_PROTOCOLS = new Set(['grpc', 'grpc-web', 'http2', 'h2c', 'kubernetes.io/h2c']);
const TCP_PROTOCOLS = new Set(['tcp', 'mongo', 'mysql', 'redis']);

function byName(name: string): PortProtocol | undefined {
  if (HTTP2_PROTOCOLS.has(name)) return 'http2';
  return TCP_PROTOCOLS.has(name) ? 'tcp' : undefined;
}

/** The protocol a Service (or ServiceEntry) port speaks by its appProtocol or name. */
export function portProtocol(port: { name?: string | undefined; appProtocol?: string | undefined; protocol?: string | undefined }): PortProtocol | undefined {
  const declared = port.appProtocol ?? port.protocol;
  if (declared !== undefined && declared !== '') return byName(declared.toLowerCase());
  const name = port.name?.toLowerCase() ?? '';
  const dash = name.indexOf('-');
  const prefix = dash < 0 ? name : name.slice(0, dash);
  if (prefix === 'grpc' || prefix === 'http2') return 'http2';
  return TCP_PROTOCOLS.has(prefix) ? 'tcp' : undefined;
}
