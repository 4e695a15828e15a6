import { describe as suite, expect, it } from 'vitest';
import type { KubeObject } from '../../api/objects.js';
import { IstioRouter } from './istio-router.js';
import { atGateway, describe, manifest, outbound, pod, routed, service, snapshot } from './fixtures.js';

/**
 * Istio's Bookinfo samples (samples/bookinfo/networking/*.yaml), verbatim, applied in project
 * demo-project and routed as the Request Routing and Traffic Shifting task pages describe.
 */
const DESTINATION_RULE_ALL = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: productpage
spec:
  host: productpage
  subsets:
  - name: v1
    labels:
      version: v1
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
spec:
  host: ratings
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v2-mysql
    labels:
      version: v2-mysql
  - name: v2-mysql-vm
    labels:
      version: v2-mysql-vm
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: details
spec:
  host: details
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
`;

const VIRTUAL_SERVICE_ALL_V1 = ['productpage', 'reviews', 'ratings', 'details']
  .map((s) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${s}
spec:
  hosts:
  - ${s}
  http:
  - route:
    - destination:
        host: ${s}
        subset: v1
`)
  .join('---');

const REVIEWS_TEST_V2 = `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
    - reviews
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination:
        host: reviews
        subset: v2
  - route:
    - destination:
        host: reviews
        subset: v1
`;

const REVIEWS_50_V3 = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
    - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
      weight: 50
    - destination:
        host: reviews
        subset: v3
      weight: 50
`;

const BOOKINFO_GATEWAY = `
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata:
  name: bookinfo-gateway
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: 80
      name: http
      protocol: HTTP
    hosts:
    - "*"
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: bookinfo
spec:
  hosts:
  - "*"
  gateways:
  - bookinfo-gateway
  http:
  - match:
    - uri:
        exact: /productpage
    - uri:
        prefix: /static
    - uri:
        exact: /login
    - uri:
        exact: /logout
    - uri:
        prefix: /api/v1/products
    route:
    - destination:
        host: productpage
        port:
          number: 9080
`;

const NS = 'demo-project';
const PRODUCTPAGE = { project: NS, labels: { app: 'productpage', version: 'v1' } };

function bookinfo(...yamls: string[]): IstioRouter {
  const objects: KubeObject[] = yamls.flatMap((y) => manifest(y, NS));
  const versions: [string, string[]][] = [['productpage', ['v1']], ['details', ['v1']], ['reviews', ['v1', 'v2', 'v3']], ['ratings', ['v1']]];
  return new IstioRouter(
    snapshot({
      services: versions.map(([s]) => service(NS, s)),
      endpoints: versions.flatMap(([s, vs]) => vs.map((v) => pod(NS, s, v))),
      virtualServices: objects.filter((o) => o.kind === 'VirtualService'),
      destinationRules: objects.filter((o) => o.kind === 'DestinationRule'),
      gateways: objects.filter((o) => o.kind === 'Gateway'),
    }),
  );
}

const reviewsFrom = (router: IstioRouter, headers: Record<string, string> = {}): string =>
  describe(router.route(outbound('reviews', { ...PRODUCTPAGE, port: 9080, path: '/reviews/0', headers })));

suite('Bookinfo samples', () => {
  it('virtual-service-all-v1: every service answers from v1 only', () => {
    const r = bookinfo(DESTINATION_RULE_ALL, VIRTUAL_SERVICE_ALL_V1);
    for (let i = 0; i < 30; i++) expect(reviewsFrom(r)).toBe('reviews:v1');
    expect(describe(r.route(outbound('ratings', { ...PRODUCTPAGE, port: 9080 })))).toBe('ratings:v1');
    expect(describe(r.route(outbound('details', { ...PRODUCTPAGE, port: 9080 })))).toBe('details:v1');
    expect(describe(r.route(atGateway('productpage.demo-project.localhost', { path: '/productpage' })))).toBe('productpage:v1');
  });

  it('reviews-test-v2: user jason sees v2 (black stars), everyone else v1', () => {
    const r = bookinfo(DESTINATION_RULE_ALL, VIRTUAL_SERVICE_ALL_V1, REVIEWS_TEST_V2);
    // Two VirtualServices named reviews here would be one object on a cluster; apply the task's alone.
    const only = bookinfo(DESTINATION_RULE_ALL, REVIEWS_TEST_V2);
    expect(reviewsFrom(only, { 'end-user': 'jason' })).toBe('reviews:v2');
    expect(reviewsFrom(only, { 'end-user': 'amy' })).toBe('reviews:v1');
    expect(reviewsFrom(only)).toBe('reviews:v1');
    // Merged after all-v1 (older), its specific rule still wins: all-v1's catch-all moves last.
    expect(reviewsFrom(r, { 'end-user': 'jason' })).toBe('reviews:v2');
  });

  it('reviews-50-v3: half v1, half v3 (red stars), exactly over 100 requests', () => {
    const r = bookinfo(DESTINATION_RULE_ALL, REVIEWS_50_V3);
    const seen = Array.from({ length: 100 }, () => reviewsFrom(r));
    expect(seen.filter((s) => s === 'reviews:v1')).toHaveLength(50);
    expect(seen.filter((s) => s === 'reviews:v3')).toHaveLength(50);
  });

  it('bookinfo-gateway: the listed paths reach productpage, others 404 NR', () => {
    const r = bookinfo(DESTINATION_RULE_ALL, BOOKINFO_GATEWAY);
    for (const path of ['/productpage', '/static/bootstrap.css', '/login', '/logout', '/api/v1/products/0']) {
      const d = routed(r.route(atGateway('192.168.1.10', { path, port: 8080 })));
      expect(d.cluster.name).toBe('outbound|9080||productpage.demo-project.svc.cluster.local');
    }
    expect(describe(r.route(atGateway('bookinfo.local', { path: '/productpage/extra' })))).toBe('respond 404 NR');
  });
});
