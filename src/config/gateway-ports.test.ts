import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/objects.js';
import { bindPort, gatewayPorts, listenerKind } from './gateway-ports.js';

const gw = (ns: string, name: string, servers: unknown[]): KubeObject => ({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: ns }, spec: { servers } as Record<string, unknown> });
const server = (number: number, protocol: string): unknown => ({ port: { number, name: protocol.toLowerCase(), protocol }, hosts: ['*'] });
const opts = { gatewayPort: 8080, tlsPort: 8443 };

describe('gateway ports as written', () => {
  it('80 and 443 are the standing listeners (not planned), any other number bound as written', () => {
    const plan = gatewayPorts([gw('demo', 'web', [server(80, 'HTTP'), server(8080, 'HTTP'), server(443, 'HTTPS'), server(8443, 'HTTPS'), server(31400, 'TCP'), server(9090, 'HTTP2')])], opts);
    expect(bindPort(443, opts)).toBe(8443);
    expect([...plan.values()]).toEqual([
      { number: 31400, bind: 31400, kind: 'tcp', gateways: ['demo/web'] },
      { number: 9090, bind: 9090, kind: 'http', gateways: ['demo/web'] },
    ]);
  });

  it('one entry per port, naming every Gateway that has a server on it', () => {
    const plan = gatewayPorts([gw('demo', 'a', [server(31400, 'TCP')]), gw('demo', 'b', [server(31400, 'TCP')])], opts);
    expect(plan.get(31400)?.gateways).toEqual(['demo/a', 'demo/b']);
  });

  it('reads the server protocol as Istio names it', () => {
    expect(['HTTP', 'GRPC', 'HTTP2', 'GRPC-WEB', undefined].map(listenerKind)).toEqual(['http', 'http', 'http', 'http', 'http']);
    expect(['TCP', 'MONGO', 'tcp'].map(listenerKind)).toEqual(['tcp', 'tcp', 'tcp']);
    expect(['HTTPS', 'TLS'].map(listenerKind)).toEqual(['tls', 'tls']);
  });
});
