/**
 * Istio's "TCP Traffic Shifting" task end to end through the built CLI and a real instance:
 * `graymesh deploy tcp-echo --all-versions`, a Gateway with a `protocol: TCP` server on port
 * 31400 and a VirtualService `tcp` route bound to it: 100% v1 (every connection answers `one`),
 * 80/20 over 100 connections (within ±10), then 100% v2; the same shift from inside the mesh,
 * through a workload's outbound listener (CONNECT tcp-echo:9000, its HTTPS_PROXY). Istio's TCP
 * metrics at both reporters, the TCP edge in the topology, and a Gateway asking for a port
 * already taken refused at apply with nothing changed.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Graph } from '../../src/telemetry/query/graph.js';
import { Instance, eventually, freePort } from '../helpers/instance.js';
import { connectLine, countAnswers, tcpLine } from '../helpers/tcp.js';

const P = 'tcp-demo';

/** Istio's 31400 when it is free here, else any free port (the Gateway names the one chosen). */
async function tcpPort(): Promise<number> {
  const free = await new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(31400, '127.0.0.1', () => s.close(() => resolve(true)));
  });
  return free ? 31400 : freePort();
}

function gatewayManifests(port: number): string {
  return [
    { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'tcp-echo-gateway' }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: port, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }] } },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'tcp-echo-destination' },
      spec: { host: 'tcp-echo', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
    },
  ]
    .map((d) => stringify(d))
    .join('---\n');
}

/** The task's VirtualService (bound to the gateway, match port) and a mesh one for tcp-echo:9000, both with weights v1/v2. */
function routes(port: number, v1: number, v2: number): string {
  const route = [
    { destination: { host: 'tcp-echo', port: { number: 9000 }, subset: 'v1' }, weight: v1 },
    { destination: { host: 'tcp-echo', port: { number: 9000 }, subset: 'v2' }, weight: v2 },
  ].filter((r) => r.weight > 0);
  return [
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'tcp-echo' }, spec: { hosts: ['*'], gateways: ['tcp-echo-gateway'], tcp: [{ match: [{ port }], route }] } },
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'tcp-echo-mesh' }, spec: { hosts: ['tcp-echo'], tcp: [{ match: [{ port: 9000 }], route }] } },
  ]
    .map((d) => stringify(d))
    .join('---\n');
}

describe("Istio's TCP traffic shifting task", () => {
  const gm = new Instance();
  let port = 0;
  /** The outbound listener of tcp-echo-v1's pod: the test calls through it as that workload would. */
  let proxyPort = 0;

  const apply = async (yaml: string): Promise<void> => {
    const r = await gm.cliAsync(['apply', '-f', '-', '-p', P], yaml);
    expect(r.code, r.stderr).toBe(0);
  };
  const viaGateway = (): Promise<string> => tcpLine(port, 'hello');
  const viaMesh = (): Promise<string> => connectLine(proxyPort, 'tcp-echo:9000', 'hello');

  beforeAll(async () => {
    const r = await gm.up();
    expect(r.code, r.stderr).toBe(0);
    const d = await gm.cliAsync(['deploy', 'tcp-echo', '-p', P, '--all-versions']);
    expect(d.code, d.stderr).toBe(0);
    port = await tcpPort();
    await apply(gatewayManifests(port));
    await apply(routes(port, 100, 0));
    const pods = gm.json<{ items: { metadata: { name: string; labels: Record<string, string> }; status: { proxyPort?: number } }[] }>(['get', 'pods', '-p', P]);
    proxyPort = pods.items.find((p) => p.metadata.labels.version === 'v1')?.status.proxyPort ?? 0;
    expect(proxyPort).toBeGreaterThan(0);
  }, 120_000);

  afterAll(() => gm.cleanup());

  it('deploys Service tcp-echo (port 9000 named tcp) and both versions', () => {
    const svc = gm.json<{ spec: { ports: { name: string; port: number }[] } }>(['get', 'services', 'tcp-echo', '-p', P]);
    expect(svc.spec.ports).toEqual([expect.objectContaining({ name: 'tcp', port: 9000 })]);
    const deps = gm.json<{ items: { metadata: { name: string } }[] }>(['get', 'deployments', '-p', P]);
    expect(deps.items.map((x) => x.metadata.name).sort()).toEqual(['tcp-echo-v1', 'tcp-echo-v2']);
  });

  it('100% v1: every connection through the gateway port answers "one"', async () => {
    // The route is in force once a connection is answered at all.
    await eventually(async () => (await viaGateway().catch(() => '')).startsWith('one hello'), 20_000, 200);
    expect(await countAnswers(100, viaGateway)).toEqual({ one: 100 });
  }, 60_000);

  it('80/20: 100 connections split within ±10, then 100% v2', async () => {
    await apply(routes(port, 80, 20));
    await eventually(async () => (await countAnswers(10, viaGateway)).two !== undefined, 20_000, 200);
    const split = await countAnswers(100, viaGateway);
    expect((split.one ?? 0) + (split.two ?? 0)).toBe(100);
    expect(Math.abs((split.two ?? 0) - 20)).toBeLessThanOrEqual(10);
    await apply(routes(port, 0, 100));
    await eventually(async () => (await viaGateway()).startsWith('two'), 20_000, 200);
    expect(await countAnswers(100, viaGateway)).toEqual({ two: 100 });
  }, 120_000);

  it('the same shift from inside the mesh, through a workload outbound listener', async () => {
    await apply(routes(port, 100, 0));
    await eventually(async () => (await viaMesh()).startsWith('one'), 20_000, 200);
    expect(await countAnswers(100, viaMesh)).toEqual({ one: 100 });
    await apply(routes(port, 80, 20));
    await eventually(async () => (await countAnswers(10, viaMesh)).two !== undefined, 20_000, 200);
    const split = await countAnswers(100, viaMesh);
    expect((split.one ?? 0) + (split.two ?? 0)).toBe(100);
    expect(Math.abs((split.two ?? 0) - 20)).toBeLessThanOrEqual(10);
    await apply(routes(port, 0, 100));
    await eventually(async () => (await viaMesh()).startsWith('two'), 20_000, 200);
    expect(await countAnswers(100, viaMesh)).toEqual({ two: 100 });
  }, 120_000);

  it("Istio's TCP metrics at both reporters", async () => {
    const token = gm.adminCredential('token');
    const metric = async (): Promise<string> => (await fetch(`${gm.apiUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    const text = await eventually(async () => {
      const t = await metric();
      return /^istio_tcp_connections_closed_total\{reporter="destination"[^}]*destination_version="v2"/m.test(t) ? t : undefined;
    }, 20_000, 500);
    for (const name of ['istio_tcp_connections_opened_total', 'istio_tcp_connections_closed_total', 'istio_tcp_sent_bytes_total', 'istio_tcp_received_bytes_total']) {
      for (const reporter of ['source', 'destination']) {
        expect(text, `${name} ${reporter}`).toMatch(new RegExp(`^${name}\\{reporter="${reporter}",source_workload="istio-ingressgateway"[^}]*destination_service_name="tcp-echo"[^}]*\\} [1-9]`, 'm'));
      }
    }
    expect(text).toMatch(/^istio_tcp_sent_bytes_total\{reporter="source",source_workload="tcp-echo-v1"[^}]*destination_version="v2"[^}]*request_protocol="tcp"[^}]*\} [1-9]/m);
  }, 30_000);

  it("logs each gateway connection in the destination pod's proxy access log, as Envoy's tcp_proxy does", async () => {
    const pods = gm.json<{ items: { metadata: { name: string; labels: Record<string, string> } }[] }>(['get', 'pods', '-p', P]);
    const v2 = pods.items.find((x) => x.metadata.labels.version === 'v2')!.metadata.name;
    const logs = await eventually(() => {
      const out = gm.cli(['logs', v2, '-p', P, '--proxy']).stdout;
      return out.includes(`":${port}"`) ? out : undefined;
    });
    expect(logs).toMatch(new RegExp(`"- - -" 0 - - - "-" 6 10 \\d+ \\d+ .*":${port}" "127\\.0\\.0\\.1:\\d+" outbound\\|9000\\|v2\\|tcp-echo\\.${P}\\.svc\\.cluster\\.local `));
  });

  it('draws the TCP edges in the topology, in bytes per second', async () => {
    const graph = await eventually(() => {
      const g = gm.json<Graph>(['graph', '-p', P, '--window', '60s']);
      return g.edges.some((e) => e.source.startsWith('gateway:') && e.target === 'service:tcp-echo' && e.protocol === 'tcp') ? g : undefined;
    }, 20_000, 500);
    const edge = graph.edges.find((e) => e.target === 'workload:tcp-echo-v2' && e.protocol === 'tcp');
    expect(edge?.bytesPerSecond).toBeGreaterThan(0);
  }, 30_000);

  it('keeps the gateway TCP port across `proxy restart` (hand-over) and a killed proxy', async () => {
    const pid = (): number => gm.json<{ proxies: { pid: number; status: string }[] }>(['status']).proxies[0]!.pid;
    const r = await gm.cliAsync(['proxy', 'restart']);
    expect(r.code, r.stderr).toBe(0);
    expect(await countAnswers(20, viaGateway)).toEqual({ two: 20 });
    const before = pid();
    process.kill(before, 'SIGKILL');
    expect(await eventually(async () => (await viaGateway().catch(() => '')).startsWith('two'), 20_000, 50)).toBe(true);
    expect(pid()).not.toBe(before);
    expect(await countAnswers(20, viaGateway)).toEqual({ two: 20 });
  }, 60_000);

  it('refuses a Gateway whose port is taken, with one line, and changes nothing', async () => {
    const holder = net.createServer();
    const taken = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as net.AddressInfo).port)));
    try {
      const gw = stringify({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'other' }, spec: { servers: [{ port: { number: taken, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }] } });
      const r = await gm.cliAsync(['apply', '-f', '-', '-p', P], gw);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`Gateway ${P}/other: spec.servers[0].port.number: port ${taken} is already in use on 127.0.0.1`);
      const other = gm.cli(['get', 'gateways', 'other', '-p', P]);
      expect(other.code).not.toBe(0);
      // A second project's Gateway on the port this one serves is refused too.
      const b = await gm.cliAsync(['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${P}-b` } }));
      expect(b.code, b.stderr).toBe(0);
      const again = await gm.cliAsync(['apply', '-f', '-', '-p', `${P}-b`], gatewayManifests(port).split('---\n')[0]!);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain(`port ${port} is taken by Gateway ${P}/tcp-echo-gateway`);
      expect((await viaGateway()).startsWith('two')).toBe(true);
    } finally {
      holder.close();
    }
  }, 30_000);
});
