/** details, ratings and reviews on their own, checked against the JSON Istio's images return. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForwardProxy, type ForwardProxy } from '../lib/forward-proxy.js';
import { meshRequest, type MeshResponse } from '../lib/mesh-request.js';
import type { RunningServer } from '../lib/serve.js';
import { startDetails } from './details.js';
import { startRatings } from './ratings.js';
import { startReviews } from './reviews.js';

const quiet = (): void => {};
let proxy: ForwardProxy;
const running: RunningServer[] = [];

async function keep(server: Promise<RunningServer>): Promise<RunningServer> {
  const s = await server;
  running.push(s);
  return s;
}

function call(server: RunningServer, path: string, init: { method?: string; body?: string } = {}): Promise<MeshResponse> {
  return meshRequest(`http://127.0.0.1:${server.port}${path}`, { proxy: '', ...init });
}

const json = (res: MeshResponse): unknown => JSON.parse(res.body);

beforeAll(async () => {
  proxy = await startForwardProxy();
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.close()));
  await proxy.close();
});

describe('details', () => {
  it('returns the book with the id it was asked for', async () => {
    const details = await keep(startDetails({ port: 0, log: quiet }));
    const res = await call(details, '/details/0');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(json(res)).toEqual({
      id: 0,
      author: 'William Shakespeare',
      year: 1595,
      type: 'paperback',
      pages: 200,
      publisher: 'PublisherA',
      language: 'English',
      'ISBN-10': '1234567890',
      'ISBN-13': '123-1234567890',
    });
    expect(json(await call(details, '/details/7'))).toMatchObject({ id: 7 });
  });

  it('rejects a non-numeric id with Istio\'s message and answers /health', async () => {
    const details = await keep(startDetails({ port: 0, log: quiet }));
    const bad = await call(details, '/details/abc');
    expect(bad.status).toBe(400);
    expect(json(bad)).toEqual({ error: 'please provide numeric product id' });
    expect(json(await call(details, '/health'))).toEqual({ status: 'ok' });
  });
});

describe('ratings', () => {
  it('serves default ratings and keeps posted ones', async () => {
    const ratings = await keep(startRatings({ port: 0, log: quiet }));
    expect(json(await call(ratings, '/ratings/0'))).toEqual({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
    const posted = await call(ratings, '/ratings/3', { method: 'POST', body: '{"Reviewer1":1,"Reviewer2":2}' });
    expect(posted.status).toBe(200);
    expect(json(posted)).toEqual({ id: 3, ratings: { Reviewer1: 1, Reviewer2: 2 } });
    expect(json(await call(ratings, '/ratings/3'))).toEqual({ id: 3, ratings: { Reviewer1: 1, Reviewer2: 2 } });
    // Other products keep the defaults.
    expect(json(await call(ratings, '/ratings/4'))).toEqual({ id: 4, ratings: { Reviewer1: 5, Reviewer2: 4 } });
  });

  it('answers 400 to bad ids and bad JSON', async () => {
    const ratings = await keep(startRatings({ port: 0, log: quiet }));
    const badId = await call(ratings, '/ratings/x');
    expect(badId.status).toBe(400);
    expect(json(badId)).toEqual({ error: 'please provide numeric product ID' });
    const badBody = await call(ratings, '/ratings/1', { method: 'POST', body: '{nope' });
    expect(badBody.status).toBe(400);
    expect(json(badBody)).toEqual({ error: 'please provide valid ratings JSON' });
  });

  it('fails half the time as v-faulty', async () => {
    let coin = 0.2;
    const faulty = await keep(startRatings({ port: 0, log: quiet, version: 'v-faulty', random: () => coin }));
    const failed = await call(faulty, '/ratings/0');
    expect(failed.status).toBe(503);
    expect(json(failed)).toEqual({ error: 'Service unavailable' });
    coin = 0.8;
    expect((await call(faulty, '/ratings/0')).status).toBe(200);
  });
});

describe('reviews', () => {
  const v1Reviews = [
    { reviewer: 'Reviewer1', text: 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!' },
    {
      reviewer: 'Reviewer2',
      text: 'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.',
    },
  ];

  it('v1 returns Istio\'s document without ratings and never calls ratings', async () => {
    const v1 = await keep(
      startReviews({ port: 0, log: quiet, enableRatings: false, pod: 'reviews-v1-x', proxy: proxy.url, noProxy: '' }),
    );
    const mark = proxy.seen.length;
    expect(json(await call(v1, '/reviews/0'))).toEqual({ id: '0', podname: 'reviews-v1-x', clustername: 'null', reviews: v1Reviews });
    expect(proxy.seen.length).toBe(mark);
  });

  it('v2 attaches black stars from ratings', async () => {
    const ratings = await keep(startRatings({ port: 0, log: quiet }));
    proxy.routes.set('ratings', ratings.port);
    const v2 = await keep(
      startReviews({ port: 0, log: quiet, enableRatings: true, pod: 'reviews-v2-x', proxy: proxy.url, noProxy: '' }),
    );
    const mark = proxy.seen.length;
    const doc = json(await call(v2, '/reviews/0')) as { reviews: Array<{ rating: unknown }> };
    expect(doc.reviews.map((r) => r.rating)).toEqual([
      { stars: 5, color: 'black' },
      { stars: 4, color: 'black' },
    ]);
    expect(proxy.seen.slice(mark).map((r) => r.target)).toEqual(['http://ratings:9080/ratings/0']);
  });

  it('v3 gives up on slow ratings after 2.5 s and reports them unavailable', async () => {
    // v-delayed with the coin pinned low always waits 7 s: longer than v3's 2.5 s budget.
    const slow = await keep(startRatings({ port: 0, log: quiet, version: 'v-delayed', random: () => 0 }));
    proxy.routes.set('ratings-slow', slow.port);
    const v3 = await keep(
      startReviews({
        port: 0,
        log: quiet,
        enableRatings: true,
        starColor: 'red',
        pod: 'reviews-v3-x',
        ratingsUrl: 'http://ratings-slow:9080',
        proxy: proxy.url,
        noProxy: '',
      }),
    );
    const doc = json(await call(v3, '/reviews/0')) as { reviews: Array<{ rating: unknown }> };
    // Had reviews waited out the 7 s delay, ratings would have answered and stars would show.
    expect(doc.reviews.map((r) => r.rating)).toEqual([
      { error: 'Ratings service is currently unavailable' },
      { error: 'Ratings service is currently unavailable' },
    ]);
  });
});
