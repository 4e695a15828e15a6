import { afterEach, describe, expect, it } from 'vitest';
import { vs } from '../istio/fixtures.js';
import { FaultAbort, FaultDelay, type Schedule } from './fault.js';
import { closeAll, endpointAt, front, PROJECT, rawClient, reviews, send } from './fixtures.js';

afterEach(closeAll);

const withFault = (fault: unknown): ReturnType<typeof reviews> =>
  reviews([endpointAt(1)], { virtualServices: [vs(PROJECT, 'reviews', { hosts: ['reviews'], http: [{ fault, route: [{ destination: { host: 'reviews' } }] }] })] });

/** A clock the test moves: the delays the stage asked for, each run when the test says. */
function testClock(): { schedule: Schedule; next: () => Promise<{ ms: number; fire: () => void }> } {
  const asked: { ms: number; fire: () => void }[] = [];
  let wake: (() => void) | undefined;
  return {
    schedule: (fn, ms, x) => {
      asked.push({ ms, fire: () => fn(x) });
      wake?.();
    },
    next: async () => {
      while (asked.length === 0) await new Promise<void>((r) => (wake = r));
      return asked.shift()!;
    },
  };
}

describe('FaultAbort', () => {
  it('answers the abort status itself (FI) and drops the body, keeping the connection', async () => {
    const f = await front([new FaultAbort()], withFault({ abort: { httpStatus: 555, percentage: { value: 100 } } }));
    const s = await rawClient(f.port, 'POST / HTTP/1.1\r\nhost: reviews:9080\r\ncontent-length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nhost: reviews:9080\r\n\r\n');
    let got = '';
    await new Promise<void>((r) =>
      s.on('data', (c: Buffer) => {
        got += c.toString('latin1');
        if (got.split('fault filter abort\n').length === 3) r();
      }),
    );
    expect(got).toMatch(/^HTTP\/1\.1 555 /);
    expect((await f.closed(0)).rec).toMatchObject({ status: 555, flags: 'FI', bytesSent: 19 });
    expect((await f.closed(1)).rec.flags).toBe('FI');
  });

  it('never aborts at percentage 0; a route without a fault goes on', async () => {
    const f = await front([new FaultAbort()], withFault({ abort: { httpStatus: 555, percentage: { value: 0 } } }));
    for (let i = 0; i < 20; i++) expect((await send(f.port)).body).toBe('reached\n');
    const plain = await front([new FaultAbort()], reviews([endpointAt(1)]));
    expect((await send(plain.port)).body).toBe('reached\n');
  });
});

describe('FaultDelay', () => {
  it('holds the request for the delay (DI), then goes on', async () => {
    const clock = testClock();
    const f = await front([new FaultDelay(clock.schedule), new FaultAbort()], withFault({ delay: { fixedDelay: '7s', percentage: { value: 100 } } }));
    const reply = send(f.port);
    const delay = await clock.next();
    expect(delay.ms).toBe(7000);
    const x = await f.arrived(0);
    expect([x.rec.flags, x.rec.status, x.at]).toEqual(['DI', 0, 0]);
    delay.fire();
    expect((await reply).body).toBe('reached\n');
  });

  it('delayed then aborted: the abort’s answer, flagged DI,FI', async () => {
    const clock = testClock();
    const f = await front([new FaultDelay(clock.schedule), new FaultAbort()], withFault({ delay: { fixedDelay: '1s' }, abort: { httpStatus: 429 } }));
    const reply = send(f.port);
    (await clock.next()).fire();
    expect((await reply).status).toBe(429);
    expect((await f.closed(0)).rec.flags).toBe('DI,FI');
  });

  it('goes no further once the client has gone during the delay', async () => {
    const clock = testClock();
    const f = await front([new FaultDelay(clock.schedule), new FaultAbort()], withFault({ delay: { fixedDelay: '7s' }, abort: { httpStatus: 429 } }));
    const s = await rawClient(f.port, 'GET / HTTP/1.1\r\nhost: reviews:9080\r\n\r\n');
    const delay = await clock.next();
    s.destroy();
    const x = await f.closed(0);
    delay.fire();
    expect([x.rec.flags, x.rec.status, x.at, x.clientGone]).toEqual(['DI', 0, 0, true]);
  });

  it('never delays at percentage 0', async () => {
    const clock = testClock();
    const f = await front([new FaultDelay(clock.schedule)], withFault({ delay: { fixedDelay: '7s', percentage: { value: 0 } } }));
    expect((await send(f.port)).body).toBe('reached\n');
    expect((await f.closed(0)).rec.flags).toBe('-');
  });
});

