import { describe as suite, expect, it } from 'vitest';
import { IstioRouter } from './istio-router.js';
import { describe, dr, outbound, pod, service, snapshot, vs, type RequestOptions } from './fixtures.js';
import type { HTTPMatchRequest } from './types.js';

/**
 * Each case puts its `match` on the first rule (→ subset v2) ahead of a catch-all rule
 * (→ v1), so a request routed to v2 matched and one routed to v1 did not.
 */
function routerWith(match: HTTPMatchRequest[]): IstioRouter {
  return new IstioRouter(
    snapshot({
      services: [service('demo', 'reviews')],
      endpoints: [pod('demo', 'reviews', 'v1'), pod('demo', 'reviews', 'v2')],
      destinationRules: [dr('demo', 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] })],
      virtualServices: [
        vs('demo', 'reviews', {
          hosts: ['reviews'],
          http: [
            { match, route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
            { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
          ],
        }),
      ],
    }),
  );
}

interface Case {
  name: string;
  match: HTTPMatchRequest[];
  req: RequestOptions;
  matches: boolean;
}

const cases: Case[] = [
  { name: 'uri exact', match: [{ uri: { exact: '/reviews/0' } }], req: { path: '/reviews/0?x=1' }, matches: true },
  { name: 'uri exact is not prefix', match: [{ uri: { exact: '/reviews' } }], req: { path: '/reviews/0' }, matches: false },
  { name: 'uri prefix', match: [{ uri: { prefix: '/reviews' } }], req: { path: '/reviews/0' }, matches: true },
  { name: 'uri prefix ignores the query', match: [{ uri: { prefix: '/a?' } }], req: { path: '/a?b' }, matches: false },
  { name: 'uri regex is a full match', match: [{ uri: { regex: '/reviews/[0-9]+' } }], req: { path: '/reviews/12' }, matches: true },
  { name: 'uri regex does not search', match: [{ uri: { regex: 'reviews' } }], req: { path: '/reviews/12' }, matches: false },
  { name: 'uri case-sensitive by default', match: [{ uri: { prefix: '/Reviews' } }], req: { path: '/reviews' }, matches: false },
  { name: 'ignoreUriCase prefix', match: [{ uri: { prefix: '/Reviews' }, ignoreUriCase: true }], req: { path: '/REVIEWS/1' }, matches: true },
  { name: 'ignoreUriCase exact', match: [{ uri: { exact: '/A' }, ignoreUriCase: true }], req: { path: '/a' }, matches: true },
  { name: 'method exact', match: [{ method: { exact: 'POST' } }], req: { method: 'POST' }, matches: true },
  { name: 'method mismatch', match: [{ method: { exact: 'POST' } }], req: { method: 'GET' }, matches: false },
  { name: 'scheme', match: [{ scheme: { exact: 'https' } }], req: { scheme: 'https' }, matches: true },
  { name: 'authority prefix', match: [{ authority: { prefix: 'reviews' } }], req: {}, matches: true },
  { name: 'authority includes the port', match: [{ authority: { exact: 'reviews:9080' } }], req: { port: 9080 }, matches: true },
  { name: 'header exact', match: [{ headers: { 'end-user': { exact: 'jason' } } }], req: { headers: { 'end-user': 'jason' } }, matches: true },
  { name: 'header exact is case-sensitive', match: [{ headers: { 'end-user': { exact: 'jason' } } }], req: { headers: { 'end-user': 'Jason' } }, matches: false },
  { name: 'header absent', match: [{ headers: { 'end-user': { exact: 'jason' } } }], req: {}, matches: false },
  { name: 'header prefix', match: [{ headers: { 'x-version': { prefix: 'v2' } } }], req: { headers: { 'x-version': 'v2-beta' } }, matches: true },
  { name: 'user-agent regex', match: [{ headers: { 'user-agent': { regex: '.*Firefox.*' } } }], req: { headers: { 'user-agent': 'Mozilla/5.0 Firefox/128.0' } }, matches: true },
  { name: 'user-agent regex miss', match: [{ headers: { 'user-agent': { regex: '.*Firefox.*' } } }], req: { headers: { 'user-agent': 'curl/8' } }, matches: false },
  // Istio's example cookie regex: the raw Cookie header, so "user=jason" must follow a ";" directly or start it.
  { name: 'cookie regex', match: [{ headers: { cookie: { regex: '^(.*?;)?(user=jason)(;.*)?$' } } }], req: { headers: { cookie: 'user=jason; theme=dark' } }, matches: true },
  { name: 'cookie regex after ";"', match: [{ headers: { cookie: { regex: '^(.*?;)?(user=jason)(;.*)?$' } } }], req: { headers: { cookie: 'session=1;user=jason' } }, matches: true },
  { name: 'cookie regex miss', match: [{ headers: { cookie: { regex: '^(.*?;)?(user=jason)(;.*)?$' } } }], req: { headers: { cookie: 'user=jasonx' } }, matches: false },
  { name: 'header {} means present', match: [{ headers: { 'x-canary': {} } }], req: { headers: { 'x-canary': '' } }, matches: true },
  { name: 'header {} absent', match: [{ headers: { 'x-canary': {} } }], req: {}, matches: false },
  { name: 'header regex "*" means present', match: [{ headers: { 'x-canary': { regex: '*' } } }], req: { headers: { 'x-canary': 'y' } }, matches: true },
  { name: 'withoutHeaders exact excludes', match: [{ withoutHeaders: { 'end-user': { exact: 'jason' } } }], req: { headers: { 'end-user': 'jason' } }, matches: false },
  { name: 'withoutHeaders exact admits others', match: [{ withoutHeaders: { 'end-user': { exact: 'jason' } } }], req: { headers: { 'end-user': 'amy' } }, matches: true },
  { name: 'withoutHeaders exact admits absent', match: [{ withoutHeaders: { 'end-user': { exact: 'jason' } } }], req: {}, matches: true },
  { name: 'withoutHeaders {} requires absence', match: [{ withoutHeaders: { 'x-debug': {} } }], req: { headers: { 'x-debug': '1' } }, matches: false },
  { name: 'withoutHeaders {} absent', match: [{ withoutHeaders: { 'x-debug': {} } }], req: {}, matches: true },
  { name: 'query exact', match: [{ queryParams: { v: { exact: '2' } } }], req: { path: '/r?a=1&v=2' }, matches: true },
  { name: 'query exact miss', match: [{ queryParams: { v: { exact: '2' } } }], req: { path: '/r?v=22' }, matches: false },
  { name: 'query prefix', match: [{ queryParams: { v: { prefix: 'be' } } }], req: { path: '/r?v=beta' }, matches: true },
  { name: 'query regex', match: [{ queryParams: { id: { regex: '[0-9]+' } } }], req: { path: '/r?id=42' }, matches: true },
  { name: 'query {} present', match: [{ queryParams: { debug: {} } }], req: { path: '/r?debug' }, matches: true },
  { name: 'query {} absent', match: [{ queryParams: { debug: {} } }], req: { path: '/r?x=debug' }, matches: false },
  { name: 'sourceLabels subset', match: [{ sourceLabels: { app: 'productpage' } }], req: { labels: { app: 'productpage', version: 'v1' } }, matches: true },
  { name: 'sourceLabels mismatch', match: [{ sourceLabels: { app: 'productpage', version: 'v2' } }], req: { labels: { app: 'productpage', version: 'v1' } }, matches: false },
  { name: 'sourceNamespace', match: [{ sourceNamespace: 'demo' }], req: {}, matches: true },
  { name: 'sourceNamespace other', match: [{ sourceNamespace: 'prod' }], req: {}, matches: false },
  { name: 'gateways mesh for workloads', match: [{ gateways: ['mesh'] }], req: {}, matches: true },
  { name: 'named gateway never for workloads', match: [{ gateways: ['bookinfo-gateway'] }], req: {}, matches: false },
  { name: 'match gateways override sourceLabels', match: [{ gateways: ['mesh'], sourceLabels: { app: 'nobody' } }], req: {}, matches: true },
  { name: 'port', match: [{ port: 9080 }], req: { port: 9080 }, matches: true },
  { name: 'port mismatch', match: [{ port: 9080 }], req: { port: 80 }, matches: false },
  { name: 'AND: all conditions', match: [{ uri: { prefix: '/r' }, headers: { 'end-user': { exact: 'jason' } } }], req: { path: '/r', headers: { 'end-user': 'jason' } }, matches: true },
  { name: 'AND: one fails', match: [{ uri: { prefix: '/r' }, headers: { 'end-user': { exact: 'jason' } } }], req: { path: '/r' }, matches: false },
  { name: 'OR: second entry', match: [{ uri: { prefix: '/a' } }, { headers: { 'end-user': { exact: 'jason' } } }], req: { path: '/b', headers: { 'end-user': 'jason' } }, matches: true },
  { name: 'OR: none', match: [{ uri: { prefix: '/a' } }, { uri: { prefix: '/c' } }], req: { path: '/b' }, matches: false },
];

suite('HTTPMatchRequest', () => {
  it.each(cases)('$name', ({ match, req, matches }) => {
    const d = routerWith(match).route(outbound('reviews', req));
    expect(describe(d)).toBe(matches ? 'reviews:v2' : 'reviews:v1');
  });

  it('first match wins, in rule order', () => {
    const router = new IstioRouter(
      snapshot({
        services: [service('demo', 'reviews')],
        endpoints: [pod('demo', 'reviews', 'v1'), pod('demo', 'reviews', 'v2'), pod('demo', 'reviews', 'v3')],
        destinationRules: [dr('demo', 'reviews', { host: 'reviews', subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })) })],
        virtualServices: [
          vs('demo', 'reviews', {
            hosts: ['reviews'],
            http: [
              { match: [{ uri: { prefix: '/reviews/1' } }], route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
              { match: [{ uri: { prefix: '/reviews' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
              { match: [{ uri: { prefix: '/reviews/2' } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
            ],
          }),
        ],
      }),
    );
    expect(describe(router.route(outbound('reviews', { path: '/reviews/1' })))).toBe('reviews:v3');
    // /reviews/2 also matches the third rule, but the second comes first.
    expect(describe(router.route(outbound('reviews', { path: '/reviews/2' })))).toBe('reviews:v2');
    // A VirtualService exists and no rule matches: Envoy's 404 NR.
    expect(describe(router.route(outbound('reviews', { path: '/other' })))).toBe('respond 404 NR');
  });
});
