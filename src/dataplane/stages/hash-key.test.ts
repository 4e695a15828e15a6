import { afterEach, describe, expect, it } from 'vitest';
import { dr } from '../istio/fixtures.js';
import { Destination } from './destination.js';
import { closeAll, endpointAt, front, PROJECT, reviews, send } from './fixtures.js';
import { HashKey, headerValue, queryParam } from './hash-key.js';
import { cookieValue } from '../istio/sticky.js';
import { UpstreamHeaders } from './upstream-headers.js';

afterEach(closeAll);

const hashingOn = (consistentHash: unknown): ReturnType<typeof reviews> =>
  reviews([endpointAt(1), endpointAt(2)], { destinationRules: [dr(PROJECT, 'reviews', { host: 'reviews', trafficPolicy: { loadBalancer: { consistentHash } } })] });

const stages = (): [Destination, UpstreamHeaders, HashKey] => [new Destination(), new UpstreamHeaders(undefined), new HashKey()];

describe('HashKey', () => {
  it('hashes on a header, the client’s address or a query parameter', async () => {
    const byHeader = await front(stages(), hashingOn({ httpHeaderName: 'X-User' }));
    await send(byHeader.port, { headers: { 'x-user': 'jason' } });
    await send(byHeader.port);
    expect([(await byHeader.closed(0)).hashKey, (await byHeader.closed(1)).hashKey]).toEqual(['jason', undefined]);
    const bySource = await front(stages(), hashingOn({ useSourceIp: true }));
    await send(bySource.port);
    expect((await bySource.closed(0)).hashKey).toBe('127.0.0.1');
    const byQuery = await front(stages(), hashingOn({ httpQueryParameterName: 'u' }));
    await send(byQuery.port, { path: '/r?a=1&u=kim&u=lee' });
    expect((await byQuery.closed(0)).hashKey).toBe('kim');
  });

  it('hashes on the client’s cookie, leaving the answer alone', async () => {
    const f = await front(stages(), hashingOn({ httpCookie: { name: 'user', ttl: '60s', path: '/r' } }));
    await send(f.port, { headers: { cookie: 'theme=dark; user=ab12' } });
    const x = await f.closed(0);
    expect([x.hashKey, x.setCookie, x.headers!.cookie]).toEqual(['ab12', undefined, 'theme=dark; user=ab12']);
  });

  it('makes up a cookie for a client without one: Set-Cookie for the answer, and the upstream sees it sent', async () => {
    const f = await front(stages(), hashingOn({ httpCookie: { name: 'user', ttl: '60s', path: '/r' } }));
    await send(f.port, { headers: { cookie: 'theme=dark' } });
    await send(f.port);
    const x = await f.closed(0);
    expect(x.hashKey).toMatch(/^[0-9a-f]{16}$/);
    expect(x.setCookie).toBe(`user=${x.hashKey}; Path=/r; Max-Age=60; HttpOnly`);
    expect(x.headers!.cookie).toBe(`theme=dark; user=${x.hashKey}`);
    const y = await f.closed(1);
    expect(y.headers!.cookie).toBe(`user=${y.hashKey}`);
    expect(y.hashKey).not.toBe(x.hashKey);
  });

  it('does nothing for a cluster that does not hash', async () => {
    const f = await front(stages(), reviews([endpointAt(1)]));
    await send(f.port, { headers: { cookie: 'user=ab12' } });
    const x = await f.closed(0);
    expect([x.hashKey, x.setCookie]).toEqual([undefined, undefined]);
  });
});

describe('hash inputs', () => {
  it('reads a cookie by name, a query parameter, and a repeated field as one value', () => {
    expect(cookieValue(' a=1;user = x y ; b=2', 'user')).toBe('x y');
    expect([cookieValue('username=1', 'user'), cookieValue(undefined, 'user'), cookieValue('=user', 'user')]).toEqual([undefined, undefined, undefined]);
    expect([queryParam('/p?u=a%20b', 'u'), queryParam('/p', 'u'), queryParam('/p?x=1', 'u')]).toEqual(['a b', undefined, undefined]);
    expect([headerValue(['a', 'b']), headerValue('a'), headerValue(undefined)]).toEqual(['a,b', 'a', undefined]);
  });
});
