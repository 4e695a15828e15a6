import { describe, expect, it } from 'vitest';
import { dr, outbound, routed, vs } from '../istio/fixtures.js';
import { endpointKey, OutlierDetector } from '../outlier.js';
import { ISTIO_DEFAULT_RETRY, type RetryPolicy } from '../policy.js';
import { endpointAt, PROJECT, reviews } from './fixtures.js';
import { ANSWER, EXHAUSTED, OVERFLOW, RETRY, RetryBudget, RetryState, shouldRetry } from './retry-state.js';

const a = endpointAt(31001);
const b = endpointAt(31002);

/** The route to reviews with `retries` (absent: Istio's default) and the DestinationRule's traffic policy. */
function route(retries?: unknown, trafficPolicy?: unknown): ReturnType<typeof routed> {
  const rule = { route: [{ destination: { host: 'reviews' } }], ...(retries === undefined ? {} : { retries }) };
  return routed(
    reviews([a, b], {
      virtualServices: [vs(PROJECT, 'reviews', { hosts: ['reviews'], http: [rule] })],
      destinationRules: trafficPolicy ? [dr(PROJECT, 'reviews', { host: 'reviews', trafficPolicy })] : [],
    }).route(outbound('reviews')),
  );
}

function state(r: ReturnType<typeof route>, o: { replayable?: boolean; deadline?: number; budget?: RetryBudget; outlier?: OutlierDetector } = {}): RetryState {
  return new RetryState(r.retries, r.cluster, o.budget ?? new RetryBudget(), o.outlier ?? new OutlierDetector(), o.replayable ?? true, o.deadline ?? Infinity);
}

const connectFailure = { kind: 'connect' as const, status: 503, flag: 'UF', text: '' };
const reset = { kind: 'reset' as const, status: 503, flag: 'UC', text: '' };

describe('RetryState', () => {
  it('allows 1 + attempts tries when the body can be sent again, else one', () => {
    expect(state(route({ attempts: 3 })).maxTries).toBe(4);
    expect(state(route()).maxTries).toBe(3);
    expect(state(route({ attempts: 3 }), { replayable: false }).maxTries).toBe(1);
    expect(state(route({ attempts: 0 })).maxTries).toBe(1);
  });

  it('gives each try the per-try timeout within what is left of the route’s, none once that ran out', () => {
    const r = route({ attempts: 2, perTryTimeout: '0.2s' });
    const s = state(r, { deadline: 10_000 });
    expect([s.tryTimeout(0), s.tryTimeout(9_900), s.tryTimeout(10_000), s.tryTimeout(10_001)]).toEqual([200, 100, 0, -1]);
    expect(state(route()).tryTimeout(5)).toBe(Infinity);
  });

  it('retries a retriable answer while tries are left, then passes it on as exhausted (URX)', () => {
    const s = state(route());
    s.begin();
    s.settle(a, 503);
    expect(s.verdict(503, undefined)).toBe(RETRY);
    s.begin();
    s.settle(b, 503);
    expect(s.verdict(503, undefined)).toBe(RETRY);
    s.begin();
    s.settle(a, 503);
    expect([s.tries, s.verdict(503, undefined)]).toEqual([3, EXHAUSTED]);
  });

  it('passes on what the retry-on conditions do not name', () => {
    const s = state(route());
    s.begin();
    expect([s.verdict(200, undefined), s.verdict(500, undefined), s.verdict(503, reset), s.verdict(503, connectFailure)]).toEqual([ANSWER, ANSWER, ANSWER, RETRY]);
    const none = state(route({ attempts: 0 }));
    none.begin();
    expect(none.verdict(503, connectFailure)).toBe(ANSWER);
  });

  it('holds retries to the cluster’s budget (maxRetries): one more overflows (UO) until a retry in flight settles', () => {
    const r = route({ attempts: 2, retryOn: '5xx' }, { connectionPool: { http: { maxRetries: 1 } } });
    const budget = new RetryBudget();
    const first = state(r, { budget });
    const second = state(r, { budget });
    first.begin();
    first.settle(a, 500);
    first.begin();
    expect(budget.full(r.cluster)).toBe(true);
    second.begin();
    second.settle(b, 500);
    expect(second.verdict(500, undefined)).toBe(OVERFLOW);
    first.settle(b, 500);
    expect([budget.full(r.cluster), second.verdict(500, undefined)]).toEqual([false, RETRY]);
  });

  it('tells outlier detection of every settled try', () => {
    const r = route(undefined, { outlierDetection: { consecutive5xxErrors: 2, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 } });
    const s = state(r);
    s.begin();
    s.settle(a, 502);
    expect(r.cluster.ejected.size).toBe(0);
    s.begin();
    s.settle(a, 504);
    expect([...r.cluster.ejected]).toEqual([endpointKey(a)]);
  });

  it('backs off 25 ms doubling per retry up to 250 ms, jittered between half and one and a half', () => {
    const s = state(route({ attempts: 9 }));
    const seen: number[][] = [];
    for (let i = 0; i < 6; i++) {
      s.begin();
      seen.push([s.backoffMs(0), s.backoffMs(0.5), s.backoffMs(1)]);
    }
    expect(seen).toEqual([
      [12.5, 25, 37.5],
      [25, 50, 75],
      [50, 100, 150],
      [100, 200, 300],
      [125, 250, 375],
      [125, 250, 375],
    ]);
  });
});

describe('shouldRetry (Envoy’s retry-on conditions)', () => {
  const policy = (retryOn: string[], codes: number[] = []): Pick<RetryPolicy, 'retryOn' | 'retriableStatusCodes'> => ({ retryOn: new Set(retryOn), retriableStatusCodes: new Set(codes) });
  const timeout = { kind: 'timeout' as const };

  it.each([
    ['5xx: every 5xx and every local failure', policy(['5xx']), [[500, true], [503, true], [499, false]], [connectFailure, reset, timeout], true],
    ['gateway-error: 502, 503, 504 and local failures', policy(['gateway-error']), [[502, true], [504, true], [500, false]], [connectFailure, timeout], true],
    ['retriable-4xx: 409 only', policy(['retriable-4xx']), [[409, true], [404, false]], [connectFailure], false],
    ['retriable-status-codes: the codes listed', policy(['retriable-status-codes'], [418]), [[418, true], [503, false]], [reset], false],
  ] as const)('%s', (_name, p, statuses, failures, failureRetried) => {
    for (const [status, want] of statuses) expect(shouldRetry(p, status, undefined)).toBe(want);
    for (const f of failures) expect(shouldRetry(p, 503, f)).toBe(failureRetried);
  });

  it('connect-failure and reset: the failures they name', () => {
    expect([shouldRetry(policy(['connect-failure']), 503, connectFailure), shouldRetry(policy(['connect-failure']), 503, reset), shouldRetry(policy(['connect-failure']), 503, undefined)]).toEqual([true, false, false]);
    expect([connectFailure, reset, timeout].map((f) => shouldRetry(policy(['reset']), 503, f))).toEqual([true, true, true]);
    expect(shouldRetry(ISTIO_DEFAULT_RETRY, 503, undefined)).toBe(true);
  });
});
