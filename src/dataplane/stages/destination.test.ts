import { afterEach, describe, expect, it } from 'vitest';
import { dr, vs } from '../istio/fixtures.js';
import { Destination } from './destination.js';
import { closeAll, endpointAt, front, PROJECT, reviews, send } from './fixtures.js';

afterEach(closeAll);

const toDestination = (destination: unknown): unknown => ({ hosts: ['reviews'], http: [{ route: [{ destination }] }] });

describe('Destination', () => {
  it('gives the exchange and the record the route’s cluster and its service', async () => {
    const f = await front([new Destination()], reviews([endpointAt(1)]));
    expect((await send(f.port)).body).toBe('reached\n');
    const x = await f.closed(0);
    expect(x.cluster?.name).toBe(`outbound|9080||reviews.${PROJECT}.svc.cluster.local`);
    expect(x.rec).toMatchObject({
      upstreamCluster: `outbound|9080||reviews.${PROJECT}.svc.cluster.local`,
      destinationService: `reviews.${PROJECT}.svc.cluster.local`,
      destinationServiceName: 'reviews',
      destinationProject: PROJECT,
      flags: '-',
    });
  });

  it('answers 503 NR with the reason for a subset no DestinationRule defines', async () => {
    const router = reviews([endpointAt(1)], {
      destinationRules: [dr(PROJECT, 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] })],
      virtualServices: [vs(PROJECT, 'reviews', toDestination({ host: 'reviews', subset: 'v9' }))],
    });
    const f = await front([new Destination()], router);
    const r = await send(f.port);
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/^subset "v9" of reviews\.demo\.svc\.cluster\.local is not defined by DestinationRule demo\/reviews/);
    const x = await f.closed(0);
    expect(x.rec).toMatchObject({ status: 503, flags: 'NR', upstreamCluster: undefined });
    expect(x.cluster).toBeUndefined();
  });

  it('answers 503 with the route’s flag for a host neither a service nor a ServiceEntry', async () => {
    const f = await front([new Destination()], reviews([endpointAt(1)], { virtualServices: [vs(PROJECT, 'reviews', toDestination({ host: 'nowhere' }))] }));
    const r = await send(f.port);
    expect(r.status).toBe(503);
    expect((await f.closed(0)).rec.flags).toBe('UH');
  });
});
