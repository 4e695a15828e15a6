/**
 * Istio's protocol selection for a Service port
 * (https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/):
 * `appProtocol`, else the port name's prefix before `-` (or the whole name).
 * graymesh carries HTTP/2 (gRPC, HTTP/2, h2c: cleartext with prior knowledge) and HTTP/1.1;
 * every other protocol is proxied as HTTP/1.1, the only other one it speaks.
 */

/** What the data plane speaks to a port's endpoints: `http2`, or HTTP/1.1 when absent. */
export type PortProtocol = 'http2';

const HTTP2_PROTOCOLS = new Set(['grpc', 'grpc-web', 'http2', 'h2c', 'kubernetes.io/h2c']);

/** The protocol a Service (or ServiceEntry) port speaks by its appProtocol or name. */
export function portProtocol(port: { name?: string | undefined; appProtocol?: string | undefined; protocol?: string | undefined }): PortProtocol | undefined {
  const declared = port.appProtocol ?? port.protocol;
  if (declared !== undefined && declared !== '') return HTTP2_PROTOCOLS.has(declared.toLowerCase()) ? 'http2' : undefined;
  const name = port.name?.toLowerCase() ?? '';
  const dash = name.indexOf('-');
  const prefix = dash < 0 ? name : name.slice(0, dash);
  return prefix === 'grpc' || prefix === 'http2' ? 'http2' : undefined;
}
