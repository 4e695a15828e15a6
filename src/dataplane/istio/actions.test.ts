import { describe as suite, expect, it } from 'vitest';
import type { RouteDecision } from '../router.js';
import { IstioRouter } from './istio-router.js';
import { dr, outbound, pod, routed, service, snapshot, vs, type RequestOptions } from './fixtures.js';
import type { HTTPRoute } from './types.js';

const SUBSETS = { host: 'reviews', subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })) };

/** Routes one request to `reviews` through a VirtualService made of `http`. */
function routeWith(http: HTTPRoute[], req: RequestOptions = {}): RouteDecision {
  const router = new IstioRouter(
    snapshot({
      services: [service('demo', 'reviews'), service('demo', 'ratings')],
      endpoints: [pod('demo', 'reviews', 'v1'), pod('demo', 'reviews', 'v2'), pod('demo', 'ratings', 'v1')],
      destinationRules: [dr('demo', 'reviews', SUBSETS)],
      virtualServices: [vs('demo', 'reviews', { hosts: ['reviews'], http })],
    }),
  );
  return router.route(outbound('reviews', req));
}

const toV1 = [{ destination: { host: 'reviews', subset: 'v1' } }];

suite('route actions', () => {
  it('mirrors with their percentages: default 100, explicit 0 none, unresolvable dropped', () => {
    const r = routed(
      routeWith([{ route: toV1, mirror: { host: 'reviews', subset: 'v2' }, mirrorPercentage: { value: 12.5 }, mirrors: [{ destination: { host: 'ratings' } }, { destination: { host: 'reviews', subset: 'v3' }, percentage: { value: 0 } }, { destination: { host: 'reviews', subset: 'v9' } }] }]),
    );
    expect(r.mirrors.map((m) => [m.cluster.name, m.percent])).toEqual([
      ['outbound|9080|v2|reviews.demo.svc.cluster.local', 12.5],
      ['outbound|9080||ratings.demo.svc.cluster.local', 100],
    ]);
    expect(routed(routeWith([{ route: toV1, mirror: { host: 'reviews', subset: 'v2' } }])).mirrors[0]?.percent).toBe(100);
    expect(routed(routeWith([{ route: toV1, mirror: { host: 'reviews', subset: 'v2' }, mirrorPercent: 30 }])).mirrors[0]?.percent).toBe(30);
  });

  it('merges the rule header operations, then the destination ones', () => {
    const r = routed(
      routeWith([
        {
          headers: { request: { set: { 'X-Rule': 'r' }, remove: ['x-drop'] }, response: { add: { 'x-served-by': 'rule' } } },
          route: [{ destination: { host: 'reviews', subset: 'v1' }, headers: { request: { set: { 'x-dest': 'd' }, add: { 'x-extra': '1' } }, response: { remove: ['server'] } } }],
        },
      ]),
    );
    expect(r.requestHeaders).toEqual({ set: [['x-rule', 'r'], ['x-dest', 'd']], add: [['x-extra', '1']], remove: ['x-drop'] });
    expect(r.responseHeaders).toEqual({ add: [['x-served-by', 'rule']], remove: ['server'] });
  });

  it('turns a host header set into an authority rewrite, rewrite.authority first', () => {
    const byHeader = routed(routeWith([{ headers: { request: { set: { host: 'a.example' } } }, route: toV1 }]));
    expect(byHeader.rewriteAuthority).toBe('a.example');
    expect(byHeader.requestHeaders).toBeUndefined();
    const both = routed(routeWith([{ rewrite: { authority: 'b.example' }, headers: { request: { set: { host: 'a.example' } } }, route: toV1 }]));
    expect(both.rewriteAuthority).toBe('b.example');
  });

  const rewrites: [string, HTTPRoute['match'], HTTPRoute['rewrite'], string, string][] = [
    ['prefix match: the prefix is replaced', [{ uri: { prefix: '/ratings' } }], { uri: '/v1/bookRatings' }, '/ratings/2?x=1', '/v1/bookRatings/2?x=1'],
    ['exact match: the whole path', [{ uri: { exact: '/old' } }], { uri: '/new' }, '/old?q', '/new?q'],
    ['regex match: the whole path', [{ uri: { regex: '/item/[0-9]+' } }], { uri: '/item' }, '/item/42', '/item'],
    ['no uri match: the leading "/"', undefined, { uri: '/api/' }, '/reviews/1', '/api/reviews/1'],
    ['second match entry decides', [{ uri: { prefix: '/a' } }, { uri: { prefix: '/bb' } }], { uri: '/x' }, '/bb/c', '/x/c'],
    ['uriRegexRewrite replaces every occurrence', undefined, { uriRegexRewrite: { match: '^/service/([^/]+)(/.*)$', rewrite: '\\2/instance/\\1' } }, '/service/a/b?k=v', '/b/instance/a?k=v'],
  ];

  it.each(rewrites)('rewrite.uri, %s', (_name, match, rewrite, path, want) => {
    const rule: HTTPRoute = { route: toV1 };
    if (match) rule.match = match;
    if (rewrite) rule.rewrite = rewrite;
    expect(routed(routeWith([rule], { path })).rewritePath).toBe(want);
  });

  const redirects: [string, HTTPRoute['redirect'], RequestOptions, string, number][] = [
    ['uri keeps the query, 301 by default', { uri: '/v2/reviews' }, { path: '/reviews?x=1' }, 'http://reviews/v2/reviews?x=1', 301],
    ['authority replaces the host and port', { authority: 'new.example.com', redirectCode: 302 }, { path: '/p', port: 9080 }, 'http://new.example.com/p', 302],
    ['scheme change drops the old default port', { scheme: 'https' }, { path: '/p' }, 'https://reviews/p', 301],
    ['scheme change keeps another port', { scheme: 'https' }, { path: '/p', port: 9080 }, 'https://reviews:9080/p', 301],
    ['port replaces the request port', { port: 8443, scheme: 'https' }, { path: '/p', port: 9080 }, 'https://reviews:8443/p', 301],
    ['a default port is not written', { port: 443, scheme: 'https' }, { path: '/p', port: 9080 }, 'https://reviews/p', 301],
    ['derivePort FROM_REQUEST_PORT', { derivePort: 'FROM_REQUEST_PORT', authority: 'x.example' }, { path: '/p', port: 9080 }, 'http://x.example:9080/p', 301],
    ['uri with its own query replaces the query', { uri: '/n?a=b', redirectCode: 308 }, { path: '/p?x=1' }, 'http://reviews/n?a=b', 308],
  ];

  it.each(redirects)('redirect, %s', (_name, redirect, req, location, status) => {
    const d = routeWith([{ redirect: redirect as NonNullable<HTTPRoute['redirect']>, headers: { response: { set: { 'x-r': '1' } } } }], req);
    expect(d).toEqual({ kind: 'redirect', status, location, routeName: 'demo/reviews:http[0]', responseHeaders: { set: [['x-r', '1']] } });
  });

  it('answers directResponse itself', () => {
    expect(routeWith([{ name: 'maint', directResponse: { status: 503, body: { string: 'down for maintenance' } } }])).toEqual({ kind: 'direct', status: 503, body: 'down for maintenance', routeName: 'demo/reviews:maint' });
    expect(routeWith([{ directResponse: { status: 200, body: { bytes: Buffer.from('hi').toString('base64') } } }])).toMatchObject({ body: 'hi' });
    expect(routeWith([{ directResponse: { status: 204 } }])).toMatchObject({ status: 204, body: '' });
  });

  it("uses Istio's default retries when absent, none with attempts 0", () => {
    const def = routed(routeWith([{ route: toV1 }])).retries;
    expect(def).toEqual({ attempts: 2, retryOn: new Set(['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes']), retriableStatusCodes: new Set([503]) });
    expect(routed(routeWith([{ route: toV1, retries: { attempts: 0 } }])).retries).toBeUndefined();
    // Attempts alone keep the default conditions.
    expect(routed(routeWith([{ route: toV1, retries: { attempts: 5 } }])).retries?.retryOn).toEqual(def?.retryOn);
  });

  it('parses retryOn: numbers are status codes', () => {
    const r = routed(routeWith([{ route: toV1, retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error, connect-failure,503,429' } }])).retries;
    expect(r).toEqual({ attempts: 3, perTryTimeoutMs: 2000, retryOn: new Set(['gateway-error', 'connect-failure', 'retriable-status-codes']), retriableStatusCodes: new Set([503, 429]) });
  });

  it('translates timeout and fault', () => {
    const r = routed(routeWith([{ route: toV1, timeout: '1.5s', fault: { delay: { fixedDelay: '7s', percentage: { value: 10 } }, abort: { httpStatus: 500, percentage: { value: 0.1 } } } }]));
    expect(r.timeoutMs).toBe(1500);
    expect(r.fault).toEqual({ delayMs: 7000, delayPercent: 10, abortStatus: 500, abortPercent: 0.1 });
    // Without percentage every request, per the reference; the deprecated integer percent still counts.
    expect(routed(routeWith([{ route: toV1, fault: { abort: { httpStatus: 418 } } }])).fault).toEqual({ abortStatus: 418, abortPercent: 100 });
    expect(routed(routeWith([{ route: toV1, fault: { delay: { fixedDelay: '1s', percent: 25 } } }])).fault).toEqual({ delayMs: 1000, delayPercent: 25 });
    expect(routed(routeWith([{ route: toV1 }])).timeoutMs).toBeUndefined();
  });

  it('translates corsPolicy', () => {
    const cors = routed(
      routeWith([{ route: toV1, corsPolicy: { allowOrigins: [{ exact: 'https://a.example' }, { regex: 'https://.*\\.b\\.example' }], allowMethods: ['GET', 'POST'], allowHeaders: ['x-a'], exposeHeaders: ['x-b'], maxAge: '24h', allowCredentials: true } }]),
    ).cors;
    expect(cors).toMatchObject({ allowMethods: ['GET', 'POST'], allowHeaders: ['x-a'], exposeHeaders: ['x-b'], maxAgeSeconds: 86400, allowCredentials: true });
    const allowed = (o: string): boolean => cors?.allowOrigins.some((f) => f(o)) ?? false;
    expect(['https://a.example', 'https://x.b.example'].map(allowed)).toEqual([true, true]);
    expect(['https://c.example', 'https://a.example.evil'].map(allowed)).toEqual([false, false]);
    const any = routed(routeWith([{ route: toV1, corsPolicy: { allowOrigins: [{ exact: '*' }] } }])).cors;
    expect(any?.allowOrigins.some((f) => f('https://anything'))).toBe(true);
  });

  it('names the VirtualService and field when a regex does not compile', () => {
    expect(() => routeWith([{ match: [{ headers: { 'x-a': { regex: '(?=x)' } } }], route: toV1 }])).toThrow(/^VirtualService demo\/reviews: spec\.http\[0\]\.match\[0\]\.headers\.x-a\.regex: lookaround/);
  });
});
