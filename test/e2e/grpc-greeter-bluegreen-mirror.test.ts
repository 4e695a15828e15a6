/**
 * Blue-green and mirror releases of the gRPC Greeter sample through the built
 * CLI and a real instance, under continuous @grpc/grpc-js load through the
 * gateway: blue-green (v2 beside v1, takeover, rollback, takeover, offline),
 * then a mirror of every call to a third version whose copies show in the
 * mesh's metrics (istio_requests_total at the destination reporter, gRPC)
 * while every reply still comes from v2, then the mirror offline. Not one call
 * may fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Instance } from '../helpers/instance.js';
import { GrpcLoad } from '../helpers/grpc-load.js';
import { parseExposition, samples } from '../helpers/prometheus-text.js';

const PROJECT = 'grpc-demo';
const AUTHORITY = `greeter.${PROJECT}.localhost`;
const V2_IMAGE = 'graymesh/grpc-greeter:v2';

describe('the gRPC Greeter through blue-green and mirror releases', () => {
  const gm = new Instance();
  let load: GrpcLoad;
  let token = '';

  beforeAll(async () => {
    const r = await gm.up();
    expect(r.code, r.stderr).toBe(0);
    token = gm.adminCredential('token');
    const d = await gm.cliAsync(['deploy', 'grpc-greeter', '-p', PROJECT]);
    expect(d.code, d.stderr).toBe(0);
    load = new GrpcLoad({ port: gm.gatewayPort, authority: AUTHORITY });
    load.start();
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    gm.cleanup();
  });

  async function step(args: string[]): Promise<string> {
    load.phase = args.slice(0, 3).join(' ');
    const r = await gm.cliAsync(['release', ...args, '-p', PROJECT]);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  }

  /** The versions the load saw over `n` calls from now on. */
  async function seen(n = 60): Promise<string[]> {
    load.reset();
    await load.counted(n);
    return [...load.seen.keys()].sort();
  }

  /** gRPC calls the mesh counted at the destination reporter for greeter `version`. */
  async function destinationCalls(version: string): Promise<number> {
    const res = await fetch(`${gm.apiUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const found = samples(parseExposition(await res.text()), 'istio_requests_total', {
      reporter: 'destination',
      destination_workload: `greeter-${version}`,
      request_protocol: 'grpc',
      grpc_response_status: '0',
    });
    return found.reduce((sum, s) => sum + s.value, 0);
  }

  it('blue-green: v2 starts beside v1 while v1 serves every call, then takeover, rollback and takeover', async () => {
    await step(['create', 'bluegreen', 'greeter-bg', '--service', 'greeter', '--version', 'v2', '--image', V2_IMAGE, '--serve', 'v1']);
    expect(await seen()).toEqual(['v1']);
    await step(['takeover', 'greeter-bg', 'v2']);
    expect(await seen()).toEqual(['v2']);
    await step(['rollback', 'greeter-bg']);
    expect(await seen()).toEqual(['v1']);
    await step(['takeover', 'greeter-bg', 'v2']);
    expect(await seen()).toEqual(['v2']);
  });

  it('blue-green: offline removes v1 and v2 serves through a plain route', async () => {
    const out = await step(['offline', 'greeter-bg']);
    expect(out).toContain('v1 removed, v2 serves all traffic');
    expect(gm.cli(['get', 'workloads', 'greeter-v1', '-p', PROJECT]).code).not.toBe(0);
    expect(await seen()).toEqual(['v2']);
  });

  it('mirror: v2 answers every call while v3 gets a copy of each, counted in the metrics at v3', async () => {
    await step(['create', 'mirror', 'greeter-shadow', '--service', 'greeter', '--version', 'v3', '--image', V2_IMAGE, '--mirror-percent', '100']);
    const before = await destinationCalls('v3');
    expect(await seen(100)).toEqual(['v2']);
    const copies = await eventually(async () => {
      const n = (await destinationCalls('v3')) - before;
      return n >= 50 ? n : undefined;
    }, 20_000, 500);
    expect(copies).toBeGreaterThanOrEqual(50);
  });

  it('mirror: offline removes the mirror version and leaves v2', async () => {
    const out = await step(['offline', 'greeter-shadow']);
    expect(out).toContain('v3 removed, v2 serves all traffic');
    expect(gm.cli(['get', 'workloads', 'greeter-v3', '-p', PROJECT]).code).not.toBe(0);
    expect(await seen()).toEqual(['v2']);
  });

  it('lost not one call through the gateway across every step', async () => {
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.total).toBeGreaterThan(300);
  });
});
