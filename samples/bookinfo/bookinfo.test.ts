/**
 * Bookinfo end to end over real sockets: productpage, details, ratings and
 * reviews v1/v2/v3 in-process, joined by a forward proxy that plays the node
 * proxy (absolute-form in, routed by host name). Each test points the `reviews`
 * route at the version it wants, the way a VirtualService would.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startForwardProxy, type ForwardProxy, type SeenRequest } from '../lib/forward-proxy.js';
import { meshRequest, type MeshResponse } from '../lib/mesh-request.js';
import type { RunningServer } from '../lib/serve.js';
import { startDetails } from './details.js';
import { startProductpage } from './productpage.js';
import { startRatings } from './ratings.js';
import { startReviews } from './reviews.js';

const quiet = (): void => {};
let proxy: ForwardProxy;
let pp: RunningServer;
const servers: RunningServer[] = [];
const ports: Record<string, number> = {};

beforeAll(async () => {
  proxy = await startForwardProxy();
  const mesh = { proxy: proxy.url, noProxy: '127.0.0.1,localhost', log: quiet };
  const start = async (name: string, server: Promise<RunningServer>): Promise<RunningServer> => {
    const running = await server;
    servers.push(running);
    ports[name] = running.port;
    return running;
  };
  await start('details', startDetails({ port: 0, ...mesh }));
  await start('ratings', startRatings({ port: 0, ...mesh }));
  await start('reviews-v1', startReviews({ port: 0, ...mesh, enableRatings: false, pod: 'reviews-v1-aaa' }));
  await start('reviews-v2', startReviews({ port: 0, ...mesh, enableRatings: true, starColor: 'black', pod: 'reviews-v2-bbb' }));
  await start('reviews-v3', startReviews({ port: 0, ...mesh, enableRatings: true, starColor: 'red', pod: 'reviews-v3-ccc' }));
  pp = await start('productpage', startProductpage({ port: 0, ...mesh }));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await proxy.close();
});

beforeEach(() => {
  route('details', 'details');
  route('ratings', 'ratings');
  route('reviews', 'reviews-v1');
});

function route(host: string, to: string): void {
  proxy.routes.set(host, ports[to] ?? 0);
}

function get(path: string, headers: Record<string, string> = {}): Promise<MeshResponse> {
  return meshRequest(`http://127.0.0.1:${pp.port}${path}`, { proxy: '', headers });
}

function seenSince(mark: number, host: string): SeenRequest[] {
  return proxy.seen.slice(mark).filter((r) => r.headers.host === `${host}:9080`);
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('the product page', () => {
  it('shows the book, its details and v1 reviews without stars', async () => {
    const res = await get('/productpage');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const html = res.body;
    expect(html).toContain('<h1 data-testid="title">The Comedy of Errors</h1>');
    expect(html).toContain('one of <b>William Shakespeare\'s</b> early plays');
    expect(html).toContain('<h2>Book Details</h2>');
    for (const [field, value] of [
      ['type', 'paperback'],
      ['pages', '200'],
      ['publisher', 'PublisherA'],
      ['language', 'English'],
      ['ISBN-10', '1234567890'],
      ['ISBN-13', '123-1234567890'],
    ]) {
      expect(html).toContain(`<dd data-testid="detail-${field}">${value}</dd>`);
    }
    expect(html).toContain('<h2>Book Reviews</h2>');
    expect(count(html, 'data-testid="review"')).toBe(2);
    expect(html).toContain('An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!');
    expect(html).toContain('Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.');
    expect(html).toContain('Reviewer1');
    expect(html).toContain('Reviewer2');
    expect(html).toContain('Reviews served by: reviews-v1-aaa');
    expect(html).not.toMatch(/[★☆]/);
    expect(html).not.toContain('data-testid="stars"');
    expect(html).toContain('data-testid="sign-in-form"');
    expect(html).toMatch(/name="username"/);
    expect(html).toMatch(/name="passwd"/);
  });

  it('shows black stars from reviews v2', async () => {
    route('reviews', 'reviews-v2');
    const html = (await get('/productpage')).body;
    expect(html).toContain('Reviews served by: reviews-v2-bbb');
    expect(count(html, 'data-testid="stars"')).toBe(2);
    expect(html).toMatch(/style="color: black"[^>]*>★★★★★</);
    expect(html).toMatch(/style="color: black"[^>]*>★★★★☆</);
    expect(html).not.toContain('color: red');
  });

  it('shows red stars from reviews v3', async () => {
    route('reviews', 'reviews-v3');
    const html = (await get('/productpage')).body;
    expect(html).toContain('Reviews served by: reviews-v3-ccc');
    expect(html).toMatch(/style="color: red"[^>]*>★★★★★</);
    expect(html).toMatch(/style="color: red"[^>]*>★★★★☆</);
    expect(html).not.toContain('color: black');
  });

  it('links to the page as a normal user and a tester from the index', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('href="/productpage?u=normal"');
    expect(res.body).toContain('href="/productpage?u=test"');
  });
});

describe('calls to the backends', () => {
  it('goes through the proxy in absolute-form with the service name as Host', async () => {
    const mark = proxy.seen.length;
    await get('/productpage');
    const details = seenSince(mark, 'details');
    expect(details.map((r) => r.target)).toEqual(['http://details:9080/details/0']);
    expect(seenSince(mark, 'reviews').map((r) => r.target)).toEqual(['http://reviews:9080/reviews/0']);
    // v1 never asks for ratings.
    expect(seenSince(mark, 'ratings')).toHaveLength(0);
  });

  it('forwards tracing and user headers through productpage and reviews to ratings', async () => {
    route('reviews', 'reviews-v2');
    const incoming = {
      'x-request-id': 'req-42',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'congo=t61rcWkgMzE',
      'x-b3-traceid': '80f198ee56343ba864fe8b2a57d3eff7',
      'x-b3-spanid': 'e457b5a2e4d86bd1',
      'x-b3-parentspanid': '05e3ac9a4f6e3b90',
      'x-b3-sampled': '1',
      'x-b3-flags': '0',
      b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1',
      'x-ot-span-context': 'ot-ctx',
      'user-agent': 'bookinfo-test/1.0',
      'x-not-forwarded': 'secret',
    };
    const mark = proxy.seen.length;
    await get('/productpage', incoming);
    const hops = [...seenSince(mark, 'details'), ...seenSince(mark, 'reviews'), ...seenSince(mark, 'ratings')];
    expect(hops).toHaveLength(3);
    for (const hop of hops) {
      for (const [name, value] of Object.entries(incoming)) {
        if (name === 'x-not-forwarded') expect(hop.headers[name]).toBeUndefined();
        else expect(hop.headers[name], `${name} on ${hop.target}`).toBe(value);
      }
    }
  });

  it('tries reviews twice before giving up, as Istio does', async () => {
    proxy.routes.delete('reviews');
    const mark = proxy.seen.length;
    const html = (await get('/productpage')).body;
    expect(seenSince(mark, 'reviews')).toHaveLength(2);
    expect(html).toContain('Error fetching product reviews!');
    expect(html).toContain('Sorry, product reviews are currently unavailable for this book.');
    // Details are unaffected.
    expect(html).toContain('<h2>Book Details</h2>');
  });
});

describe('signing in', () => {
  it('sets a session, shows the user and sends end-user onward; sign-out clears it', async () => {
    route('reviews', 'reviews-v2');
    const login = await meshRequest(`http://127.0.0.1:${pp.port}/login`, {
      proxy: '',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=jason&passwd=anything',
    });
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/productpage');
    const setCookie = login.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/^session=[^;]+;/);
    const cookie = setCookie.split(';')[0] ?? '';

    const mark = proxy.seen.length;
    const html = (await get('/productpage', { cookie })).body;
    expect(html).toContain('<strong data-testid="user">jason</strong>');
    expect(html).not.toContain('data-testid="sign-in-form"');
    for (const host of ['details', 'reviews', 'ratings']) {
      const hops = seenSince(mark, host);
      expect(hops.length, host).toBeGreaterThan(0);
      for (const hop of hops) expect(hop.headers['end-user'], host).toBe('jason');
    }

    const logout = await get('/logout', { cookie });
    expect(logout.status).toBe(302);
    expect(logout.headers['set-cookie']?.[0]).toMatch(/^session=;.*Max-Age=0/);
  });

  it('ignores a forged session cookie', async () => {
    const forged = `session=${Buffer.from('admin').toString('base64url')}.not-a-signature`;
    const mark = proxy.seen.length;
    const html = (await get('/productpage', { cookie: forged })).body;
    expect(html).toContain('data-testid="sign-in-form"');
    expect(seenSince(mark, 'details')[0]?.headers['end-user']).toBeUndefined();
  });
});

describe('failures', () => {
  it('shows Istio\'s details error when details is down', async () => {
    proxy.routes.set('details', await closedPort());
    const html = (await get('/productpage')).body;
    expect(html).toContain('Error fetching product details!');
    expect(html).toContain('Sorry, product details are currently unavailable for this book.');
    expect(html).not.toContain('<h2>Book Details</h2>');
    expect(html).toContain('<h2>Book Reviews</h2>');
  });

  it('passes the upstream status through the details API', async () => {
    proxy.routes.delete('details');
    const res = await get('/api/v1/products/0');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({ error: 'Sorry, product details are currently unavailable for this book.' });
  });

  it('shows the ratings error on each review when ratings is down', async () => {
    route('reviews', 'reviews-v2');
    proxy.routes.delete('ratings');
    const html = (await get('/productpage')).body;
    expect(count(html, 'Ratings service is currently unavailable')).toBe(2);
    expect(html).not.toMatch(/[★☆]/);
    expect(html).toContain('Reviews served by: reviews-v2-bbb');
  });

  it('answers 500 when the proxy itself is unreachable', async () => {
    const lonely = await startProductpage({ port: 0, proxy: `http://127.0.0.1:${await closedPort()}`, noProxy: '', log: quiet });
    try {
      const res = await meshRequest(`http://127.0.0.1:${lonely.port}/api/v1/products/0/reviews`, { proxy: '' });
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ error: 'Sorry, product reviews are currently unavailable for this book.' });
    } finally {
      await lonely.close();
    }
  });
});

describe('the JSON API', () => {
  it('lists products and relays reviews and ratings', async () => {
    const products = JSON.parse((await get('/api/v1/products')).body) as Array<{ id: number; title: string }>;
    expect(products).toHaveLength(1);
    expect(products[0]).toMatchObject({ id: 0, title: 'The Comedy of Errors' });

    route('reviews', 'reviews-v3');
    const reviews = JSON.parse((await get('/api/v1/products/0/reviews')).body) as { podname: string; reviews: unknown[] };
    expect(reviews.podname).toBe('reviews-v3-ccc');
    expect(reviews.reviews[0]).toMatchObject({ reviewer: 'Reviewer1', rating: { stars: 5, color: 'red' } });

    const ratings = await get('/api/v1/products/0/ratings');
    expect(ratings.status).toBe(200);
    expect(JSON.parse(ratings.body)).toEqual({ id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });

    proxy.routes.delete('ratings');
    const down = await get('/api/v1/products/0/ratings');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toEqual({ error: 'Sorry, product ratings are currently unavailable for this book.' });
  });
});

async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === 'object' && address ? address.port : 1;
}
