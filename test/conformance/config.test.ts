/**
 * Istio objects through the CLI as the contract has them: v1beta1 and v1alpha3 input
 * stored and printed as networking.istio.io/v1, `get -o yaml` output that applies back unchanged,
 * and invalid documents refused with one line naming kind, name and field path, nothing applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ISTIO_SAMPLES, Mesh } from './mesh.js';

const P = 'cfg';

const VS_V1BETA1 = `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: reviews
  labels: {team: books}
spec:
  hosts: [reviews]
  http:
  - name: jason
    match:
    - headers:
        end-user: {exact: jason}
      uri: {prefix: /reviews}
    route:
    - destination: {host: reviews, subset: v2}
    timeout: 2s
    retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,connect-failure"}
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v3}
      weight: 10
    mirror: {host: reviews, subset: v2}
    mirrorPercentage: {value: 5.5}
    fault:
      delay: {fixedDelay: 1s, percentage: {value: 0.1}}
`;

const DR_V1ALPHA3 = `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: LEAST_REQUEST}
    connectionPool:
      tcp: {maxConnections: 10, connectTimeout: 300ms}
      http: {http1MaxPendingRequests: 5, maxRetries: 2}
    outlierDetection: {consecutive5xxErrors: 3, interval: 10s, baseEjectionTime: 30s}
  subsets:
  - {name: v1, labels: {version: v1}}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer:
        consistentHash: {httpCookie: {name: user, ttl: 0s}}
  - {name: v3, labels: {version: v3}}
`;

/** A valid VirtualService `name` whose first rule gets `rule` (YAML, indented for a list item's fields). */
function vsWith(name: string, rule: string): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}}
spec:
  hosts: [reviews]
  http:
  - ${rule.trim().replace(/\n/g, '\n    ')}
`;
}

const ROUTE_V1 = 'route:\n- destination: {host: reviews, subset: v1}';

/** Documents Istio refuses, and the field path the error must name. */
const INVALID: { name: string; doc: string; error: RegExp }[] = [
  {
    name: 'weights summing to 90',
    doc: vsWith('bad-weights', 'route:\n- destination: {host: reviews, subset: v1}\n  weight: 80\n- destination: {host: reviews, subset: v2}\n  weight: 10'),
    error: /^error: VirtualService bad-weights: spec\.http\[0\]\.route: .*90.*100/,
  },
  {
    name: 'an unknown field',
    doc: vsWith('bad-field', `${ROUTE_V1}\ntimeoutt: 1s`),
    error: /^error: VirtualService bad-field: spec\.http\[0\]\.timeoutt: /,
  },
  {
    name: 'an uppercase header name',
    doc: vsWith('bad-header', `match:\n- headers:\n    End-User: {exact: jason}\n${ROUTE_V1}`),
    error: /^error: VirtualService bad-header: spec\.http\[0\]\.match\[0\]\.headers(\.End-User|\["End-User"\]): .*lower/i,
  },
  {
    name: 'a lookahead regex (not RE2)',
    doc: vsWith('bad-regex', `match:\n- uri: {regex: "/reviews/(?=[0-9])"}\n${ROUTE_V1}`),
    error: /^error: VirtualService bad-regex: spec\.http\[0\]\.match\[0\]\.uri\.regex: /,
  },
  {
    name: 'rewrite together with redirect',
    doc: vsWith('bad-rewrite', 'redirect: {uri: /new}\nrewrite: {uri: /other}'),
    error: /^error: VirtualService bad-rewrite: spec\.http\[0\]: .*rewrite.*redirect|^error: VirtualService bad-rewrite: spec\.http\[0\]\.(rewrite|redirect): /,
  },
  {
    name: 'a bad duration',
    doc: vsWith('bad-duration', `${ROUTE_V1}\ntimeout: 1 sec`),
    error: /^error: VirtualService bad-duration: spec\.http\[0\]\.timeout: /,
  },
  {
    name: 'a DestinationRule with a negative maxConnections',
    doc: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: bad-pool}
spec:
  host: reviews
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: -1}
`,
    error: /^error: DestinationRule bad-pool: spec\.trafficPolicy\.connectionPool\.tcp\.maxConnections: /,
  },
];

describe('Istio objects through the CLI', () => {
  const mesh = new Mesh(P);

  beforeAll(async () => {
    await mesh.start();
    expect((await mesh.cli(['project', 'create', P])).code).toBe(0);
  }, 60_000);

  afterAll(() => mesh.cleanup());

  describe('round trip', () => {
    const cases: { kind: string; short: string; name: string; input: string }[] = [
      { kind: 'virtualservice', short: 'vs', name: 'reviews', input: VS_V1BETA1 },
      { kind: 'destinationrule', short: 'dr', name: 'reviews', input: DR_V1ALPHA3 },
      { kind: 'gateway', short: 'gw', name: 'bookinfo-gateway', input: path.join(ISTIO_SAMPLES, 'bookinfo-gateway.yaml') },
      { kind: 'serviceentry', short: 'se', name: 'googleapis', input: path.join(ISTIO_SAMPLES, 'egress-rule-google-apis.yaml') },
    ];

    beforeAll(async () => {
      for (const c of cases) {
        const r = await mesh.apply(c.input);
        expect(r.stdout).toContain(`${c.kind}/${c.name} (${P}) created`);
      }
    });

    it.each(cases)('$short $name: older apiVersion stored as v1; -o yaml and -o json apply back unchanged', async (c) => {
      const yaml = await mesh.cli(['get', c.short, c.name, '-p', P, '-o', 'yaml']);
      expect(yaml.code, yaml.stderr).toBe(0);
      expect(yaml.stdout).toMatch(/^apiVersion: networking\.istio\.io\/v1\n/m);
      expect(yaml.stdout).toMatch(new RegExp(`^kind: ${c.kind}$`, 'im'));
      const again = await mesh.cli(['apply', '-f', '-', '-p', P], yaml.stdout);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toBe('');
      expect(again.stdout).toBe(`${c.kind}/${c.name} (${P}) unchanged\n`);
      const json = await mesh.cli(['get', c.short, c.name, '-p', P, '-o', 'json']);
      expect(JSON.parse(json.stdout).apiVersion).toBe('networking.istio.io/v1');
      const fromJson = await mesh.cli(['apply', '-f', '-', '-p', P], json.stdout);
      expect(fromJson.stdout).toBe(`${c.kind}/${c.name} (${P}) unchanged\n`);
    });

    it('the spec is kept as written (percentages, durations, nested policies)', async () => {
      const vs = JSON.parse((await mesh.cli(['get', 'virtualservices', 'reviews', '-p', P, '-o', 'json'])).stdout);
      expect(vs.metadata.labels).toEqual({ team: 'books' });
      expect(vs.spec.http[0]).toMatchObject({ name: 'jason', timeout: '2s', retries: { attempts: 3, perTryTimeout: '500ms', retryOn: '5xx,connect-failure' } });
      expect(vs.spec.http[1]).toMatchObject({ mirrorPercentage: { value: 5.5 }, fault: { delay: { fixedDelay: '1s', percentage: { value: 0.1 } } } });
      const dr = JSON.parse((await mesh.cli(['get', 'destinationrules', 'reviews', '-p', P, '-o', 'json'])).stdout);
      expect(dr.spec.subsets[1].trafficPolicy.loadBalancer.consistentHash.httpCookie).toEqual({ name: 'user', ttl: '0s' });
    });

    it('lists with the short and long names, and deletes by name', async () => {
      // Short names are read above; here the long ones list.
      for (const kind of ['virtualservices', 'destinationrules', 'gateways']) {
        const r = await mesh.cli(['get', kind, '-p', P]);
        expect(r.code, `${kind}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(/^NAME\s+HOSTS\s+AGE/);
      }
      const del = await mesh.cli(['delete', 'gw', 'bookinfo-gateway', '-p', P]);
      expect(del.code, del.stderr).toBe(0);
      expect((await mesh.cli(['get', 'gw', 'bookinfo-gateway', '-p', P])).code).toBe(1);
      // The VirtualService of the same file is gone only when deleted too: delete -f takes both.
      await mesh.delete(path.join(ISTIO_SAMPLES, 'bookinfo-gateway.yaml'));
      expect((await mesh.cli(['get', 'vs', 'bookinfo', '-p', P])).code).toBe(1);
    });
  });

  describe('invalid documents: exit 1, one line naming kind, name and field, nothing applied', () => {
    it.each(INVALID)('$name', async (c) => {
      const r = await mesh.cli(['apply', '-f', '-', '-p', P], c.doc);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(c.error);
      const name = /name: ([a-z-]+)/.exec(c.doc)![1] as string;
      const kind = c.doc.includes('kind: DestinationRule') ? 'dr' : 'vs';
      expect((await mesh.cli(['get', kind, name, '-p', P])).code).toBe(1);
    });

    it('a multi-document file with one bad document applies none of them', async () => {
      const good = vsWith('good-one', ROUTE_V1);
      const goodDr = DR_V1ALPHA3.replace('name: reviews', 'name: good-dr');
      const bad = INVALID[0]!.doc;
      const r = await mesh.cli(['apply', '-f', '-', '-p', P], [good, goodDr, bad].join('---\n'));
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')[0]).toMatch(/^error: VirtualService bad-weights: spec\.http\[0\]\.route: /);
      expect((await mesh.cli(['get', 'vs', 'good-one', '-p', P])).code).toBe(1);
      expect((await mesh.cli(['get', 'dr', 'good-dr', '-p', P])).code).toBe(1);
      // The good documents alone apply.
      await mesh.apply([good, goodDr].join('---\n'));
      await mesh.delete([good, goodDr].join('---\n'));
    });

    it('a refused update leaves the stored object as it was', async () => {
      await mesh.apply(vsWith('stable', ROUTE_V1));
      const before = (await mesh.cli(['get', 'vs', 'stable', '-p', P, '-o', 'yaml'])).stdout;
      const r = await mesh.cli(['apply', '-f', '-', '-p', P], vsWith('stable', `${ROUTE_V1}\ntimeout: soon`));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: VirtualService stable: spec\.http\[0\]\.timeout: /);
      expect((await mesh.cli(['get', 'vs', 'stable', '-p', P, '-o', 'yaml'])).stdout).toBe(before);
    });
  });
});
