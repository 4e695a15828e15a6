/**
 * HTTPS egress end to end through the built CLI and a real instance, as Istio's "Accessing
 * External Services" and "Egress TLS Origination" tasks: a workload (a small Node server that
 * runs curl with the environment graymesh gives it, HTTPS_PROXY included) calls an external
 * https API (a local node:https server with an openssl-made CA, declared by a ServiceEntry
 * STATIC on 127.0.0.1); TLS origination for its plain http:// call; the project switched to
 * REGISTRY_ONLY refuses an undeclared host with 403 and a proxy log line; the topology shows
 * the egress edge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Graph } from '../../src/telemetry/query/graph.js';
import { makeCerts, startExternalApi, type ExternalApi, type TestCerts } from '../helpers/external-api.js';
import { Instance, eventually } from '../helpers/instance.js';

const P = 'egress-demo';
const HOST = `caller.${P}.localhost`;

/** Answers `GET /call?url=U` with what curl (through the pod's HTTPS_PROXY/HTTP_PROXY) printed for U, then its exit code. */
const CALLER = `
const { execFile } = require('node:child_process');
require('node:http').createServer((req, res) => {
  const url = new URL(req.url, 'http://x').searchParams.get('url');
  if (!url) return res.end('ok');
  execFile('curl', ['-sS', '--max-time', '15', '--cacert', process.env.API_CA, '-w', '\\n%{http_code}', url], (err, out, errOut) => {
    res.end(out + errOut + '\\nexit ' + (err ? err.code : 0));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function manifests(certs: TestCerts, apiPort: number): string {
  const docs = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'caller-v1' },
      spec: {
        selector: { matchLabels: { app: 'caller', version: 'v1' } },
        template: {
          metadata: { labels: { app: 'caller', version: 'v1' } },
          spec: { containers: [{ name: 'caller', image: 'node:20', command: ['node', '-e', CALLER], env: [{ name: 'API_CA', value: certs.caFile }] }] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'caller' }, spec: { selector: { app: 'caller' }, ports: [{ name: 'http', port: 8000 }] } },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'example-api' },
      spec: {
        hosts: ['api.example.test'],
        ports: [
          { number: 443, name: 'https', protocol: 'HTTPS', targetPort: apiPort },
          { number: 80, name: 'http', protocol: 'HTTP', targetPort: apiPort },
        ],
        resolution: 'STATIC',
        endpoints: [{ address: '127.0.0.1' }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'example-api' },
      spec: { host: 'api.example.test', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', caCertificates: certs.caFile } }] } },
    },
  ];
  return docs.map((d) => stringify(d)).join('---\n');
}

describe('HTTPS egress from a workload', () => {
  const gm = new Instance();
  let certs: TestCerts;
  let api: ExternalApi;
  const call = async (url: string): Promise<string> => (await gm.gateway(HOST, `/call?url=${encodeURIComponent(url)}`)).body;

  beforeAll(async () => {
    certs = makeCerts(['api.example.test']);
    api = await startExternalApi(certs);
    const r = await gm.up();
    expect(r.code, r.stderr).toBe(0);
    expect(gm.cli(['project', 'create', P]).code).toBe(0);
    const a = await gm.cliAsync(['apply', '-f', '-', '-p', P], manifests(certs, api.port));
    expect(a.code, a.stderr).toBe(0);
    await eventually(async () => (await gm.gateway(HOST, '/')).body === 'ok', 60_000);
  }, 120_000);

  afterAll(async () => {
    gm.cleanup();
    await api?.close();
    certs?.remove();
  });

  it('reaches the https host a ServiceEntry declares through its HTTPS_PROXY', async () => {
    const out = await call('https://api.example.test/v1/items');
    expect(out).toMatch(/\n200\nexit 0$/);
    expect(JSON.parse(out.split('\n')[0] as string)).toMatchObject({ path: '/v1/items', host: 'api.example.test', servername: 'api.example.test' });
  });

  it('originates TLS for its plain http:// call', async () => {
    const out = await call('http://api.example.test/v1/orders');
    expect(out).toMatch(/\n200\nexit 0$/);
    expect(JSON.parse(out.split('\n')[0] as string)).toMatchObject({ path: '/v1/orders', servername: 'api.example.test' });
  });

  it('under REGISTRY_ONLY, is refused an undeclared host with 403 and a log line, and still reaches the declared one', async () => {
    const set = gm.cli(['project', 'set', P, '--outbound-policy', 'REGISTRY_ONLY']);
    expect(set.stdout).toContain(`project ${P}: outbound policy REGISTRY_ONLY`);
    expect(gm.cli(['get', 'projects']).stdout).toMatch(new RegExp(`^${P}\\s+Active\\s+on\\s+-\\s+REGISTRY_ONLY\\s`, 'm'));
    const refused = await eventually(async () => {
      const out = await call('https://evil.example.test/steal');
      return out.includes('CONNECT tunnel failed, response 403') ? out : undefined;
    });
    expect(refused).toMatch(/exit 56$/);
    expect(await call('https://api.example.test/v1/items')).toMatch(/\n200\nexit 0$/);
    const pods = gm.json<{ items: { metadata: { name: string } }[] }>(['get', 'pods', '-p', P]);
    const pod = pods.items[0]?.metadata.name as string;
    const logs = await eventually(() => {
      const r = gm.cli(['logs', pod, '-p', P, '--proxy']);
      return r.stdout.includes('evil.example.test:443') ? r.stdout : undefined;
    });
    expect(logs).toMatch(/"CONNECT - HTTP\/1\.1" 403 NR outbound_policy_registry_only\{host_not_declared\} .*"evil\.example\.test:443" "-" BlackHoleCluster .* block_all/);
    const bad = gm.cli(['project', 'set', P, '--outbound-policy', 'DENY']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--outbound-policy DENY: use REGISTRY_ONLY (only hosts a ServiceEntry declares) or ALLOW_ANY (any host)');
  });

  it('shows the egress edge in the topology', async () => {
    const g = await eventually(async () => {
      await call('http://api.example.test/v1/orders');
      const graph = gm.json<Graph>(['graph', '-p', P, '--window', '60s']);
      return graph.edges.some((e) => e.source === 'workload:caller-v1' && e.target === 'service:api.example.test') ? graph : undefined;
    }, 30_000, 1000);
    expect(g.nodes.find((n) => n.id === 'service:api.example.test')).toMatchObject({ kind: 'service' });
  });
});
