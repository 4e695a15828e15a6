import { describe, expect, it } from 'vitest';
import { gw, pod, snapshot, vs } from '../istio/fixtures.js';
import { passthroughEndpoint } from './passthrough.js';

const service = (project: string) => ({ project, name: 'secure', ports: [{ name: 'tls', port: 9443, protocol: 'tcp' as const }], selector: { app: 'secure' } });
const gateway = gw('demo', 'tls-gateway', { servers: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['secure.example'], tls: { mode: 'PASSTHROUGH' } }] });
const route = (ns: string, gateways: string[]) => vs(ns, 'secure', { hosts: ['secure.example'], gateways, tls: [{ match: [{ sniHosts: ['secure.example'] }], route: [{ destination: { host: 'secure', port: { number: 9443 } } }] }] });

function snap(vss: unknown[], allowRoutesFrom?: string[]) {
  return snapshot({
    projects: [{ name: 'demo', governance: false, ...(allowRoutesFrom ? { allowRoutesFrom } : {}) }, { name: 'evil', governance: false }],
    services: [service('demo'), service('evil')],
    endpoints: [pod('demo', 'secure', 'v1'), pod('evil', 'secure', 'v1')],
    gateways: [gateway] as never,
    virtualServices: vss as never,
  });
}

describe('passthroughEndpoint', () => {
  it("routes a name by the Gateway's project's tls route", () => {
    expect(passthroughEndpoint(snap([route('demo', ['tls-gateway'])]), 'secure.example', 'demo/tls-gateway')?.project).toBe('demo');
  });

  it("another project's tls route bound to the Gateway takes none of its connections, unless that project is let in", () => {
    const hijack = route('evil', ['demo/tls-gateway']);
    expect(passthroughEndpoint(snap([hijack, route('demo', ['tls-gateway'])]), 'secure.example', 'demo/tls-gateway')?.project).toBe('demo');
    expect(passthroughEndpoint(snap([hijack]), 'secure.example', 'demo/tls-gateway')).toBeUndefined();
    expect(passthroughEndpoint(snap([hijack], ['evil']), 'secure.example', 'demo/tls-gateway')?.project).toBe('evil');
  });
});
