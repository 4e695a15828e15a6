/**
 * The router's egress decisions: CONNECT to hosts the mesh or a ServiceEntry declares (exact
 * and wildcard hosts, declared ports), the outbound policy for everything else, the default
 * route per port asked for, and the TLS a DestinationRule makes a cluster originate.
 */
import { describe as suite, expect, it } from 'vitest';
import type { ConnectDecision } from '../router.js';
import { IstioRouter } from './istio-router.js';
import { describe, dr, outbound, pod, routed, se, service, snapshot } from './fixtures.js';

const api = se('demo', 'api', {
  hosts: ['api.example.com'],
  ports: [
    { number: 80, name: 'http', protocol: 'HTTP', targetPort: 443 },
    { number: 443, name: 'https', protocol: 'HTTPS' },
  ],
  resolution: 'DNS',
});
const wiki = se('demo', 'wiki', { hosts: ['*.wikipedia.org'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'NONE' });
const tlsRule = dr('demo', 'api', { host: 'api.example.com', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', sni: 'edge.example.com' } }] } });

function router(registryOnly = false): IstioRouter {
  const reviews = pod('demo', 'reviews', 'v1');
  return new IstioRouter(
    snapshot({
      projects: [{ name: 'demo', governance: false, ...(registryOnly ? { outboundPolicy: 'REGISTRY_ONLY' as const } : {}) }],
      services: [service('demo', 'reviews')],
      endpoints: [reviews],
      serviceEntries: [api, wiki],
      destinationRules: [tlsRule],
    }),
  );
}

function connect(r: IstioRouter, host: string, port: number, project = 'demo'): string {
  const d: ConnectDecision = r.connect(outbound(host, { port, method: 'CONNECT', project }));
  if (d.kind !== 'tunnel') return describe(d);
  const ep = d.cluster.pick(undefined);
  return `tunnel ${d.cluster.name} → ${ep?.address}:${ep?.port}`;
}

suite('CONNECT (HTTPS egress)', () => {
  it('tunnels declared hosts on their declared ports: ServiceEntry, wildcard entry, mesh service', () => {
    const r = router();
    expect(connect(r, 'api.example.com', 443)).toBe('tunnel outbound|443||api.example.com → api.example.com:443');
    expect(connect(r, 'en.wikipedia.org', 443)).toBe('tunnel outbound|443||en.wikipedia.org → en.wikipedia.org:443');
    expect(connect(r, 'reviews', 9080)).toMatch(/^tunnel outbound\|9080\|\|reviews\.demo\.svc\.cluster\.local → 127\.0\.0\.1:\d+$/);
  });

  it('goes by the outbound policy for undeclared hosts and undeclared ports', () => {
    expect(connect(router(), 'evil.example.net', 443)).toBe('passthrough evil.example.net:443');
    expect(connect(router(), 'api.example.com', 8443)).toBe('passthrough api.example.com:8443');
    const locked = router(true);
    expect(connect(locked, 'evil.example.net', 443)).toBe('respond 403 NR');
    expect(connect(locked, 'api.example.com', 8443)).toBe('respond 403 NR');
    expect(connect(locked, 'en.wikipedia.org', 443)).toMatch(/^tunnel /);
    // A name only the mesh could mean is no passthrough, whatever the policy.
    expect(connect(router(), 'nosuch', 80)).toBe('respond 404 NR');
  });

  it('is the caller project\'s policy: another project stays ALLOW_ANY', () => {
    const r = new IstioRouter(
      snapshot({
        projects: [
          { name: 'demo', governance: false, outboundPolicy: 'REGISTRY_ONLY' },
          { name: 'other', governance: false },
        ],
      }),
    );
    expect(connect(r, 'evil.example.net', 443, 'demo')).toBe('respond 403 NR');
    expect(connect(r, 'evil.example.net', 443, 'other')).toBe('passthrough evil.example.net:443');
  });
});

suite('plain http:// to external hosts', () => {
  it('refuses undeclared hosts under REGISTRY_ONLY with the fix in the body', () => {
    const d = router(true).route(outbound('evil.example.net'));
    expect(d).toMatchObject({ kind: 'respond', status: 403, routeName: 'block_all', cluster: 'BlackHoleCluster' });
    expect(d.kind === 'respond' && d.body).toContain('declare it with a ServiceEntry (hosts: [evil.example.net], ports: [{number: 80}]), or let any host through (graymesh project set demo --outbound-policy ALLOW_ANY)');
    expect(describe(router().route(outbound('evil.example.net')))).toBe('passthrough evil.example.net:80');
  });

  it('routes by the port asked for: port 80 originates TLS to target port 443 with the rule\'s SNI, 443 does not', () => {
    const r = router();
    const on80 = routed(r.route(outbound('api.example.com', { port: 80 }))).cluster;
    expect(on80.name).toBe('outbound|80||api.example.com');
    expect(on80.endpoints.map((e) => `${e.address}:${e.port}`)).toEqual(['api.example.com:443']);
    expect(on80.tls).toMatchObject({ servername: 'edge.example.com', verify: true });
    const on443 = routed(r.route(outbound('api.example.com', { port: 443 }))).cluster;
    expect(on443.name).toBe('outbound|443||api.example.com');
    expect(on443.tls).toBeUndefined();
  });
});
