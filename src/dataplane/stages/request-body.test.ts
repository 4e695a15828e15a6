import { afterEach, describe, expect, it } from 'vitest';
import { vs } from '../istio/fixtures.js';
import { closeAll, endpointAt, front, PROJECT, rawClient, reviews, send } from './fixtures.js';
import { TeeBody } from './tee-body.js';
import { REPLAY_LIMIT, RequestBody } from './request-body.js';

afterEach(closeAll);

const HEAD = 'POST / HTTP/1.1\r\nhost: reviews:9080\r\ncontent-length: 5\r\n\r\n';
/** reviews without a VirtualService: Istio's default retry policy, so bodies are kept for a retry. */
const retrying = reviews([endpointAt(1)]);
const once = reviews([endpointAt(1)], { virtualServices: [vs(PROJECT, 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], retries: { attempts: 0 } }] })] });

describe('RequestBody', () => {
  it('has nothing to send for a request without a body', async () => {
    const f = await front([new RequestBody()], retrying);
    await send(f.port);
    await send(f.port, { method: 'POST', headers: { 'content-length': '0' } });
    for (const n of [0, 1]) expect([(await f.closed(n)).body, (await f.closed(n)).replayable]).toEqual([null, true]);
  });

  it('buffers the whole body when the route may send it again', async () => {
    const f = await front([new RequestBody()], retrying);
    const body = Buffer.alloc(200_000, 'ab');
    expect((await send(f.port, { method: 'PUT', body })).body).toBe('reached\n');
    const x = await f.closed(0);
    expect(Buffer.isBuffer(x.body)).toBe(true);
    expect((x.body as Buffer).equals(body)).toBe(true);
    expect(x.replayable).toBe(true);
  });

  it('waits for a body still arriving, then goes on with all of it', async () => {
    const f = await front([new RequestBody()], retrying);
    const s = await rawClient(f.port, `${HEAD}hel`);
    const x = await f.arrived(0);
    expect([x.at, x.body, x.rec.status]).toEqual([0, null, 0]);
    s.write('lo');
    await f.closed(0);
    expect((x.body as Buffer).toString()).toBe('hello');
    expect(x.at).toBe(1);
  });

  it('streams a body sent only once: no retries or mirrors, or over the replay limit', async () => {
    const f = await front([new RequestBody()], once);
    await send(f.port, { method: 'POST', body: 'hello' });
    const big = await front([new RequestBody()], retrying);
    await send(big.port, { method: 'POST', body: Buffer.alloc(REPLAY_LIMIT + 1) });
    for (const server of [f, big]) {
      const x = await server.closed(0);
      expect([x.body === x.req, x.replayable]).toEqual([true, false]);
    }
  });

  it('streams a body of unknown length on a retrying route, kept for a retry as it goes', async () => {
    const chunked = await front([new RequestBody()], retrying);
    await send(chunked.port, { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: 'hello' });
    const x = await chunked.closed(0);
    expect([x.body instanceof TeeBody, (x.body as TeeBody).overflowed, x.replayable]).toEqual([true, false, false]);
  });

  it('goes no further when the client goes away before its body ended (DC)', async () => {
    const f = await front([new RequestBody()], retrying);
    const s = await rawClient(f.port, `${HEAD}he`);
    await f.arrived(0);
    s.destroy();
    const x = await f.closed(0);
    expect([x.rec.flags, x.at, x.body, x.rec.status]).toEqual(['DC', 0, null, 0]);
  });
});
