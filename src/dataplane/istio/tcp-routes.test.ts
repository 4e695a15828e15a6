import { describe, expect, it } from 'vitest';
import type { ConnectDecision, TcpDecision } from '../router.js';
import { dr, gw, outbound, pod, snapshot, vs } from './fixtures.js';
import { IstioRouter } from './istio-router.js';

const NS = 'demo';
const v1 = pod(NS, 'tcp-echo', 'v1');
const v2 = pod(NS, 'tcp-echo', 'v2');
const services = [{ project: NS, name: 'tcp-echo', ports: [{ name: 'tcp', port: 9000, protocol: 'tcp' as const }], selector: { app: 'tcp-echo' } }];
const subsets = dr(NS, 'tcp-echo', { host: 'tcp-echo', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] });
const to = (subset: string, weight?: number): unknown => ({ destination: { host: 'tcp-echo', port: { number: 9000 }, subset }, ...(weight === undefined ? {} : { weight }) });

function router(objects: { vss?: unknown[]; gateways?: unknown[] }): IstioRouter {
  return new IstioRouter(
    snapshot({
      services,
      endpoints: [v1, v2],
      destinationRules: [subsets],
      virtualServices: (objects.vss ?? []) as never,
      gateways: (objects.gateways ?? []) as never,
    }),
  );
}

/** The subset a decision's cluster serves, or its refusal. */
const subsetOf = (d: ConnectDecision | TcpDecision): string => (d.kind === 'tunnel' ? (d.cluster.subset ?? 'all') : d.kind === 'respond' ? `respond ${d.flags}` : d.kind);

const tcpGateway = gw(NS, 'tcp-echo-gateway', { servers: [{ port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }] });

describe('VirtualService tcp routes', () => {
  it('at a gateway TCP port: the route bound to the Gateway with a matching port, weights exact over 100 connections', () => {
    const r = router({ gateways: [tcpGateway], vss: [vs(NS, 'tcp-echo', { hosts: ['*'], gateways: ['tcp-echo-gateway'], tcp: [{ match: [{ port: 31400 }], route: [to('v1', 80), to('v2', 20)] }] })] });
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const s = subsetOf(r.tcp({ port: 31400, remoteAddress: '127.0.0.1' }));
      counts[s] = (counts[s] ?? 0) + 1;
    }
    expect(counts).toEqual({ v1: 80, v2: 20 });
  });

  it('refuses a port no TCP server has, and a port no rule matches', () => {
    const r = router({ gateways: [tcpGateway], vss: [vs(NS, 'tcp-echo', { hosts: ['*'], gateways: ['tcp-echo-gateway'], tcp: [{ match: [{ port: 31401 }], route: [to('v1')] }] })] });
    expect(subsetOf(r.tcp({ port: 31500, remoteAddress: '' }))).toBe('respond NR');
    expect(subsetOf(r.tcp({ port: 31400, remoteAddress: '' }))).toBe('respond NR');
  });

  it('a VirtualService not bound to the Gateway does not apply there', () => {
    const r = router({ gateways: [tcpGateway], vss: [vs(NS, 'mesh-only', { hosts: ['tcp-echo'], tcp: [{ route: [to('v2')] }] })] });
    expect(subsetOf(r.tcp({ port: 31400, remoteAddress: '' }))).toBe('respond NR');
  });

  it('inside the mesh (CONNECT tcp-echo:9000): match port and sourceLabels, first matching rule wins', () => {
    const r = router({
      vss: [
        vs(NS, 'tcp-echo', {
          hosts: ['tcp-echo'],
          tcp: [
            { match: [{ port: 9000, sourceLabels: { app: 'canary-client' } }], route: [to('v2')] },
            { match: [{ port: 9000 }], route: [to('v1')] },
          ],
        }),
      ],
    });
    expect(subsetOf(r.connect(outbound('tcp-echo', { port: 9000 })))).toBe('v1');
    expect(subsetOf(r.connect(outbound('tcp-echo', { port: 9000, labels: { app: 'canary-client', version: 'v1' } })))).toBe('v2');
  });

  it('match gateways override the source conditions; a host without tcp rules keeps its default cluster', () => {
    const r = router({ vss: [vs(NS, 'tcp-echo', { hosts: ['tcp-echo'], gateways: ['mesh'], tcp: [{ match: [{ gateways: ['mesh'], sourceLabels: { app: 'nobody' } }], route: [to('v2')] }] })] });
    expect(subsetOf(r.connect(outbound('tcp-echo', { port: 9000 })))).toBe('v2');
    const plain = router({ vss: [vs(NS, 'http-only', { hosts: ['tcp-echo'], http: [{ route: [to('v2')] }] })] });
    expect(subsetOf(plain.connect(outbound('tcp-echo', { port: 9000 })))).toBe('all');
  });

  it('a subset no DestinationRule defines is no route, not a connection elsewhere', () => {
    const r = router({ vss: [vs(NS, 'tcp-echo', { hosts: ['tcp-echo'], tcp: [{ route: [to('v9')] }] })] });
    expect(subsetOf(r.connect(outbound('tcp-echo', { port: 9000 })))).toBe('respond NR');
  });
});
