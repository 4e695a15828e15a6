import { describe as suite, expect, it } from 'vitest';
import type { KubeObject } from '../../api/objects.js';
import type { ProjectConfig } from '../../config/snapshot.js';
import { IstioRouter } from './istio-router.js';
import { atGateway, describe, dr, gw, outbound, pod, routed, service, snapshot, vs } from './fixtures.js';

const SUBSETS = (host: string): unknown => ({ host, subsets: ['v1', 'v2'].map((v) => ({ name: v, labels: { version: v } })) });

function router(objects: { vss?: KubeObject[]; gateways?: KubeObject[]; projects?: ProjectConfig[] }): IstioRouter {
  return new IstioRouter(
    snapshot({
      ...(objects.projects ? { projects: objects.projects } : {}),
      services: [service('demo', 'productpage'), service('demo', 'reviews'), service('shop', 'web', 80)],
      endpoints: [pod('demo', 'productpage', 'v1'), pod('demo', 'reviews', 'v1'), pod('demo', 'reviews', 'v2'), pod('shop', 'web', 'v1'), pod('shop', 'web', 'v2')],
      destinationRules: [dr('demo', 'reviews', SUBSETS('reviews')), dr('shop', 'web', SUBSETS('web'))],
      virtualServices: objects.vss ?? [],
      gateways: objects.gateways ?? [],
    }),
  );
}

const toReviews = (subset: string): unknown => [{ destination: { host: 'reviews', subset } }];

suite('gateway listener', () => {
  it("serves <service>.<project>.localhost by the service's mesh rules", () => {
    const r = router({
      vss: [
        vs('demo', 'reviews', { hosts: ['reviews'], http: [{ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: toReviews('v2') }, { route: toReviews('v1') }] }),
        // Bound to a named gateway only: not a mesh rule, so not for the default host.
        vs('demo', 'reviews-gw', { hosts: ['reviews'], gateways: ['public'], http: [{ route: toReviews('v2') }] }),
      ],
    });
    expect(describe(r.route(atGateway('reviews.demo.localhost', { port: 8080 })))).toBe('reviews:v1');
    expect(describe(r.route(atGateway('reviews.demo.localhost', { headers: { 'end-user': 'jason' } })))).toBe('reviews:v2');
    // No rules: plain round-robin over the service.
    const plain = routed(r.route(atGateway('productpage.demo.localhost')));
    expect(plain.routeName).toBe('default');
    expect(plain.cluster.name).toBe('outbound|9080||productpage.demo.svc.cluster.local');
    expect(describe(r.route(atGateway('nosuch.demo.localhost')))).toBe('respond 404 NR');
  });

  it('sees the gateway as a mesh source with the ingress gateway labels', () => {
    const r = router({
      vss: [
        vs('demo', 'reviews', {
          hosts: ['reviews'],
          http: [
            { match: [{ sourceLabels: { istio: 'ingressgateway' } }], route: toReviews('v2') },
            { route: toReviews('v1') },
          ],
        }),
      ],
    });
    expect(describe(r.route(atGateway('reviews.demo.localhost')))).toBe('reviews:v2');
    expect(describe(r.route(outbound('reviews')))).toBe('reviews:v1');
  });

  it('routes Gateway hosts by the VirtualServices bound to them, destinations in their namespace', () => {
    const r = router({
      // The shared Gateway's project owns its hosts and lets the tenants' rules in.
      projects: [
        { name: 'istio-system', governance: false, allowRoutesFrom: ['demo', 'shop'] },
        { name: 'demo', governance: false },
        { name: 'shop', governance: false },
      ],
      gateways: [gw('istio-system', 'public', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*.example.com', 'shop.test'] }] })],
      vss: [
        vs('demo', 'bookinfo', { hosts: ['bookinfo.example.com'], gateways: ['istio-system/public'], http: [{ route: toReviews('v2') }] }),
        vs('shop', 'web', { hosts: ['*.example.com', 'shop.test'], gateways: ['istio-system/public'], http: [{ route: [{ destination: { host: 'web', subset: 'v1' } }] }] }),
      ],
    });
    expect(describe(r.route(atGateway('bookinfo.example.com', { port: 8080 })))).toBe('reviews:v2');
    // The most specific VirtualService host wins: *.example.com for any other name under it.
    expect(describe(r.route(atGateway('store.example.com')))).toBe('web:v1');
    expect(describe(r.route(atGateway('shop.test')))).toBe('web:v1');
    expect(describe(r.route(atGateway('example.com')))).toBe('respond 404 NR');
    expect(describe(r.route(atGateway('other.test')))).toBe('respond 404 NR');
    // Bound to the gateway only: workloads do not see it.
    expect(describe(r.route(outbound('bookinfo.example.com')))).toBe('passthrough bookinfo.example.com:80');
  });

  it('resolves gateway names in the VirtualService namespace and honours ns/ host prefixes', () => {
    const r = router({
      // demo owns the Gateway's hosts and lets shop's rules in; the ns/ prefixes still decide who binds where.
      projects: [
        { name: 'demo', governance: false, allowRoutesFrom: ['shop'] },
        { name: 'shop', governance: false },
      ],
      gateways: [
        gw('demo', 'demo-gw', { servers: [{ hosts: ['./demo.example.com', 'shop/shop.example.com'] }] }),
      ],
      vss: [
        vs('demo', 'a', { hosts: ['demo.example.com'], gateways: ['demo-gw'], http: [{ route: toReviews('v1') }] }),
        // Namespace shop may not bind demo.example.com (the gateway admits only its own namespace there).
        vs('shop', 'b', { hosts: ['demo.example.com', 'shop.example.com'], gateways: ['demo/demo-gw'], http: [{ route: [{ destination: { host: 'web', subset: 'v2' } }] }] }),
        // A bare name resolves in the VirtualService's namespace: shop/demo-gw does not exist.
        vs('shop', 'c', { hosts: ['shop.example.com'], gateways: ['demo-gw'], http: [{ route: [{ destination: { host: 'web', subset: 'v1' } }] }] }),
      ],
    });
    expect(describe(r.route(atGateway('demo.example.com')))).toBe('reviews:v1');
    expect(describe(r.route(atGateway('shop.example.com')))).toBe('web:v2');
  });

  it('matches `gateways` per match entry: a gateway name at the gateway, mesh for workloads', () => {
    const r = router({
      gateways: [gw('demo', 'bookinfo-gateway', { servers: [{ hosts: ['*'] }] })],
      vss: [
        vs('demo', 'reviews', {
          hosts: ['reviews', 'reviews.example.com'],
          gateways: ['bookinfo-gateway', 'mesh'],
          http: [
            { match: [{ gateways: ['bookinfo-gateway'] }], route: toReviews('v2') },
            { match: [{ gateways: ['mesh'] }], route: toReviews('v1') },
          ],
        }),
      ],
    });
    expect(describe(r.route(atGateway('reviews.example.com')))).toBe('reviews:v2');
    expect(describe(r.route(outbound('reviews')))).toBe('reviews:v1');
    // The default host follows mesh rules.
    expect(describe(r.route(atGateway('reviews.demo.localhost')))).toBe('reviews:v1');
  });

  it('merges VirtualServices for one gateway host, catch-all rules last', () => {
    const r = router({
      gateways: [gw('demo', 'public', { servers: [{ hosts: ['app.example.com'] }] })],
      vss: [
        vs('demo', 'catchall', { hosts: ['app.example.com'], gateways: ['public'], http: [{ route: toReviews('v1') }] }),
        vs('demo', 'api', { hosts: ['app.example.com'], gateways: ['public'], http: [{ match: [{ uri: { prefix: '/api' } }], route: toReviews('v2') }] }),
      ],
    });
    expect(describe(r.route(atGateway('app.example.com', { path: '/api/x' })))).toBe('reviews:v2');
    expect(describe(r.route(atGateway('app.example.com', { path: '/' })))).toBe('reviews:v1');
  });
});
