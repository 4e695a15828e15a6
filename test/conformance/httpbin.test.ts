/**
 * The data plane's features one by one, each as Istio's reference and tasks describe it, sent
 * from inside the mesh: a `sleep` workload's outbound listener carries every request to httpbin,
 * whose stdout (`graymesh logs POD`) shows what reached it and whose proxy access log
 * (`graymesh logs POD --proxy`) shows Envoy's response flags.
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/
 * https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { eventually } from '../helpers/instance.js';
import { ISTIO_SAMPLES, Mesh, field, parseAccessLine, sendMany, speaking, startServer, tally, type Reply, type TestServer } from './mesh.js';

const P = 'conf';
const HTTPBIN = 'http://httpbin:8000';

/** One VirtualService, as JSON (YAML's superset, so `apply -f -` takes it). */
function vs(name: string, hosts: string[], http: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name }, spec: { hosts, ...extra, http } });
}

function dr(name: string, host: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name }, spec: { host, ...spec } });
}

function list(...docs: string[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs.map((d) => JSON.parse(d) as unknown) });
}

const V1 = { destination: { host: 'httpbin', subset: 'v1' } };
const HTTPBIN_DR = dr('httpbin', 'httpbin', {
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
});

const WORKLOADS = `apiVersion: v1
kind: Service
metadata: {name: httpbin, labels: {app: httpbin}}
spec:
  ports: [{name: http, port: 8000, targetPort: 8080}]
  selector: {app: httpbin}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin-v1}
spec:
  selector: {matchLabels: {app: httpbin, version: v1}}
  template:
    metadata: {labels: {app: httpbin, version: v1}}
    spec:
      containers: [{name: httpbin, image: graymesh/httpbin:1.0, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin-v2}
spec:
  selector: {matchLabels: {app: httpbin, version: v2}}
  template:
    metadata: {labels: {app: httpbin, version: v2}}
    spec:
      containers: [{name: httpbin, image: graymesh/httpbin:1.0, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  ports: [{name: http, port: 8000, targetPort: 8080}]
  selector: {app: lb}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: lb}
spec:
  replicas: 3
  selector: {matchLabels: {app: lb}}
  template:
    metadata: {labels: {app: lb, version: v1}}
    spec:
      containers: [{name: httpbin, image: graymesh/httpbin:1.0}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep, version: v1}}
    spec:
      containers: [{name: sleep, image: graymesh/httpbin:1.0}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: curl}
spec:
  selector: {matchLabels: {app: curl}}
  template:
    metadata: {labels: {app: curl}}
    spec:
      containers: [{name: curl, image: graymesh/httpbin:1.0}]
`;

describe('Istio data-plane conformance (httpbin)', () => {
  const mesh = new Mesh(P);
  let v1Pod = '';
  let v2Pod = '';
  let sleepPod = '';
  const servers: TestServer[] = [];

  const get = (url: string, headers: Record<string, string> = {}): Promise<Reply> => mesh.send('sleep', url, { headers });
  /** Lines httpbin v1 printed for requests carrying `marker` (a unique query string per case). */
  const v1Lines = (marker: string, min = 1): Promise<string[]> => mesh.logLines(v1Pod, marker, min);

  beforeAll(async () => {
    await mesh.start();
    expect((await mesh.cli(['project', 'create', P])).code).toBe(0);
    await mesh.apply(WORKLOADS);
    await mesh.waitReady({ 'httpbin-v1': 1, 'httpbin-v2': 1, lb: 3, sleep: 1, curl: 1 });
    await mesh.apply(HTTPBIN_DR);
    v1Pod = (await mesh.podsOf('httpbin-v1'))[0]!.metadata.name;
    v2Pod = (await mesh.podsOf('httpbin-v2'))[0]!.metadata.name;
    sleepPod = (await mesh.podsOf('sleep'))[0]!.metadata.name;
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    mesh.cleanup();
  });

  it('without a VirtualService, httpbin balances round-robin over both versions', async () => {
    const r = await sendMany(4, () => get(`${HTTPBIN}/get`));
    expect(tally(r.map((x) => field(x, 'version')))).toEqual({ v1: 2, v2: 2 });
  });

  it("without a VirtualService, Istio's default retry policy still applies: a 503 is tried 3 times", async () => {
    expect((await get(`${HTTPBIN}/status/503?case=novs`)).status).toBe(503);
    const count = async (): Promise<number> =>
      [...(await mesh.logs(v1Pod)).split('\n'), ...(await mesh.logs(v2Pod)).split('\n')].filter((l) => l.includes('case=novs')).length;
    await eventually(async () => (await count()) >= 3, 10_000, 50);
    // The caller had its answer only after the last try: no more can come.
    expect(await count()).toBe(3);
  });

  /** One rule per case, chosen by the `case` query parameter (so one VirtualService serves a whole section). */
  const byCase = (cases: Record<string, Record<string, unknown>>): string =>
    vs('httpbin', ['httpbin'], [
      ...Object.entries(cases).map(([c, rule]) => ({ name: c, match: [{ queryParams: { case: { exact: c } } }], route: [V1], ...rule })),
      { name: 'other', route: [V1] },
    ]);

  describe('retries', () => {
    const config = byCase({
      retry3: { retries: { attempts: 3, retryOn: '5xx' } },
      'retry-ok': { retries: { attempts: 20, retryOn: '503' } },
      postretry: { retries: { attempts: 2, retryOn: '5xx' } },
      retry0: { retries: { attempts: 0 } },
      default503: {},
      default500: {},
      pertry: { retries: { attempts: 2, perTryTimeout: '0.2s', retryOn: 'gateway-error' } },
    });
    beforeAll(async () => {
      await mesh.apply(config);
    });
    afterAll(() => mesh.delete(config));

    it('attempts 3 on /status/503: httpbin receives 4 requests; the access log flags URX', async () => {
      expect((await get(`${HTTPBIN}/status/503?case=retry3`)).status).toBe(503);
      await v1Lines('case=retry3', 4);
      // As the task reads it: httpbin's own output shows the original request and 3 retries.
      expect((await mesh.cliLogs(v1Pod)).split('\n').filter((l) => l.startsWith('GET /status/503?case=retry3 host=httpbin:8000 503'))).toHaveLength(4);
      const line = parseAccessLine((await mesh.accessLines(sleepPod, 'case=retry3'))[0] as string);
      expect(line).toMatchObject({ status: 503, flags: 'URX' });
    });

    it('retryOn with a status code: a retry that gets a 200 answers 200', async () => {
      // /status/503:1,200:1 answers either at random; 20 retries all getting 503 has odds of 1 in 2 million.
      expect((await get(`${HTTPBIN}/status/503:1,200:1?case=retry-ok`)).status).toBe(200);
    });

    it('a POST body is sent again on every retry', async () => {
      const r = await mesh.send('sleep', `${HTTPBIN}/status/503?case=postretry`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
      expect(r.status).toBe(503);
      expect(await v1Lines('POST /status/503?case=postretry', 3)).toHaveLength(3);
    });

    it('attempts 0 disables retries: exactly 1 request', async () => {
      expect((await get(`${HTTPBIN}/status/503?case=retry0`)).status).toBe(503);
      // A later request proves the first one's log lines are all in.
      await get(`${HTTPBIN}/get?case=retry0-done`);
      await v1Lines('case=retry0-done');
      expect((await v1Lines('case=retry0', 2)).filter((l) => l.includes('/status/503?case=retry0 '))).toHaveLength(1);
    });

    it("no retries field: Istio's default, 2 retries on 503 (3 requests), none on 500", async () => {
      expect((await get(`${HTTPBIN}/status/503?case=default503`)).status).toBe(503);
      expect((await get(`${HTTPBIN}/status/500?case=default500`)).status).toBe(500);
      await get(`${HTTPBIN}/get?case=default-done`);
      await v1Lines('case=default-done');
      expect(await v1Lines('case=default503')).toHaveLength(3);
      expect(await v1Lines('case=default500')).toHaveLength(1);
    });

    it('perTryTimeout 0.2s on /delay/1 with attempts 2: 3 tries, then 504 UT', async () => {
      const r = await get(`${HTTPBIN}/delay/1?case=pertry`);
      expect(r.status).toBe(504);
      expect(r.body).toContain('upstream request timeout');
      expect(await v1Lines('case=pertry', 3)).toHaveLength(3);
      const line = parseAccessLine((await mesh.accessLines(sleepPod, 'case=pertry'))[0] as string);
      expect(line.status).toBe(504);
      expect(line.flags.split(',')).toContain('UT');
    });
  });

  describe('fault injection', () => {
    const config = byCase({
      abort: { fault: { abort: { httpStatus: 418, percentage: { value: 100 } } } },
      delayabort: { fault: { delay: { fixedDelay: '300ms', percentage: { value: 100 } }, abort: { httpStatus: 503, percentage: { value: 100 } } } },
      never: { fault: { abort: { httpStatus: 500, percentage: { value: 0 } } } },
    });
    beforeAll(async () => {
      await mesh.apply(config);
    });
    afterAll(() => mesh.delete(config));

    it('abort 100%: the proxy answers httpStatus itself (FI), httpbin never sees the request', async () => {
      const r = await get(`${HTTPBIN}/get?case=abort`);
      expect(r.status).toBe(418);
      expect(r.body).toBe('fault filter abort\n');
      await get(`${HTTPBIN}/get?case=abort-done`);
      await v1Lines('case=abort-done');
      expect((await mesh.logs(v1Pod)).includes('case=abort ')).toBe(false);
      const line = parseAccessLine((await mesh.accessLines(sleepPod, 'case=abort '))[0] as string);
      expect(line).toMatchObject({ status: 418, flags: 'FI' });
    });

    it('delay then abort on one rule: at least the delay passes, the answer is the abort, flagged DI,FI', async () => {
      const r = await get(`${HTTPBIN}/get?case=delayabort`);
      expect(r.status).toBe(503);
      expect(r.ms).toBeGreaterThanOrEqual(290);
      const line = parseAccessLine((await mesh.accessLines(sleepPod, 'case=delayabort'))[0] as string);
      expect(line).toMatchObject({ status: 503, flags: 'DI,FI' });
    });

    it('percentage 0 never injects; a fault on one rule leaves the others alone', async () => {
      expect((await sendMany(5, () => get(`${HTTPBIN}/get?case=never`))).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect((await get(`${HTTPBIN}/status/200?case=abort`)).status).toBe(418);
      expect((await get(`${HTTPBIN}/status/200?case=other`)).status).toBe(200);
    });
  });

  describe('circuit breaking', () => {
    it('connectionPool.http.maxRetries 1: a second concurrent retry overflows, and the upstream answer is passed on whole with UO', async () => {
      const config = list(
        dr('httpbin', 'httpbin', { subsets: [{ name: 'v1', labels: { version: 'v1' } }], trafficPolicy: { connectionPool: { http: { maxRetries: 1 } } } }),
        vs('httpbin', ['httpbin'], [{ route: [V1], retries: { attempts: 1, perTryTimeout: '1500ms', retryOn: '5xx' } }]),
      );
      await mesh.with(config, async () => {
        await mesh.proxyPortOf('sleep');
        // A: its first try times out after 1.5 s, and its retry holds the one retry slot for 1.5 s more.
        const a = get(`${HTTPBIN}/delay/4?case=overflow-a`);
        await new Promise((r) => setTimeout(r, 2_200));
        // B: a 503 while A's retry is in flight: retrying would exceed maxRetries.
        const b = await get(`${HTTPBIN}/status/503?case=overflow-b`);
        expect(b.status).toBe(503);
        expect(JSON.parse(b.body)).toMatchObject({ status: 503, version: 'v1' });
        expect((await a).status).toBe(504);
      });
      await mesh.apply(HTTPBIN_DR);
      expect(await v1Lines('case=overflow-b')).toHaveLength(1);
      const line = parseAccessLine((await mesh.accessLines(sleepPod, 'case=overflow-b'))[0] as string);
      expect(line).toMatchObject({ status: 503, flags: 'UO' });
    });

    it("Istio's httpbin-circuit-breaker (maxConnections 1, http1MaxPendingRequests 1): 2 at once pass, 5 at once overflow with 503 UO", async () => {
      await mesh.apply(path.join(ISTIO_SAMPLES, 'httpbin-circuit-breaker.yaml'));
      try {
        const burst = (n: number, tag: string): Promise<Reply[]> =>
          Promise.all(Array.from({ length: n }, (_, i) => get(`${HTTPBIN}/delay/1?case=${tag}-${i}`)));
        expect((await burst(2, 'cb2')).map((r) => r.status)).toEqual([200, 200]);
        const five = await burst(5, 'cb5');
        const codes = tally(five.map((r) => String(r.status)));
        expect(codes['200']).toBeGreaterThanOrEqual(1);
        expect(codes['503']).toBeGreaterThanOrEqual(1);
        expect(five.filter((r) => r.status === 503).every((r) => r.body.includes('overflow'))).toBe(true);
        const lines = (await mesh.accessLines(sleepPod, 'case=cb5', 5)).map(parseAccessLine);
        expect(lines.filter((l) => l.flags === 'UO')).toHaveLength(codes['503'] as number);
        expect(lines.filter((l) => l.flags === 'UO').every((l) => l.status === 503)).toBe(true);
      } finally {
        await mesh.apply(HTTPBIN_DR);
      }
    });

    it('outlierDetection consecutive5xxErrors 2 ejects the failing endpoint; the healthy one takes the rest', async () => {
      const good = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('good\n'));
      const bad = await startServer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('bad\n'));
      servers.push(good, bad);
      const se = JSON.stringify({
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: { name: 'flaky' },
        spec: {
          hosts: ['flaky.external.test'],
          location: 'MESH_EXTERNAL',
          resolution: 'STATIC',
          ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
          endpoints: [
            { address: '127.0.0.1', ports: { http: good.port } },
            { address: '127.0.0.1', ports: { http: bad.port } },
          ],
        },
      });
      const rule = dr('flaky', 'flaky.external.test', {
        trafficPolicy: {
          loadBalancer: { simple: 'ROUND_ROBIN' },
          outlierDetection: { consecutive5xxErrors: 2, interval: '1s', baseEjectionTime: '1m', maxEjectionPercent: 100 },
        },
      });
      await mesh.with(list(se, rule), async () => {
        const codes = (await sendMany(12, (i) => get(`http://flaky.external.test/x?i=${i}`))).map((r) => r.status);
        expect(bad.requests).toHaveLength(2);
        expect(codes.filter((c) => c === 500)).toHaveLength(2);
        expect(codes.slice(4)).toEqual(Array(8).fill(200));
      });
    });
  });

  describe('mirroring', () => {
    it('v1 100% + mirror v2: v2 receives the copy with Host httpbin-shadow:8000, the caller gets v1', async () => {
      const config = vs('httpbin', ['httpbin'], [{ route: [{ ...V1, weight: 100 }], mirror: { host: 'httpbin', subset: 'v2' }, mirrorPercentage: { value: 100 } }]);
      await mesh.with(config, async () => {
        const r = await get(`${HTTPBIN}/headers?case=mirror`);
        expect(r.status).toBe(200);
        expect(field(r, 'version')).toBe('v1');
      });
      expect(await v1Lines('case=mirror')).toEqual([expect.stringContaining('GET /headers?case=mirror host=httpbin:8000 200')]);
      await mesh.logLines(v2Pod, 'case=mirror');
      // As the task reads it, in v2's own output.
      expect((await mesh.cliLogs(v2Pod)).split('\n').filter((l) => l.includes('case=mirror'))).toEqual([
        expect.stringContaining('GET /headers?case=mirror host=httpbin-shadow:8000'),
      ]);
    });

    it('mirrorPercentage 0 mirrors nothing', async () => {
      const config = vs('httpbin', ['httpbin'], [{ route: [V1], mirror: { host: 'httpbin', subset: 'v2' }, mirrorPercentage: { value: 0 } }]);
      await mesh.with(config, async () => {
        for (let i = 0; i < 3; i++) expect((await get(`${HTTPBIN}/get?case=m0-${i}`)).status).toBe(200);
        // A mirrored request sent after them: once its copy is in, theirs would be too.
        await mesh.apply(vs('httpbin', ['httpbin'], [{ route: [V1], mirror: { host: 'httpbin', subset: 'v2' } }]));
        await get(`${HTTPBIN}/get?case=m0-done`);
      });
      await mesh.logLines(v2Pod, 'case=m0-done');
      expect((await mesh.logs(v2Pod)).split('\n').filter((l) => /case=m0-\d/.test(l))).toEqual([]);
      expect(await v1Lines('case=m0-', 4)).toHaveLength(4);
    });

    it('a dead mirror target (never answers, or refuses) neither fails nor holds the main request', async () => {
      const hang = await startServer(() => undefined);
      servers.push(hang);
      const refused = await startServer(() => undefined);
      const refusedPort = refused.port;
      await refused.close();
      const se = (name: string, host: string, port: number): string =>
        JSON.stringify({
          apiVersion: 'networking.istio.io/v1',
          kind: 'ServiceEntry',
          metadata: { name },
          spec: { hosts: [host], location: 'MESH_EXTERNAL', resolution: 'STATIC', ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], endpoints: [{ address: '127.0.0.1', ports: { http: port } }] },
        });
      const config = list(
        se('hang', 'hang.external.test', hang.port),
        se('refused', 'refused.external.test', refusedPort),
        vs('httpbin', ['httpbin'], [
          { route: [V1], mirrors: [{ destination: { host: 'hang.external.test' } }, { destination: { host: 'refused.external.test' }, percentage: { value: 100 } }] },
        ]),
      );
      await mesh.with(config, async () => {
        const replies = await sendMany(5, (i) => get(`${HTTPBIN}/get?case=deadmirror-${i}`));
        expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
        await eventually(() => hang.requests.length === 5, 10_000);
        expect(hang.requests[0]).toMatch(/^GET \/get\?case=deadmirror-0 host=httpbin-shadow:8000$/);
      });
    });
  });

  describe('match conditions: first match wins, AND within a match, OR across matches', () => {
    const rule = (name: string, match: unknown[] | undefined): Record<string, unknown> => ({
      name,
      ...(match ? { match } : {}),
      route: [{ ...V1, headers: { response: { set: { 'x-rule': name } } } }],
    });
    const config = vs('httpbin', ['httpbin'], [
      rule('first-a', [{ uri: { exact: '/anything/first' } }]),
      rule('first-b', [{ uri: { exact: '/anything/first' } }]),
      rule('exact', [{ uri: { exact: '/anything/exact' } }]),
      rule('prefix', [{ uri: { prefix: '/anything/prefix/' } }]),
      rule('regex', [{ uri: { regex: '/anything/re/[0-9]+' } }]),
      rule('nocase', [{ uri: { exact: '/anything/NoCase' }, ignoreUriCase: true }]),
      rule('method', [{ uri: { prefix: '/anything/method' }, method: { exact: 'POST' } }]),
      rule('authority', [{ uri: { prefix: '/anything/auth' }, authority: { prefix: `httpbin.${P}` } }]),
      rule('scheme', [{ uri: { prefix: '/anything/scheme' }, scheme: { exact: 'http' } }]),
      rule('hdr-exact', [{ headers: { 'x-h': { exact: 'one' } } }]),
      rule('hdr-prefix', [{ headers: { 'x-p': { prefix: 'pre' } } }]),
      rule('hdr-regex', [{ headers: { 'x-r': { regex: 'v[0-9]+' } } }]),
      rule('hdr-present', [{ headers: { 'x-any': {} } }]),
      rule('cookie', [{ headers: { cookie: { regex: '.*\\buser=jason\\b.*' } } }]),
      rule('user-agent', [{ headers: { 'user-agent': { prefix: 'Mozilla' } } }]),
      rule('without', [{ uri: { prefix: '/anything/without' }, withoutHeaders: { 'x-skip': { exact: 'yes' } } }]),
      rule('query', [{ uri: { prefix: '/anything/query' }, queryParams: { v: { exact: '1' } } }]),
      rule('query-regex', [{ uri: { prefix: '/anything/qre' }, queryParams: { id: { regex: '[a-f]+' } } }]),
      rule('source', [{ uri: { prefix: '/anything/source' }, sourceLabels: { app: 'sleep' } }]),
      rule('or', [{ uri: { exact: '/anything/or1' } }, { uri: { exact: '/anything/or2' } }]),
      rule('and', [{ uri: { prefix: '/anything/and' }, headers: { 'x-and': { exact: 'yes' } } }]),
      rule('default', undefined),
    ]);
    const cases: { name: string; url: string; want: string; from?: string; method?: string; headers?: Record<string, string> }[] = [
      { name: 'first rule wins over an identical later one', url: '/anything/first', want: 'first-a' },
      { name: 'uri exact', url: '/anything/exact', want: 'exact' },
      { name: 'uri exact is not a prefix', url: '/anything/exact/more', want: 'default' },
      { name: 'uri exact ignores the query string', url: '/anything/exact?a=1', want: 'exact' },
      { name: 'uri prefix', url: '/anything/prefix/x/y', want: 'prefix' },
      { name: 'uri regex (full match)', url: '/anything/re/123', want: 'regex' },
      { name: 'uri regex must match the whole path', url: '/anything/re/12a', want: 'default' },
      { name: 'ignoreUriCase', url: '/anything/NOCASE', want: 'nocase' },
      { name: 'uri exact is case-sensitive without ignoreUriCase', url: '/anything/EXACT', want: 'default' },
      { name: 'method POST', url: '/anything/method', method: 'POST', want: 'method' },
      { name: 'method GET does not match POST', url: '/anything/method', want: 'default' },
      { name: 'authority prefix', url: `http://httpbin.${P}:8000/anything/auth`, want: 'authority' },
      { name: 'authority differs', url: '/anything/auth', want: 'default' },
      { name: 'scheme exact http', url: '/anything/scheme', want: 'scheme' },
      { name: 'header exact', url: '/anything/h', headers: { 'x-h': 'one' }, want: 'hdr-exact' },
      { name: 'header exact is case-sensitive', url: '/anything/h', headers: { 'x-h': 'ONE' }, want: 'default' },
      { name: 'header prefix', url: '/anything/h', headers: { 'x-p': 'prefixed' }, want: 'hdr-prefix' },
      { name: 'header regex (full match)', url: '/anything/h', headers: { 'x-r': 'v12' }, want: 'hdr-regex' },
      { name: 'header regex rejects a partial match', url: '/anything/h', headers: { 'x-r': 'v12x' }, want: 'default' },
      { name: 'header present (empty match)', url: '/anything/h', headers: { 'x-any': '' }, want: 'hdr-present' },
      { name: 'header names match case-insensitively', url: '/anything/h', headers: { 'X-H': 'one' }, want: 'hdr-exact' },
      { name: 'cookie header', url: '/anything/c', headers: { cookie: 'a=b; user=jason' }, want: 'cookie' },
      { name: 'user-agent header', url: '/anything/ua', headers: { 'user-agent': 'Mozilla/5.0' }, want: 'user-agent' },
      { name: 'withoutHeaders: absent', url: '/anything/without', want: 'without' },
      { name: 'withoutHeaders: present with the value', url: '/anything/without', headers: { 'x-skip': 'yes' }, want: 'default' },
      { name: 'withoutHeaders: present with another value', url: '/anything/without', headers: { 'x-skip': 'no' }, want: 'without' },
      { name: 'queryParams exact', url: '/anything/query?v=1', want: 'query' },
      { name: 'queryParams other value', url: '/anything/query?v=2', want: 'default' },
      { name: 'queryParams absent', url: '/anything/query', want: 'default' },
      { name: 'queryParams regex', url: '/anything/qre?x=0&id=beef', want: 'query-regex' },
      { name: 'sourceLabels match the caller', url: '/anything/source', want: 'source' },
      { name: 'sourceLabels from another workload', url: '/anything/source', from: 'curl', want: 'default' },
      { name: 'OR across matches (first)', url: '/anything/or1', want: 'or' },
      { name: 'OR across matches (second)', url: '/anything/or2', want: 'or' },
      { name: 'AND within a match: both hold', url: '/anything/and', headers: { 'x-and': 'yes' }, want: 'and' },
      { name: 'AND within a match: only the uri', url: '/anything/and', want: 'default' },
      { name: 'AND within a match: only the header', url: '/anything/other', headers: { 'x-and': 'yes' }, want: 'default' },
    ];

    beforeAll(async () => {
      await mesh.apply(config);
    });
    afterAll(() => mesh.delete(config));

    it.each(cases)('$name', async (c) => {
      const url = c.url.startsWith('http') ? c.url : `${HTTPBIN}${c.url}`;
      const r = await mesh.send(c.from ?? 'sleep', url, { method: c.method ?? 'GET', headers: c.headers ?? {}, ...(c.method === 'POST' ? { body: '' } : {}) });
      expect(`${r.status} ${String(r.headers['x-rule'])}`).toBe(`200 ${c.want}`);
    });
  });

  describe('rewrite, redirect, directResponse, header operations, CORS', () => {
    const config = vs('httpbin', ['httpbin'], [
      { match: [{ uri: { prefix: '/old/' } }], rewrite: { uri: '/anything/new/' }, route: [V1] },
      { match: [{ uri: { prefix: '/renamed' } }], rewrite: { uri: '/headers', authority: 'newhost.example' }, route: [V1] },
      { match: [{ uri: { prefix: '/regex/' } }], rewrite: { uriRegexRewrite: { match: '^/regex/([a-z]+)/(\\d+)$', rewrite: '/anything/\\2/\\1' } }, route: [V1] },
      { match: [{ uri: { exact: '/moved' } }], redirect: { uri: '/anything/target', authority: 'elsewhere.example' } },
      { match: [{ uri: { exact: '/secure' } }], redirect: { scheme: 'https', redirectCode: 308 } },
      { match: [{ uri: { exact: '/teapot' } }], directResponse: { status: 418, body: { string: 'short and stout\n' } } },
      {
        match: [{ uri: { prefix: '/headers' } }, { uri: { prefix: '/response-headers' } }],
        headers: {
          request: { set: { 'x-set': 'rule' }, add: { 'x-add': 'added' }, remove: ['x-remove-me'] },
          response: { set: { 'x-resp-set': 'set' }, add: { 'x-resp-add': 'added' }, remove: ['x-drop'] },
        },
        route: [{ ...V1, headers: { request: { set: { 'x-dest': 'v1' } } } }],
      },
      {
        match: [{ uri: { prefix: '/cors' } }],
        rewrite: { uri: '/get' },
        corsPolicy: {
          allowOrigins: [{ exact: 'https://good.example' }, { regex: 'https://.*\\.trusted\\.example' }],
          allowMethods: ['GET', 'POST'],
          allowHeaders: ['x-custom'],
          exposeHeaders: ['x-exposed'],
          maxAge: '24h',
          allowCredentials: true,
        },
        route: [V1],
      },
    ]);

    beforeAll(async () => {
      await mesh.apply(config);
    });
    afterAll(() => mesh.delete(config));

    it('rewrite.uri replaces the matched prefix and keeps the query', async () => {
      const r = await get(`${HTTPBIN}/old/x/y?q=1`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).url).toBe('http://httpbin:8000/anything/new/x/y?q=1');
    });

    it('rewrite.uriRegexRewrite substitutes capture groups', async () => {
      const r = await get(`${HTTPBIN}/regex/abc/42?q=2`);
      expect(JSON.parse(r.body).url).toBe('http://httpbin:8000/anything/42/abc?q=2');
    });

    it('rewrite.authority changes the Host the upstream sees', async () => {
      const r = await get(`${HTTPBIN}/renamed`);
      expect(JSON.parse(r.body).headers.Host).toBe('newhost.example');
    });

    it('redirect answers 301 with a Location built from uri and authority', async () => {
      const r = await get(`${HTTPBIN}/moved?keep=1`);
      expect(r.status).toBe(301);
      expect(r.headers.location).toBe('http://elsewhere.example/anything/target?keep=1');
      const s = await get(`${HTTPBIN}/secure`);
      expect(s.status).toBe(308);
      expect(s.headers.location).toBe('https://httpbin:8000/secure');
    });

    it('directResponse answers from the proxy', async () => {
      const r = await get(`${HTTPBIN}/teapot`);
      expect(r.status).toBe(418);
      expect(r.body).toBe('short and stout\n');
    });

    it('request headers set, add, remove (rule and destination); response headers set, add, remove', async () => {
      const r = await get(`${HTTPBIN}/headers`, { 'x-remove-me': 'gone', 'x-set': 'client' });
      const seen = JSON.parse(r.body).headers as Record<string, string>;
      expect(seen['X-Set']).toBe('rule');
      expect(seen['X-Add']).toBe('added');
      expect(seen['X-Dest']).toBe('v1');
      expect(seen['X-Remove-Me']).toBeUndefined();
      expect(r.headers['x-resp-set']).toBe('set');
      expect(r.headers['x-resp-add']).toBe('added');
      const rh = await get(`${HTTPBIN}/response-headers?x-drop=1&x-keep=1`);
      expect(rh.status).toBe(200);
      expect(rh.headers['x-keep']).toBe('1');
      expect(rh.headers['x-drop']).toBeUndefined();
    });

    it('corsPolicy: a preflight from an allowed origin is answered by the proxy', async () => {
      const pre = await mesh.send('sleep', `${HTTPBIN}/cors`, {
        method: 'OPTIONS',
        headers: { origin: 'https://good.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-custom' },
      });
      expect(pre.status).toBe(200);
      expect(pre.headers['access-control-allow-origin']).toBe('https://good.example');
      expect(pre.headers['access-control-allow-methods']).toBe('GET,POST');
      expect(pre.headers['access-control-allow-headers']).toBe('x-custom');
      expect(pre.headers['access-control-max-age']).toBe('86400');
      expect(pre.headers['access-control-allow-credentials']).toBe('true');
      const regex = await mesh.send('sleep', `${HTTPBIN}/cors`, {
        method: 'OPTIONS',
        headers: { origin: 'https://a.trusted.example', 'access-control-request-method': 'GET' },
      });
      expect(regex.headers['access-control-allow-origin']).toBe('https://a.trusted.example');
      const denied = await mesh.send('sleep', `${HTTPBIN}/cors`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('corsPolicy: a simple request from an allowed origin gets allow-origin and expose-headers; others get neither', async () => {
      const ok = await get(`${HTTPBIN}/cors`, { origin: 'https://good.example' });
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('https://good.example');
      expect(ok.headers['access-control-expose-headers']).toBe('x-exposed');
      const other = await get(`${HTTPBIN}/cors`, { origin: 'https://evil.example' });
      expect(other.status).toBe(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('load balancers and subsets (per-subset trafficPolicy over the same three pods)', () => {
    const subset = (name: string, lb?: Record<string, unknown>): Record<string, unknown> => ({
      name,
      labels: { app: 'lb' },
      ...(lb ? { trafficPolicy: { loadBalancer: lb } } : {}),
    });
    const config = list(
      dr('lb', 'lb', {
        // Top level: RANDOM; subsets override it, except `random`, which inherits it.
        trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
        subsets: [
          subset('rr', { simple: 'ROUND_ROBIN' }),
          subset('random'),
          subset('least', { simple: 'LEAST_REQUEST' }),
          subset('header', { consistentHash: { httpHeaderName: 'x-user' } }),
          subset('cookie', { consistentHash: { httpCookie: { name: 'lbcookie', ttl: '60s', path: '/' } } }),
          subset('sourceip', { consistentHash: { useSourceIp: true } }),
          subset('query', { consistentHash: { httpQueryParameterName: 'user' } }),
        ],
      }),
      vs(
        'lb',
        ['lb'],
        ['rr', 'random', 'least', 'header', 'cookie', 'sourceip', 'query'].map((s) => ({
          match: [{ headers: { 'x-lb': { exact: s } } }],
          route: [{ destination: { host: 'lb', subset: s } }],
          retries: { attempts: 0 },
        })),
      ),
    );
    let pods: string[] = [];
    const lb = (subsetName: string, urlPath = '/get', headers: Record<string, string> = {}): Promise<Reply> =>
      get(`http://lb:8000${urlPath}`, { 'x-lb': subsetName, ...headers });

    beforeAll(async () => {
      await mesh.apply(config);
      pods = (await mesh.podsOf('lb')).map((p) => p.metadata.name);
      expect(pods).toHaveLength(3);
    });
    afterAll(() => mesh.delete(config));

    it('ROUND_ROBIN: 9 requests, 3 per pod, in a fixed rotation', async () => {
      const seq = (await sendMany(9, () => lb('rr'))).map((r) => field(r, 'pod'));
      expect(Object.values(tally(seq))).toEqual([3, 3, 3]);
      for (let i = 3; i < 9; i++) expect(seq[i]).toBe(seq[i - 3]);
    });

    it('RANDOM (inherited from the top-level policy): spreads over more than one pod', async () => {
      const seq = (await sendMany(30, () => lb('random'))).map((r) => field(r, 'pod'));
      expect(seq.every((p) => pods.includes(p))).toBe(true);
      expect(new Set(seq).size).toBeGreaterThan(1);
    });

    it('LEAST_REQUEST: while one pod is busy with a slow request, quick ones go to the others', async () => {
      const slow = lb('least', '/delay/4');
      // Time for the slow request to be in flight before the quick ones are picked.
      await new Promise((r) => setTimeout(r, 1_000));
      const quick = (await sendMany(6, () => lb('least'))).map((r) => field(r, 'pod'));
      const busy = field(await slow, 'pod');
      expect(pods).toContain(busy);
      expect(quick).not.toContain(busy);
    });

    it('consistentHash httpHeaderName: the same x-user always reaches the same pod', async () => {
      const owners = new Set<string>();
      // 16 users all hashing to one of 3 pods would be a 1 in 14 million ring.
      for (let u = 0; u < 16; u++) {
        const seen = new Set((await sendMany(3, () => lb('header', '/get', { 'x-user': `user-${u}` }))).map((r) => field(r, 'pod')));
        expect(seen.size).toBe(1);
        owners.add([...seen][0] as string);
      }
      expect(owners.size).toBeGreaterThan(1);
    });

    it('consistentHash httpCookie: the cookie is set when absent, then the client sticks to one pod', async () => {
      const first = await lb('cookie');
      const setCookie = String(first.headers['set-cookie']?.[0] ?? '');
      expect(setCookie).toMatch(/^lbcookie=[^;]+;/);
      expect(setCookie).toContain('Max-Age=60');
      expect(setCookie).toContain('Path=/');
      const cookie = setCookie.split(';')[0] as string;
      const seen = new Set((await sendMany(6, () => lb('cookie', '/get', { cookie }))).map((r) => field(r, 'pod')));
      expect(seen).toEqual(new Set([field(first, 'pod')]));
      // With the cookie present, no new one is set.
      expect((await lb('cookie', '/get', { cookie })).headers['set-cookie']).toBeUndefined();
    });

    it('consistentHash useSourceIp: one client address, one pod', async () => {
      expect(new Set((await sendMany(6, () => lb('sourceip'))).map((r) => field(r, 'pod'))).size).toBe(1);
    });

    it('consistentHash httpQueryParameterName: the same ?user= reaches the same pod', async () => {
      for (const user of ['a', 'b', 'c']) {
        expect(new Set((await sendMany(4, () => lb('query', `/get?user=${user}`))).map((r) => field(r, 'pod'))).size).toBe(1);
      }
    });
  });

  describe('a subset no DestinationRule defines', () => {
    it('apply warns (exit 0); requests get 503 and the access log shows NR', async () => {
      const config = vs('httpbin', ['httpbin'], [{ route: [{ destination: { host: 'httpbin', subset: 'v9' } }] }]);
      const r = await mesh.applyRaw(config);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^warning: VirtualService httpbin: spec\.http\[0\]\.route\[0\]\.destination\.subset: .*v9/m);
      try {
        const res = await get(`${HTTPBIN}/get?case=nosubset`);
        expect(res.status).toBe(503);
        const line = parseAccessLine((await mesh.accessLines(sleepPod, 'case=nosubset'))[0] as string);
        expect(line).toMatchObject({ status: 503, flags: 'NR' });
      } finally {
        await mesh.delete(config);
      }
    });
  });

  describe('ServiceEntry', () => {
    it("an endpoint refusing connections: Istio's default retries (connect-failure) go to the other one; with attempts 0 the caller sees 503 UF", async () => {
      const good = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('good\n'));
      servers.push(good);
      const gone = await startServer(() => undefined);
      const refusedPort = gone.port;
      await gone.close();
      const se = JSON.stringify({
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: { name: 'half' },
        spec: {
          hosts: ['half.external.test'],
          location: 'MESH_EXTERNAL',
          resolution: 'STATIC',
          ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
          endpoints: [
            { address: '127.0.0.1', ports: { http: refusedPort } },
            { address: '127.0.0.1', ports: { http: good.port } },
          ],
        },
      });
      await mesh.with(se, async () => {
        const codes = (await sendMany(6, (i) => get(`http://half.external.test/ok?i=${i}`))).map((r) => r.status);
        expect(codes).toEqual(Array(6).fill(200));
        expect(good.requests).toHaveLength(6);
        await mesh.apply(vs('half', ['half.external.test'], [{ route: [{ destination: { host: 'half.external.test' } }], retries: { attempts: 0 } }]));
        const noRetry = await sendMany(4, (i) => get(`http://half.external.test/noretry?i=${i}`));
        expect(tally(noRetry.map((r) => String(r.status)))).toEqual({ '200': 2, '503': 2 });
        const refusedLines = (await mesh.accessLines(sleepPod, '/noretry?i=', 4)).map(parseAccessLine).filter((l) => l.status === 503);
        expect(refusedLines.map((l) => l.flags)).toEqual(['UF', 'UF']);
        expect((await mesh.cli(['delete', 'vs', 'half', '-p', P])).code).toBe(0);
      });
    });

    it('a host outside the mesh, reached through its ServiceEntry endpoint, with a VirtualService on it', async () => {
      const ext = await startServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ host: req.headers.host, via: req.headers['x-via-mesh'] ?? null }));
      });
      servers.push(ext);
      const config = list(
        JSON.stringify({
          apiVersion: 'networking.istio.io/v1beta1',
          kind: 'ServiceEntry',
          metadata: { name: 'api' },
          spec: {
            hosts: ['api.external.test'],
            location: 'MESH_EXTERNAL',
            resolution: 'STATIC',
            ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
            endpoints: [{ address: '127.0.0.1', ports: { http: ext.port } }],
          },
        }),
        vs('api', ['api.external.test'], [{ route: [{ destination: { host: 'api.external.test' }, headers: { request: { set: { 'x-via-mesh': 'yes' } } } }] }]),
      );
      await mesh.with(config, async () => {
        const r = await get('http://api.external.test/hello');
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body)).toEqual({ host: 'api.external.test', via: 'yes' });
        expect(ext.requests).toEqual(['GET /hello host=api.external.test']);
      });
    });
  });

  describe('access log', () => {
    it('every line of `graymesh logs POD --proxy` is in Envoy format, with response flags', async () => {
      const sleepLines = (await mesh.cliLogs(sleepPod, true)).split('\n').filter(Boolean);
      const v1LinesAll = (await mesh.cliLogs(v1Pod, true)).split('\n').filter(Boolean);
      expect(sleepLines.length).toBeGreaterThan(20);
      const parsed = [...sleepLines, ...v1LinesAll].map(parseAccessLine);
      const flags = new Set(parsed.map((l) => l.flags));
      for (const f of ['-', 'UO', 'NR', 'URX']) expect(flags).toContain(f);
      const ok = parsed.find((l) => l.path === '/headers?case=mirror') as ReturnType<typeof parseAccessLine>;
      expect(ok).toMatchObject({ method: 'GET', status: 200, flags: '-', authority: 'httpbin:8000', cluster: `outbound|8000|v1|httpbin.${P}.svc.cluster.local` });
      expect(ok.upstreamHost).toMatch(/^127\.0\.0\.1:\d+$/);
      // The protocol the caller spoke to its outbound listener (the suite runs over both).
      expect(ok.protocol).toBe(speaking() === 'h2c' ? 'HTTP/2' : 'HTTP/1.1');
    });
  });
});
