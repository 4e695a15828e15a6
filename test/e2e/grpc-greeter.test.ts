/**
 * The gRPC Greeter sample end to end through the built CLI and a real
 * instance: deploy it, call helloworld.Greeter/SayHello through the gateway
 * with @grpc/grpc-js, then release greeter v2 under continuous gRPC load — a
 * canary 50/50 by weight, a canary by the metadata header x-canary: yes,
 * takeover by v2 and v1 offline — with not one failed call, and every reply's
 * `from greeter-vN` as the rules of the step say.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Instance } from '../helpers/instance.js';
import { GrpcLoad, greeterClient, greeterVersion, metadata, sayHello, type GreeterClient } from '../helpers/grpc-load.js';

const PROJECT = 'grpc-demo';
const AUTHORITY = `greeter.${PROJECT}.localhost`;
const V2_IMAGE = 'graymesh/grpc-greeter:v2';
const CANARY = { 'x-canary': 'yes' };

describe('the gRPC Greeter through grayscale releases', () => {
  const gm = new Instance();
  let client: GreeterClient;
  let load: GrpcLoad;

  beforeAll(async () => {
    const r = await gm.up();
    expect(r.code, r.stderr).toBe(0);
    const d = await gm.cliAsync(['deploy', 'grpc-greeter', '-p', PROJECT]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain(`grpc-greeter deployed into project ${PROJECT}: 1 workloads ready`);
    client = greeterClient(gm.gatewayPort, AUTHORITY);
    load = new GrpcLoad({ port: gm.gatewayPort, authority: AUTHORITY });
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    client?.close();
    gm.cleanup();
  });

  /** The versions answering `n` calls in sequence, counted. */
  async function versions(n: number, md: Record<string, string> = {}): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const v = greeterVersion((await sayHello(client, 'seq', metadata(md))).message) ?? 'none';
      counts[v] = (counts[v] ?? 0) + 1;
    }
    return counts;
  }

  /** Counts the load's answers afresh over `n` calls sent from now on. */
  async function loadSeen(n = 100): Promise<Record<string, number>> {
    load.reset();
    await load.counted(n);
    return Object.fromEntries(load.seen);
  }

  function release(args: string[]): void {
    const r = gm.cli(['release', ...args, '-p', PROJECT]);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }

  it('deploys greeter v1 behind Service greeter (grpc, 50051) and answers SayHello through the gateway', async () => {
    const svc = gm.json<{ spec: { ports: { name: string; port: number; appProtocol: string }[] } }>(['get', 'services', 'greeter', '-p', PROJECT]);
    expect(svc.spec.ports).toEqual([expect.objectContaining({ name: 'grpc', port: 50051, appProtocol: 'grpc' })]);
    expect((await sayHello(client, 'kim')).message).toBe('Hello kim from greeter-v1');
    load.start();
    expect(await loadSeen(20)).toEqual({ v1: expect.any(Number) });
  });

  it('a canary 50/50 by weight: both versions answer in equal share', async () => {
    load.phase = 'canary by weight';
    release(['create', 'canary', 'greeter-canary', '--service', 'greeter', '--version', 'v2', '--image', V2_IMAGE, '--weights', 'v1=50,v2=50']);
    const counts = await versions(100);
    expect(counts.v1).toBeGreaterThanOrEqual(35);
    expect(counts.v2).toBeGreaterThanOrEqual(35);
    expect((counts.v1 ?? 0) + (counts.v2 ?? 0)).toBe(100);
    const seen = await loadSeen(200);
    expect(Object.keys(seen).sort()).toEqual(['v1', 'v2']);
    release(['delete', 'greeter-canary']);
    load.phase = 'after deleting the weight canary';
    expect(await versions(10)).toEqual({ v1: 10 });
  });

  it('a canary by the metadata header x-canary: yes: v2 for those calls, v1 for every other', async () => {
    load.phase = 'canary by header';
    release(['create', 'canary', 'greeter-header', '--service', 'greeter', '--version', 'v2', '--image', V2_IMAGE, '--header', 'x-canary=yes']);
    expect(await versions(20, CANARY)).toEqual({ v2: 20 });
    expect(await versions(20, { 'x-canary': 'no' })).toEqual({ v1: 20 });
    expect(await loadSeen()).toEqual({ v1: expect.any(Number) });
  });

  it('takeover by v2: every call goes to v2, with the header or without', async () => {
    load.phase = 'takeover';
    release(['takeover', 'greeter-header', 'v2']);
    expect(await versions(20)).toEqual({ v2: 20 });
    expect(await versions(10, CANARY)).toEqual({ v2: 10 });
    expect(await loadSeen()).toEqual({ v2: expect.any(Number) });
  });

  it('v1 offline: its workload is gone and v2 serves through a plain route', async () => {
    load.phase = 'offline';
    const r = gm.cli(['release', 'offline', 'greeter-header', '-p', PROJECT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('v1 removed, v2 serves all traffic');
    expect(gm.cli(['get', 'workloads', 'greeter-v1', '-p', PROJECT]).code).not.toBe(0);
    expect(await versions(20)).toEqual({ v2: 20 });
    expect(await loadSeen()).toEqual({ v2: expect.any(Number) });
  });

  it('lost not one call through the gateway across every step', async () => {
    await load.stop();
    expect(load.failures).toEqual([]);
    expect(load.total).toBeGreaterThan(500);
  });
});
