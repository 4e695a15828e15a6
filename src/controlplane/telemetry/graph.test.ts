import { describe, expect, it } from 'vitest';
import { buildGraph, queryGraphTraffic, type Graph, type ProjectInventory } from '../../telemetry/query/graph.js';
import { requestHealth } from '../../telemetry/query/health.js';
import { MetricsStore } from './metrics-store.js';
import { EmbeddedSource } from './metrics-source.js';
import { edgeLabels, series, snapshot } from './synthetic-stats.js';
import type { StatSeries } from '../../telemetry/stats.js';

const NS = 'demo';
const GW = { workload: 'istio-ingressgateway', app: 'istio-ingressgateway', version: '', namespace: 'istio-system' };
const PP = { workload: 'productpage-v1', app: 'productpage', version: 'v1' };
const R1 = { workload: 'reviews-v1', app: 'reviews', version: 'v1' };
const R2 = { workload: 'reviews-v2', app: 'reviews', version: 'v2' };
const svc = (name: string, w: { workload: string; app: string; version: string }): { service: string; workload: string; app: string; version: string } => ({
  service: name,
  ...w,
});
const inv: ProjectInventory = {
  name: NS,
  workloads: [
    { name: 'productpage-v1', app: 'productpage', version: 'v1' },
    { name: 'details-v1', app: 'details', version: 'v1' },
    { name: 'reviews-v1', app: 'reviews', version: 'v1' },
    { name: 'reviews-v2', app: 'reviews', version: 'v2' },
    { name: 'ratings-v1', app: 'ratings', version: 'v1' },
  ],
  services: ['productpage', 'details', 'reviews', 'ratings'],
};
const T = 1_700_000_000_000;

/** Bookinfo at 10 page loads/s for 60 s: reviews split 50/50, reviews-v2 calls ratings, `ratingsFail` of those fail with 500. */
async function bookinfo(ratingsFail: number): Promise<Graph> {
  const at = (k: number): StatSeries[] => [
    series(edgeLabels(NS, GW, svc('productpage', PP)), 10 * k, 40),
    series(edgeLabels(NS, PP, svc('reviews', R1)), 5 * k, 8),
    series(edgeLabels(NS, PP, svc('reviews', R2)), 5 * k, 12),
    series(edgeLabels(NS, R2, svc('ratings', { workload: 'ratings-v1', app: 'ratings', version: 'v1' }), 200), 5 * (1 - ratingsFail) * k, 3),
    series(edgeLabels(NS, R2, svc('ratings', { workload: 'ratings-v1', app: 'ratings', version: 'v1' }), 500), 5 * ratingsFail * k, 1),
    // The destination reporter's copy must not double anything.
    series({ ...edgeLabels(NS, GW, svc('productpage', PP)), reporter: 'destination' }, 10 * k, 39),
  ];
  const m = new MetricsStore();
  for (let i = 0; i <= 30; i++) m.add('node-proxy', snapshot(T + i * 2000, T - 1, at(i * 2)));
  return buildGraph(inv, await queryGraphTraffic(new EmbeddedSource(m), 60_000, T + 60_000));
}

describe('the versioned-app graph', () => {
  it('draws gateway → service → app version, with rates, shares, latency and health', async () => {
    const g = await bookinfo(0);
    expect(g.edges.map((e) => `${e.source} → ${e.target}`)).toEqual([
      'gateway:istio-ingressgateway → service:productpage',
      'service:productpage → workload:productpage-v1',
      'service:ratings → workload:ratings-v1',
      'service:reviews → workload:reviews-v1',
      'service:reviews → workload:reviews-v2',
      'workload:productpage-v1 → service:reviews',
      'workload:reviews-v2 → service:ratings',
    ]);
    const edge = (s: string, t: string): Graph['edges'][number] | undefined => g.edges.find((e) => e.source === s && e.target === t);
    expect(edge('gateway:istio-ingressgateway', 'service:productpage')).toMatchObject({ rps: 10, successRate: 100, share: 100, health: 'healthy' });
    expect(edge('service:reviews', 'workload:reviews-v1')).toMatchObject({ rps: 5, share: 50 });
    // 12 ms lies in the (10, 25] bucket: the median interpolates to its middle.
    expect(edge('service:reviews', 'workload:reviews-v2')?.p50).toBeCloseTo(17.5);
    const node = (id: string): Graph['nodes'][number] | undefined => g.nodes.find((n) => n.id === id);
    expect(node('gateway:istio-ingressgateway')).toMatchObject({ kind: 'gateway', rps: 10, health: 'healthy' });
    expect(node('workload:reviews-v2')).toMatchObject({ kind: 'workload', app: 'reviews', version: 'v2', rps: 5, successRate: 100, health: 'healthy' });
    expect(node('service:reviews')).toMatchObject({ kind: 'service', app: 'reviews', rps: 10 });
    // details had no traffic in the window: its workload and service show idle.
    expect(node('workload:details-v1')).toMatchObject({ rps: 0, successRate: null, p50: null, health: 'idle' });
    expect(node('service:details')?.health).toBe('idle');
  });

  it('turns the faulty edge to failure and drops its success rate', async () => {
    const g = await bookinfo(0.5);
    const e = g.edges.find((x) => x.source === 'workload:reviews-v2' && x.target === 'service:ratings');
    expect(e).toMatchObject({ successRate: 50, health: 'failure' });
    expect(g.nodes.find((n) => n.id === 'service:ratings')?.health).toBe('failure');
    // reviews-v2 sees its calls fail (outbound), so it is not healthy either.
    expect(g.nodes.find((n) => n.id === 'workload:reviews-v2')?.health).toBe('failure');
    expect(g.nodes.find((n) => n.id === 'workload:reviews-v1')?.health).toBe('healthy');
  });
});

describe("Kiali's default request health", () => {
  it('applies the 5xx and 4xx thresholds', () => {
    expect(requestHealth(0, 0, 0)).toBe('idle');
    expect(requestHealth(1000, 0, 0)).toBe('healthy');
    expect(requestHealth(1000, 0, 0.9)).toBe('healthy'); // 0.09% 5xx
    expect(requestHealth(1000, 0, 1)).toBe('degraded'); // 0.1%
    expect(requestHealth(1000, 0, 100)).toBe('degraded'); // 10% is not above 10%
    expect(requestHealth(1000, 0, 101)).toBe('failure');
    expect(requestHealth(1000, 99, 0)).toBe('healthy'); // 9.9% 4xx
    expect(requestHealth(1000, 100, 0)).toBe('degraded'); // 10%
    expect(requestHealth(1000, 200, 0)).toBe('failure'); // 20%
  });
});

describe('TCP edges', () => {
  it('draws gateway → service → version for byte streams, in bytes per second, and counts them as no requests', async () => {
    const GWT = { workload: 'istio-ingressgateway', app: 'istio-ingressgateway', version: '', namespace: 'istio-system' };
    const V1 = { workload: 'tcp-echo-v1', app: 'tcp-echo', version: 'v1' };
    const labels = { ...edgeLabels(NS, GWT, svc('tcp-echo', V1)), request_protocol: 'tcp', response_code: undefined };
    const m = new MetricsStore();
    for (let i = 0; i <= 30; i++) {
      const k = i * 2;
      m.add('node-proxy', { ...snapshot(T + i * 2000, T - 1, []), tcp: [{ labels, sentBytes: 600 * k, receivedBytes: 400 * k, connectionsOpened: k, connectionsClosed: k }] });
    }
    const g = buildGraph({ name: NS, workloads: [{ name: 'tcp-echo-v1', app: 'tcp-echo', version: 'v1' }], services: ['tcp-echo'] }, await queryGraphTraffic(new EmbeddedSource(m), 60_000, T + 60_000));
    expect(g.edges).toEqual([
      expect.objectContaining({ source: 'gateway:istio-ingressgateway', target: 'service:tcp-echo', protocol: 'tcp', bytesPerSecond: 1000, rps: 0 }),
      expect.objectContaining({ source: 'service:tcp-echo', target: 'workload:tcp-echo-v1', protocol: 'tcp', bytesPerSecond: 1000, rps: 0 }),
    ]);
    expect(m.traffic({ windowMs: 60_000, endMs: T + 60_000, groupBy: [] })).toEqual([]);
  });
});
