/**
 * HTTPS egress through a real NodeProxy with curl, as Istio's "Accessing External Services"
 * and "Egress TLS Origination" tasks do it: a local https server (certificates made by
 * openssl here) stands in for api.example.test, declared by a ServiceEntry with a STATIC
 * endpoint on 127.0.0.1. A workload's outbound listener is curl's proxy (`-x`, as HTTPS_PROXY
 * points there): CONNECT is tunnelled to declared hosts, refused for undeclared ones under
 * REGISTRY_ONLY, passed through under ALLOW_ANY; a DestinationRule with tls SIMPLE makes the
 * proxy originate TLS for a plain http:// call. Metrics, the access log and the topology show it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../src/api/objects.js';
import type { ConfigSnapshot, ListenerConfig } from '../../src/config/snapshot.js';
import { EmbeddedSource } from '../../src/controlplane/telemetry/metrics-source.js';
import { MetricsStore } from '../../src/controlplane/telemetry/metrics-store.js';
import { dr, se } from '../../src/dataplane/istio/fixtures.js';
import { NodeProxy } from '../../src/dataplane/node-proxy.js';
import { formatAccessLog } from '../../src/dataplane/request-record.js';
import { ProxyTelemetry } from '../../src/dataplane/telemetry/proxy-telemetry.js';
import { buildGraph, queryGraphTraffic } from '../../src/telemetry/query/graph.js';
import { makeCerts, startExternalApi, type ExternalApi, type TestCerts } from '../helpers/external-api.js';
import { freePort } from '../helpers/instance.js';
import { parseExposition, samples } from '../helpers/prometheus-text.js';

const execFileP = promisify(execFile);
const OPEN = 'shop';
const LOCKED = 'bank';

let certs: TestCerts;
let echo: net.Server;
let echoPort = 0;
let api: ExternalApi;
let proxy: NodeProxy;
let telemetry: ProxyTelemetry;
const ports: Record<string, number> = {};
const log: string[] = [];

/** api.example.test: 443 (TLS, to the server's port) and 80 (plain, targetPort the same TLS port: TLS origination). */
function apiEntry(ns: string, apiPort: number): KubeObject {
  return se(ns, 'example-api', {
    hosts: ['api.example.test'],
    ports: [
      { number: 443, name: 'https', protocol: 'HTTPS', targetPort: apiPort },
      { number: 80, name: 'http', protocol: 'HTTP', targetPort: apiPort },
    ],
    resolution: 'STATIC',
    endpoints: [{ address: '127.0.0.1' }],
  });
}

function listener(project: string, workload: string): ListenerConfig {
  return { project, workload, labels: { app: workload.replace(/-v\d+$/, ''), version: 'v1' }, port: ports[`${project}/${workload}`] as number };
}

function snapshot(version: number, caFile: string): ConfigSnapshot {
  return {
    version,
    gatewayPort: 0,
    projects: [
      { name: OPEN, governance: false },
      { name: LOCKED, governance: false, outboundPolicy: 'REGISTRY_ONLY' },
    ],
    services: [],
    endpoints: [],
    listeners: [listener(OPEN, 'web-v1'), listener(LOCKED, 'ledger-v1')],
    virtualServices: [],
    destinationRules: [
      dr(OPEN, 'example-api', {
        host: 'api.example.test',
        trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', sni: 'api.example.test', caCertificates: caFile } }] },
      }),
    ],
    gateways: [],
    serviceEntries: [
      apiEntry(OPEN, api.port),
      apiEntry(LOCKED, api.port),
      // A plain TCP echo server behind a declared name.
      se(OPEN, 'echo', { hosts: ['echo.example.test'], ports: [{ number: 7, name: 'tcp-echo', protocol: 'TCP', targetPort: echoPort }], resolution: 'STATIC', endpoints: [{ address: '127.0.0.1' }] }),
      // Declared, but nothing listens there.
      se(OPEN, 'dead-api', { hosts: ['dead.example.test'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS', targetPort: ports.dead }], resolution: 'STATIC', endpoints: [{ address: '127.0.0.1' }] }),
    ],
  };
}

/** curl through a workload's outbound listener; never fails on an HTTP status. */
async function curl(via: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP('curl', ['-sS', '--max-time', '20', '-x', `http://127.0.0.1:${ports[via]}`, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Sends `request` on a raw connection to a listener (and a FIN after it, with `end`) and reads until the other side closes. */
function raw(port: number, request: string, end = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => (end ? s.end(request) : s.write(request)));
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString('latin1')));
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

function tcp(match: Record<string, string>): Record<string, number> {
  const e = parseExposition(telemetry.prometheus());
  const one = (name: string): number => samples(e, name, match).reduce((n, s) => n + s.value, 0);
  return {
    opened: one('istio_tcp_connections_opened_total'),
    closed: one('istio_tcp_connections_closed_total'),
    sent: one('istio_tcp_sent_bytes_total'),
    received: one('istio_tcp_received_bytes_total'),
  };
}

beforeAll(async () => {
  certs = makeCerts(['api.example.test']);
  api = await startExternalApi(certs);
  echo = net.createServer((c) => c.pipe(c));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
  for (const k of [`${OPEN}/web-v1`, `${LOCKED}/ledger-v1`, 'dead']) ports[k] = await freePort();
  telemetry = new ProxyTelemetry({ proxyName: 'node-1' });
  proxy = new NodeProxy({ gatewayPort: 0, telemetry, sinks: [(r) => log.push(formatAccessLog(r))] });
  await proxy.start();
  await proxy.apply(snapshot(1, certs.caFile));
});

afterAll(async () => {
  if (process.env.EGRESS_DEBUG) console.log(log.join(""));
  await proxy?.close();
  await api?.close();
  await new Promise((r) => echo?.close(r));
  certs?.remove();
});

describe('HTTPS egress through CONNECT', () => {
  it('tunnels curl -x https://api.example.test to the declared host, end to end TLS, counted as TCP traffic', async () => {
    const before = api.seen.length;
    const r = await curl(`${OPEN}/web-v1`, ['--cacert', certs.caFile, '-w', '\n%{http_connect} %{http_code}', 'https://api.example.test/v1/items?page=2']);
    expect(r.stderr).toBe('');
    const [body, codes] = r.stdout.split('\n');
    expect(codes).toBe('200 200');
    expect(JSON.parse(body as string)).toMatchObject({ api: 'example', path: '/v1/items?page=2', host: 'api.example.test', servername: 'api.example.test' });
    expect(api.seen.length).toBe(before + 1);
    const match = { reporter: 'source', source_workload: 'web-v1', destination_service: 'api.example.test', request_protocol: 'tcp' };
    await vi.waitFor(() => expect(tcp(match).closed).toBe(1));
    const t = tcp(match);
    expect(t.opened).toBe(1);
    // The TLS handshake and the answer went both ways through the tunnel.
    expect(t.sent).toBeGreaterThan(500);
    expect(t.received).toBeGreaterThan(200);
    const line = log.find((l) => l.includes('"CONNECT - HTTP/1.1" 200') && l.includes('"api.example.test:443"'));
    expect(line).toContain(`"127.0.0.1:${api.port}" outbound|443||api.example.test`);
  });

  it('tunnels a declared host under REGISTRY_ONLY too', async () => {
    const r = await curl(`${LOCKED}/ledger-v1`, ['--cacert', certs.caFile, '-o', '/dev/null', '-w', '%{http_connect} %{http_code}', 'https://api.example.test/balance']);
    expect(r.stdout).toBe('200 200');
  });

  it('refuses an undeclared host under REGISTRY_ONLY with 403 and an access-log line saying why', async () => {
    const r = await curl(`${LOCKED}/ledger-v1`, ['-o', '/dev/null', '-w', '%{http_connect}', 'https://evil.example.test/steal']);
    expect(r.stdout).toBe('403');
    expect(r.code).not.toBe(0);
    const line = log.find((l) => l.includes('"evil.example.test:443"'));
    expect(line).toContain('"CONNECT - HTTP/1.1" 403 NR outbound_policy_registry_only{host_not_declared}');
    expect(line).toContain('BlackHoleCluster');
    expect(line).toMatch(/ block_all\n$/);
    const answer = await raw(ports[`${LOCKED}/ledger-v1`] as number, 'CONNECT evil.example.test:443 HTTP/1.1\r\nHost: evil.example.test:443\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(answer).toContain("project bank's outbound traffic policy is REGISTRY_ONLY; declare it with a ServiceEntry (hosts: [evil.example.test]");
  });

  it('refuses a plain http:// call to an undeclared host under REGISTRY_ONLY', async () => {
    const r = await curl(`${LOCKED}/ledger-v1`, ['-w', '\n%{http_code}', 'http://evil.example.test/steal']);
    expect(r.stdout).toMatch(/REGISTRY_ONLY.*\n403$/s);
    expect(log.some((l) => l.includes('"GET /steal HTTP/1.1" 403 NR outbound_policy_registry_only{host_not_declared}'))).toBe(true);
  });

  it('passes an undeclared host through under ALLOW_ANY, CONNECT and plain http alike', async () => {
    const target = `127.0.0.1:${api.port}`;
    const r = await curl(`${OPEN}/web-v1`, ['-k', '-o', '/dev/null', '-w', '%{http_connect} %{http_code}', `https://${target}/any`]);
    expect(r.stdout).toBe('200 200');
    expect(log.some((l) => l.includes(`"CONNECT - HTTP/1.1" 200`) && l.includes(`"${target}" "${target}" PassthroughCluster`))).toBe(true);
  });

  it('carries bytes sent with the CONNECT itself and a half-close, each byte counted', async () => {
    const answer = await raw(ports[`${OPEN}/web-v1`] as number, 'CONNECT echo.example.test:7 HTTP/1.1\r\nHost: echo.example.test:7\r\n\r\nhello', true);
    expect(answer).toBe('HTTP/1.1 200 Connection Established\r\n\r\nhello');
    const match = { reporter: 'source', destination_service: 'echo.example.test' };
    await vi.waitFor(() => expect(tcp(match).closed).toBe(1));
    expect(tcp(match)).toEqual({ opened: 1, closed: 1, sent: 5, received: 5 });
  });

  it('answers 400 to a malformed CONNECT target or one with a body, 503 to a declared host nobody answers, 405 at the gateway', async () => {
    const port = ports[`${OPEN}/web-v1`] as number;
    expect(await raw(port, 'CONNECT api.example.test HTTP/1.1\r\nHost: api.example.test\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*the port is missing/);
    expect(await raw(port, 'CONNECT https://api.example.test/ HTTP/1.1\r\nHost: api.example.test\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 [\s\S]*no scheme, userinfo or path/);
    expect(await raw(port, 'CONNECT api.example.test:99999 HTTP/1.1\r\nHost: api.example.test\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 [\s\S]*out of range/);
    expect(await raw(port, 'CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test\r\nContent-Length: 5\r\n\r\nhello')).toMatch(/^HTTP\/1\.1 400 [\s\S]*CONNECT with a body/);
    const dead = await raw(port, 'CONNECT dead.example.test:443 HTTP/1.1\r\nHost: dead.example.test:443\r\n\r\n');
    expect(dead).toMatch(/^HTTP\/1\.1 503 [\s\S]*connection failure, transport failure reason: ECONNREFUSED/);
    expect(await raw(proxy.gatewayPort, 'CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r\n')).toMatch(/^HTTP\/1\.1 405 /);
  });
});

describe('Egress TLS origination', () => {
  it('originates TLS for a plain http:// call the ServiceEntry maps to the https port', async () => {
    const before = api.seen.length;
    const r = await curl(`${OPEN}/web-v1`, ['-w', '\n%{http_code}', 'http://api.example.test/v1/orders']);
    const [body, code] = r.stdout.split('\n');
    expect(code).toBe('200');
    expect(JSON.parse(body as string)).toMatchObject({ path: '/v1/orders', host: 'api.example.test', servername: 'api.example.test' });
    expect(api.seen.length).toBe(before + 1);
    const e = parseExposition(telemetry.prometheus());
    const reqs = samples(e, 'istio_requests_total', { reporter: 'source', source_workload: 'web-v1', destination_service: 'api.example.test', response_code: '200', request_protocol: 'http' });
    expect(reqs.reduce((n, s) => n + s.value, 0)).toBeGreaterThanOrEqual(1);
    expect(log.some((l) => l.includes('"GET /v1/orders HTTP/1.1" 200 - via_upstream') && l.includes('outbound|80||api.example.test'))).toBe(true);
  });

  it('answers 503 with the TLS reason when the upstream certificate does not verify, without hanging', async () => {
    await proxy.apply(snapshot(2, certs.otherCaFile));
    try {
      const r = await curl(`${OPEN}/web-v1`, ['-w', '\n%{http_code}', 'http://api.example.test/v1/orders']);
      expect(r.stdout).toMatch(/transport failure reason: TLS error: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate\n\n503$/);
      expect(log.some((l) => l.includes('"GET /v1/orders HTTP/1.1" 503 UF'))).toBe(true);
    } finally {
      await proxy.apply(snapshot(3, certs.caFile));
    }
  });

  it('verifies the upstream against a Secret the DestinationRule names (credentialName, its ca.crt)', async () => {
    const withSecret = (version: number, caFile: string): ConfigSnapshot => ({
      ...snapshot(version, certs.caFile),
      destinationRules: [
        dr(OPEN, 'example-api', { host: 'api.example.test', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', credentialName: 'api-ca' } }] } }),
      ],
      tlsCredentials: [{ namespace: OPEN, name: 'api-ca', ca: readFileSync(caFile, 'utf8') }],
    });
    try {
      await proxy.apply(withSecret(4, certs.caFile));
      const ok = await curl(`${OPEN}/web-v1`, ['-w', '\n%{http_code}', 'http://api.example.test/v1/orders']);
      expect(ok.stdout.split('\n')[1]).toBe('200');
      await proxy.apply(withSecret(5, certs.otherCaFile));
      const bad = await curl(`${OPEN}/web-v1`, ['-w', '\n%{http_code}', 'http://api.example.test/v1/orders']);
      expect(bad.stdout).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE[^\n]*\n\n503$/);
    } finally {
      await proxy.apply(snapshot(6, certs.caFile));
    }
  });

  it('shows the egress edge in the topology', async () => {
    const T = 1_700_000_000_000;
    const m = new MetricsStore();
    m.add('node-1', { ...telemetry.stats(), timeMs: T, startMs: T - 1 });
    for (let i = 0; i < 3; i++) await curl(`${OPEN}/web-v1`, ['-o', '/dev/null', 'http://api.example.test/v1/orders']);
    m.add('node-1', { ...telemetry.stats(), timeMs: T + 2000, startMs: T - 1 });
    const g = buildGraph({ name: OPEN, workloads: [{ name: 'web-v1', app: 'web', version: 'v1' }], services: [] }, await queryGraphTraffic(new EmbeddedSource(m), 60_000, T + 2000));
    const edge = g.edges.find((e) => e.source === 'workload:web-v1' && e.target === 'service:api.example.test');
    expect(edge?.rps).toBeGreaterThan(0);
    expect(g.nodes.find((n) => n.id === 'service:api.example.test')?.kind).toBe('service');
  });
});
