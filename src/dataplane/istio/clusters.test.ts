import { describe as suite, expect, it } from 'vitest';
import type { EndpointConfig } from '../../config/snapshot.js';
import type { ConfigSnapshot } from '../../config/snapshot.js';
import { endpointKey } from './balancer.js';
import { IstioRouter } from './istio-router.js';
import { describe, dr, outbound, pod, routed, se, service, snapshot, vs } from './fixtures.js';

const v1a = pod('demo', 'reviews', 'v1');
const v1b = pod('demo', 'reviews', 'v1');
const v2 = pod('demo', 'reviews', 'v2', { track: 'canary' });
const v3 = { ...pod('demo', 'reviews', 'v3'), ready: false };

function world(extra: Partial<ConfigSnapshot>): IstioRouter {
  return new IstioRouter(snapshot({ services: [service('demo', 'reviews'), service('demo', 'ratings')], endpoints: [v1a, v1b, v2, v3], ...extra }));
}

const toSubset = (subset: string, port?: number): unknown => ({
  hosts: ['reviews'],
  http: [{ route: [{ destination: { host: 'reviews', subset, ...(port ? { port: { number: port } } : {}) } }] }],
});

const SUBSETS = { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'canary', labels: { version: 'v2', track: 'canary' } }, { name: 'v3', labels: { version: 'v3' } }] };

suite('destinations and clusters', () => {
  it('selects a subset by labels, ready endpoints only, Envoy-named', () => {
    const r = routed(world({ destinationRules: [dr('demo', 'reviews', SUBSETS)], virtualServices: [vs('demo', 'reviews', toSubset('v1'))] }).route(outbound('reviews')));
    expect(r.cluster.name).toBe('outbound|9080|v1|reviews.demo.svc.cluster.local');
    expect(r.cluster.endpoints).toEqual([v1a, v1b]);
    const canary = routed(world({ destinationRules: [dr('demo', 'reviews', SUBSETS)], virtualServices: [vs('demo', 'reviews', toSubset('canary'))] }).route(outbound('reviews')));
    expect(canary.cluster.endpoints).toEqual([v2]);
    const none = routed(world({ destinationRules: [dr('demo', 'reviews', SUBSETS)], virtualServices: [vs('demo', 'reviews', toSubset('v3'))] }).route(outbound('reviews')));
    expect(none.cluster.endpoints).toEqual([]);
    expect(none.cluster.pick(undefined)).toBeUndefined();
  });

  it('answers a subset no DestinationRule defines with a reason and flag NR', () => {
    const d = world({ destinationRules: [dr('demo', 'reviews', SUBSETS)], virtualServices: [vs('demo', 'reviews', toSubset('v9'))] }).route(outbound('reviews'));
    expect(d).toMatchObject({ kind: 'route', cluster: undefined, missingFlag: 'NR' });
    expect(d.kind === 'route' && d.missing).toMatch(/subset "v9" of reviews.demo.svc.cluster.local is not defined by DestinationRule demo\/reviews \(it has v1, canary, v3\)/);
    const noRule = world({ virtualServices: [vs('demo', 'reviews', toSubset('v1'))] }).route(outbound('reviews'));
    expect(noRule.kind === 'route' && noRule.missing).toMatch(/no DestinationRule for this host/);
  });

  it('answers a destination host that is no service with flag UH', () => {
    const d = world({ virtualServices: [vs('demo', 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'nowhere' } }] }] })] }).route(outbound('reviews'));
    expect(d).toMatchObject({ kind: 'route', cluster: undefined, missingFlag: 'UH' });
    expect(d.kind === 'route' && d.missing).toContain('nowhere.demo.svc.cluster.local');
  });

  it('reaches ServiceEntry endpoints, and DNS hosts by name', () => {
    const router = world({
      serviceEntries: [
        se('demo', 'legacy', { hosts: ['legacy.example.com'], ports: [{ number: 80, name: 'http' }], resolution: 'STATIC', endpoints: [{ address: '10.0.0.7', ports: { http: 8080 }, labels: { version: 'v1' } }] }),
        se('demo', 'httpbin', { hosts: ['httpbin.org'], ports: [{ number: 80, name: 'http' }], resolution: 'DNS' }),
      ],
      virtualServices: [vs('demo', 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'legacy.example.com' } }] }] })],
    });
    const r = routed(router.route(outbound('reviews')));
    expect(r.cluster.name).toBe('outbound|80||legacy.example.com');
    expect(r.cluster.endpoints).toEqual([{ pod: '', project: 'demo', workload: '', labels: { version: 'v1' }, address: '10.0.0.7', port: 8080, ready: true }]);
    // A ServiceEntry host without rules: its cluster, not a passthrough.
    const dns = routed(router.route(outbound('httpbin.org')));
    expect(dns.cluster.endpoints.map(endpointKey)).toEqual(['httpbin.org:80']);
  });

  it('shares one cluster per (host, subset, port) across routes and hosts', () => {
    const router = world({
      destinationRules: [dr('demo', 'reviews', SUBSETS)],
      virtualServices: [
        vs('demo', 'reviews', toSubset('v1')),
        vs('demo', 'ratings', { hosts: ['ratings'], http: [{ route: [{ destination: { host: 'reviews.demo.svc.cluster.local', subset: 'v1' } }], mirror: { host: 'reviews', subset: 'v1' } }] }),
      ],
    });
    const a = routed(router.route(outbound('reviews')));
    const b = routed(router.route(outbound('ratings')));
    expect(b.cluster).toBe(a.cluster);
    expect(b.mirrors[0]?.cluster).toBe(a.cluster);
    // The same cluster from another caller namespace.
    expect(routed(router.route(outbound('reviews.demo', { project: 'other' }))).cluster).toBe(a.cluster);
  });

  it('balances hosts without rules over every ready pod, with the top-level policy and default retries', () => {
    const router = world({ destinationRules: [dr('demo', 'reviews', { host: 'reviews', trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } })] });
    const r = routed(router.route(outbound('reviews')));
    expect(r.routeName).toBe('default');
    expect(r.cluster.name).toBe('outbound|9080||reviews.demo.svc.cluster.local');
    expect(r.cluster.connectionPool).toEqual({ maxConnections: 10 });
    expect(r.retries?.attempts).toBe(2);
    const picks = Array.from({ length: 6 }, () => r.cluster.pick(undefined)?.port);
    expect(picks).toEqual([v1a.port, v1b.port, v2.port, v1a.port, v1b.port, v2.port]);
    expect(routed(router.route(outbound('ratings'))).cluster.endpoints).toEqual([]);
    expect(describe(router.route(outbound('example.com')))).toBe('passthrough example.com:80');
    expect(describe(router.route(outbound('nosuch')))).toBe('respond 404 NR');
  });

  it('resolves DestinationRule short names in its namespace and prefers the destination namespace', () => {
    const router = world({
      destinationRules: [
        dr('other', 'reviews-elsewhere', { host: 'reviews.demo.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v2' } }] }),
        dr('demo', 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
        // A short name in namespace "other" means reviews.other: it never applies to demo's reviews.
        dr('other', 'short', { host: 'reviews', subsets: [{ name: 'v9', labels: {} }] }),
      ],
      virtualServices: [vs('demo', 'reviews', toSubset('v1'))],
    });
    expect(routed(router.route(outbound('reviews'))).cluster.endpoints).toEqual([v1a, v1b]);
  });

  it('applies subset trafficPolicy over the top level, port-level settings over both', () => {
    const router = world({
      destinationRules: [
        dr('demo', 'reviews', {
          host: 'reviews',
          trafficPolicy: {
            loadBalancer: { simple: 'RANDOM' },
            connectionPool: { tcp: { maxConnections: 5, connectTimeout: '250ms' }, http: { http1MaxPendingRequests: 1, maxRetries: 3 } },
            outlierDetection: { consecutive5xxErrors: 2 },
          },
          subsets: [
            { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } },
            { name: 'port', labels: { version: 'v1' }, trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, connectionPool: { tcp: { maxConnections: 1 } } }] } },
          ],
        }),
      ],
      virtualServices: [vs('demo', 'reviews', toSubset('v1')), vs('demo', 'ratings', { hosts: ['ratings'], http: [{ route: [{ destination: { host: 'reviews', subset: 'port' } }] }] })],
    });
    const c = routed(router.route(outbound('reviews'))).cluster;
    expect(c.connectionPool).toEqual({ maxConnections: 5, connectTimeoutMs: 250, http1MaxPendingRequests: 1, maxRetries: 3 });
    expect(c.outlier).toEqual({ consecutive5xxErrors: 2, consecutiveGatewayErrors: 0, intervalMs: 10_000, baseEjectionTimeMs: 30_000, maxEjectionPercent: 10, minHealthPercent: 0 });
    const p = routed(router.route(outbound('ratings'))).cluster;
    // Port-level settings do not inherit: only their connection pool, no outlier detection.
    expect(p.connectionPool).toEqual({ maxConnections: 1 });
    expect(p.outlier).toBeUndefined();
  });
});

suite('load balancers', () => {
  const lbWorld = (trafficPolicy: unknown): IstioRouter =>
    world({ destinationRules: [dr('demo', 'reviews', { host: 'reviews', trafficPolicy, subsets: [{ name: 'all', labels: { app: 'reviews' } }] })], virtualServices: [vs('demo', 'reviews', toSubset('all'))] });

  it('skips ejected endpoints, and none is left when all are ejected (panic threshold 0)', () => {
    const c = routed(lbWorld({ outlierDetection: {} }).route(outbound('reviews'))).cluster;
    c.ejected.add(endpointKey(v1a));
    const picks = new Set(Array.from({ length: 6 }, () => c.pick(undefined)?.port));
    expect(picks).toEqual(new Set([v1b.port, v2.port]));
    c.ejected.add(endpointKey(v1b));
    c.ejected.add(endpointKey(v2));
    expect(c.pick(undefined)).toBeUndefined();
  });

  it('ignores ejections below minHealthPercent (Envoy panic mode)', () => {
    const c = routed(lbWorld({ outlierDetection: { minHealthPercent: 50 } }).route(outbound('reviews'))).cluster;
    c.ejected.add(endpointKey(v1a));
    c.ejected.add(endpointKey(v1b));
    const picks = new Set(Array.from({ length: 6 }, () => c.pick(undefined)?.port));
    expect(picks).toEqual(new Set([v1a.port, v1b.port, v2.port]));
  });

  it('avoids the excluded endpoint on a retry', () => {
    const c = routed(lbWorld({}).route(outbound('reviews'))).cluster;
    for (let i = 0; i < 6; i++) expect(c.pick(undefined, v1b)?.port).not.toBe(v1b.port);
  });

  it('LEAST_REQUEST prefers the endpoint with fewer requests in flight', () => {
    const c = routed(lbWorld({ loadBalancer: { simple: 'LEAST_REQUEST' } }).route(outbound('reviews'))).cluster;
    // The proxy core counts attempts in flight in the cluster's `active`.
    c.active.set(endpointKey(v1a), 2);
    const picks = Array.from({ length: 9 }, () => c.pick(undefined) as EndpointConfig);
    expect(picks.some((p) => p.port === v1a.port)).toBe(false);
    c.active.delete(endpointKey(v1a));
    const after = Array.from({ length: 3 }, () => (c.pick(undefined) as EndpointConfig).port);
    expect(new Set(after)).toEqual(new Set([v1a.port, v1b.port, v2.port]));
  });

  it('RANDOM stays within the endpoints', () => {
    const c = routed(lbWorld({ loadBalancer: { simple: 'RANDOM' } }).route(outbound('reviews'))).cluster;
    for (let i = 0; i < 20; i++) expect([v1a.port, v1b.port, v2.port]).toContain(c.pick(undefined)?.port);
  });

  it('consistent hash: the same key, the same endpoint, across identical snapshots', () => {
    const policy = { loadBalancer: { consistentHash: { httpHeaderName: 'X-User' } } };
    const a = routed(lbWorld(policy).route(outbound('reviews'))).cluster;
    const b = routed(lbWorld(policy).route(outbound('reviews'))).cluster;
    expect(a.hashOn).toEqual({ header: 'x-user' });
    const users = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    const first = users.map((u) => a.pick(u)?.port);
    expect(users.map((u) => a.pick(u)?.port)).toEqual(first);
    expect(users.map((u) => b.pick(u)?.port)).toEqual(first);
    // Keys spread over every endpoint.
    expect(new Set(first)).toEqual(new Set([v1a.port, v1b.port, v2.port]));
    // An ejected endpoint's keys move on; the others stay.
    a.ejected.add(endpointKey(v1a));
    const moved = users.map((u) => a.pick(u)?.port);
    users.forEach((_, i) => {
      if (first[i] !== v1a.port) expect(moved[i]).toBe(first[i]);
      else expect(moved[i]).not.toBe(v1a.port);
    });
  });

  it('hashes on a cookie with its ttl and path', () => {
    const cookie = routed(lbWorld({ loadBalancer: { consistentHash: { httpCookie: { name: 'user', ttl: '60s', path: '/' } } } }).route(outbound('reviews'))).cluster;
    expect(cookie.hashOn).toEqual({ cookie: { name: 'user', ttlSeconds: 60, path: '/' } });
  });
});
