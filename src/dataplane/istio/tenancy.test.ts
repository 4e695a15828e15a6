/**
 * The router's half of tenancy: what a tenant of project evil can reach with rules the apply
 * check lets through (wildcards, names nobody owns), what exportTo hides, and what an allow opens.
 */
import { describe as suite, expect, it } from 'vitest';
import type { KubeObject } from '../../api/objects.js';
import type { ConfigSnapshot, ProjectConfig } from '../../config/snapshot.js';
import { IstioRouter } from './istio-router.js';
import { atGateway, describe, dr, gw, outbound, pod, routed, se, service, snapshot, vs } from './fixtures.js';
import type { RouteDecision } from '../router.js';

const abort = { abort: { httpStatus: 418, percentage: { value: 100 } } };
const abortOf = (d: RouteDecision): number | undefined => (d.kind === 'route' ? d.fault?.abortStatus : undefined);
const fromDemo = { project: 'demo' };
const fromEvil = { project: 'evil' };

function world(objects: Partial<ConfigSnapshot> & { allow?: string[] }): IstioRouter {
  const projects: ProjectConfig[] = [
    { name: 'demo', governance: false, ...(objects.allow ? { allowRoutesFrom: objects.allow } : {}) },
    { name: 'evil', governance: false },
  ];
  return new IstioRouter(
    snapshot({
      projects,
      services: objects.services ?? [service('demo', 'reviews'), service('demo', 'productpage'), service('evil', 'web', 80)],
      endpoints: [pod('demo', 'reviews', 'v1'), pod('demo', 'productpage', 'v1'), pod('evil', 'web', 'v1')],
      ...objects,
    }),
  );
}

/** evil's fault on every cluster name: a wildcard spanning every project. */
const everything = (): KubeObject => vs('evil', 'everything', { hosts: ['*.svc.cluster.local'], http: [{ fault: abort, route: [{ destination: { host: 'web' } }] }] });

suite('tenancy in the router', () => {
  it("confines evil's *.svc.cluster.local to evil's own hosts, for every caller", () => {
    const r = world({ virtualServices: [everything()] });
    expect(abortOf(r.route(outbound('web', fromEvil)))).toBe(418);
    expect(abortOf(r.route(outbound('web.evil', fromDemo)))).toBe(418);
    expect(describe(r.route(outbound('reviews', fromDemo)))).toBe('reviews:');
    expect(abortOf(r.route(outbound('reviews.demo', fromEvil)))).toBeUndefined();
    expect(abortOf(r.route(atGateway('productpage.demo.localhost')))).toBeUndefined();
  });

  it("lets the wildcard reach demo's hosts once demo lets evil in", () => {
    const r = world({ virtualServices: [everything()], allow: ['evil'] });
    expect(abortOf(r.route(atGateway('productpage.demo.localhost')))).toBe(418);
    expect(abortOf(r.route(outbound('reviews', fromDemo)))).toBe(418);
  });

  it("serves a * Gateway of evil only for names nobody else owns", () => {
    const r = world({
      gateways: [gw('evil', 'catchall', { servers: [{ hosts: ['*'] }] }), gw('demo', 'bookinfo', { servers: [{ hosts: ['bookinfo.example.com'] }] })],
      virtualServices: [
        vs('evil', 'catchall', { hosts: ['*'], gateways: ['catchall'], http: [{ fault: abort, route: [{ destination: { host: 'web' } }] }] }),
        vs('demo', 'bookinfo', { hosts: ['bookinfo.example.com'], gateways: ['bookinfo'], http: [{ route: [{ destination: { host: 'productpage' } }] }] }),
      ],
    });
    expect(abortOf(r.route(atGateway('anything.example.net')))).toBe(418);
    expect(describe(r.route(atGateway('bookinfo.example.com')))).toBe('productpage:');
    // demo's default hosts: its own, even for a service it does not have.
    expect(describe(r.route(atGateway('productpage.demo.localhost')))).toBe('productpage:');
    expect(describe(r.route(atGateway('nosuch.demo.localhost')))).toBe('respond 404 NR');
  });

  it('ignores a whole Gateway that serves a name another project claimed first', () => {
    const r = world({
      gateways: [gw('demo', 'bookinfo', { servers: [{ hosts: ['bookinfo.example.com'] }] }), gw('evil', 'grab', { servers: [{ hosts: ['evil.example.net', 'bookinfo.example.com'] }] })],
      virtualServices: [vs('evil', 'grab', { hosts: ['evil.example.net'], gateways: ['grab'], http: [{ route: [{ destination: { host: 'web' } }] }] })],
    });
    expect(describe(r.route(atGateway('evil.example.net')))).toBe('respond 404 NR');
  });

  it("keeps a rule for a name nobody owns to its own project's traffic: evil's ServiceEntry does not capture demo's calls", () => {
    const stripe = { hosts: ['api.stripe.com'], ports: [{ number: 80, name: 'http' }], resolution: 'STATIC', endpoints: [{ address: '10.6.6.6' }] };
    const r = world({
      serviceEntries: [se('evil', 'capture', stripe)],
      virtualServices: [vs('evil', 'capture', { hosts: ['api.stripe.com'], http: [{ fault: abort, route: [{ destination: { host: 'api.stripe.com' } }] }] })],
    });
    expect(abortOf(r.route(outbound('api.stripe.com', fromEvil)))).toBe(418);
    expect(routed(r.route(outbound('api.stripe.com', fromEvil))).cluster.endpoints.map((e) => e.address)).toEqual(['10.6.6.6']);
    expect(describe(r.route(outbound('api.stripe.com', fromDemo)))).toBe('passthrough api.stripe.com:80');
  });

  it('prefers the caller project’s own ServiceEntry for a name several projects declare', () => {
    const entry = (address: string): unknown => ({ hosts: ['db.example.internal'], ports: [{ number: 80, name: 'http' }], resolution: 'STATIC', endpoints: [{ address }] });
    const r = world({ serviceEntries: [se('evil', 'db', entry('10.6.6.6')), se('demo', 'db', entry('10.0.0.5'))] });
    expect(routed(r.route(outbound('db.example.internal', fromDemo))).cluster.endpoints.map((e) => e.address)).toEqual(['10.0.0.5']);
    expect(routed(r.route(outbound('db.example.internal', fromEvil))).cluster.endpoints.map((e) => e.address)).toEqual(['10.6.6.6']);
  });

  it('hides objects exported only to "." from other projects: VirtualServices, DestinationRules, Services', () => {
    const pool = { host: 'reviews', trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 7 } } }, exportTo: ['.'] };
    const r = world({
      services: [service('demo', 'reviews'), { ...service('demo', 'productpage'), exportTo: ['.'] }, service('evil', 'web', 80)],
      virtualServices: [vs('demo', 'reviews', { hosts: ['reviews'], exportTo: ['.'], http: [{ fault: abort, route: [{ destination: { host: 'reviews' } }] }] })],
      destinationRules: [dr('demo', 'reviews', pool)],
    });
    expect(abortOf(r.route(outbound('reviews', fromDemo)))).toBe(418);
    const seen = routed(r.route(outbound('reviews.demo', fromEvil)));
    expect(abortOf(seen)).toBeUndefined();
    expect(seen.cluster.connectionPool).toBeUndefined();
    expect(describe(r.route(outbound('productpage.demo.svc.cluster.local', fromEvil)))).toBe('respond 404 NR');
    expect(describe(r.route(outbound('productpage', fromDemo)))).toBe('productpage:');
  });
});
