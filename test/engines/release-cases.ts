/**
 * The release scenarios every engine passes, written once (as Hono's common.case.test.ts):
 * admission refusals, a canary through takeover and offline, the survivor-readiness check,
 * an offline whose controller dies mid-way and is finished by the next one, rollback, and
 * delete (abandon). Each test's title names the engine.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/objects.js';
import type { Release, ReleaseStatus } from '../../src/config/release/types.js';
import { eventually, NS, release, routeLine, subsetsLine, type EngineHarness } from './harness.js';

/** Asserts `patterns` appear in `timeline` in this order (other lines may come between). */
export function expectInOrder(timeline: string[], patterns: string[]): void {
  let from = 0;
  for (const p of patterns) {
    const at = timeline.indexOf(p, from);
    expect(at, `"${p}" not found after line ${from} of:\n${timeline.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = at + 1;
  }
}

export function releaseCases(make: () => EngineHarness): void {
  const probe = make();
  const t = (title: string): string => `${probe.name}: ${title}`;
  let h: EngineHarness;

  beforeEach(async () => {
    h = make();
    await h.start();
  }, 60_000);

  afterEach(async () => {
    const breaches = h.breaches();
    await h.stop();
    expect(breaches).toEqual([]);
  }, 60_000);

  const get = <T extends KubeObject = KubeObject>(kind: string, name: string): Promise<T | undefined> => h.store.get<T>(kind, NS, name);
  const status = async (name = 'canary'): Promise<ReleaseStatus | undefined> => (await get<Release>('Release', name))?.status as ReleaseStatus | undefined;
  const since = (mark: number): string[] => h.timeline().slice(mark);
  const refusal = (p: Promise<unknown>): Promise<{ code?: string; status?: number; message?: string }> =>
    p.then(
      () => ({}),
      (err: { code?: string; status?: number; message?: string }) => ({ code: err.code, status: err.status, message: err.message }),
    );

  it(t('admission refuses a second release on a held service, and writes nothing'), async () => {
    h.allowReady('v2');
    await h.releases.create(release('canary'), { user: 'alice' });
    const second = release('second', { newVersion: { version: 'v3', image: 'example.com/contract/reviews:3', replicas: 1 }, routes: { weights: { v1: 90, v3: 10 } } });
    expect(await refusal(h.releases.create(second, { user: 'bob' }))).toEqual({
      code: 'GM_ERR_CONFLICT',
      status: 409,
      message: 'Release second: service reviews already has release canary; one release per service at a time (finish or delete canary first)',
    });
    expect(await get('Release', 'second')).toBeUndefined();
    expect(await get('Deployment', 'reviews-v3')).toBeUndefined();
  }, 60_000);

  it(t('admission refuses a release whose principal has no workload, and writes nothing'), async () => {
    expect(await refusal(h.releases.create(release('canary', { principal: 'v9' }), { user: 'alice' }))).toEqual({
      code: 'GM_ERR_INVALID',
      status: 422,
      message: 'Release canary: spec.principal: service reviews has no workload of version v9; its versions are v1',
    });
    expect(await h.store.list('Release', { namespace: NS })).toEqual([]);
    expect(await get('VirtualService', 'reviews')).toBeUndefined();
  });

  it(t('a canary is created make-before-break, taken over and taken offline, leaving a plain route to the survivor'), async () => {
    h.allowReady('v2');
    const created = await h.releases.create(release('canary'), { user: 'alice' });
    expect(created.status?.phase).toBe('Running');
    expect(created.status?.versions.map((v) => [v.version, v.weight, v.readyReplicas])).toEqual([['v1', 50, 1], ['v2', 50, 1]]);
    expect(created.status?.history).toEqual([expect.objectContaining({ user: 'alice', operation: 'create', result: expect.stringMatching(/^enforced/) })]);
    expectInOrder(h.timeline(), [
      'create Release canary',
      'subsets v1,v2',
      'in sync',
      'route [pin] v1=100',
      'in sync',
      'create Deployment reviews-v2',
      'ready Deployment reviews-v2',
      'route [rules] v1=50,v2=50',
      'in sync',
    ]);

    let mark = h.timeline().length;
    const taken = await h.releases.takeover(NS, 'canary', 'v2', { user: 'bob' });
    expect(taken.status?.governor).toBe('v2');
    expectInOrder(since(mark), ['route [rules] v2=100', 'in sync']);

    mark = h.timeline().length;
    expect(await h.releases.offline(NS, 'canary', { user: 'bob' })).toEqual({ survivor: 'v2', removed: 'v1' });
    expectInOrder(since(mark), ['route v2=100', 'in sync', 'subsets v2', 'in sync', 'delete Deployment reviews-v1', 'delete Release canary']);
    expect(await get('Release', 'canary')).toBeUndefined();
    expect(await get('Deployment', 'reviews-v1')).toBeUndefined();
    const survivor = await get('Deployment', 'reviews-v2');
    expect(survivor?.metadata.labels?.['graymesh.dev/release']).toBeUndefined();
    expect(survivor?.metadata.ownerReferences).toBeUndefined();
    expect((await get('VirtualService', 'reviews'))?.spec).toEqual({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] });
    expect(subsetsLine((await get('DestinationRule', 'reviews'))!)).toBe('subsets v2');
  }, 60_000);

  it(t('offline is refused while the survivor is not ready, and changes nothing'), async () => {
    // v2 never becomes ready; Immediately applies the rules anyway.
    await h.releases.create(release('canary', { policy: 'Immediately' }), { user: 'alice' });
    await h.releases.takeover(NS, 'canary', 'v2', { user: 'alice' });
    expect(await refusal(h.releases.offline(NS, 'canary', { user: 'bob' }))).toEqual({
      code: 'GM_ERR_INVALID',
      status: 422,
      message: 'Release canary: offline would leave v2 serving alone, but its workload reviews-v2 has 0/1 ready replicas; wait until it is ready',
    });
    const st = await status();
    expect(st?.pending).toBeUndefined();
    expect(st?.history.map((e) => e.operation)).toEqual(['create', 'takeover']);
    expect(await get('Deployment', 'reviews-v1')).toBeDefined();
    expect(routeLine((await get('VirtualService', 'reviews'))!)).toBe('route [rules] v2=100');
    expect(subsetsLine((await get('DestinationRule', 'reviews'))!)).toBe('subsets v1,v2');
  }, 60_000);

  it(t('offline is recorded as pending before its first step, and a restarted controller finishes it'), async () => {
    h.allowReady('v2');
    await h.releases.create(release('canary'), { user: 'alice' });
    await h.releases.takeover(NS, 'canary', 'v2', { user: 'alice' });
    h.holdAcks();
    // The call never finishes: its controller dies while the proxies have not ACKed its first step.
    let first: string | undefined;
    void h.releases.offline(NS, 'canary', { user: 'bob' }).then(
      () => (first = 'finished'),
      (err: Error) => (first = `failed: ${err.message}`),
    );
    await eventually(async () => {
      const vs = await get('VirtualService', 'reviews');
      return vs && routeLine(vs) === 'route v2=100';
    }, 'the route to the survivor');
    expect((await status())?.pending).toEqual({ operation: 'offline', user: 'bob', survivor: 'v2', removed: 'v1' });
    // The steps after it wait for the proxies.
    expect(subsetsLine((await get('DestinationRule', 'reviews'))!)).toBe('subsets v1,v2');
    expect(await get('Deployment', 'reviews-v1')).toBeDefined();

    const mark = h.timeline().length;
    await h.restart();
    h.allowAcks();
    await eventually(async () => !(await get('Release', 'canary')), 'the offline to be finished', 60_000);
    expectInOrder(since(mark), ['in sync', 'subsets v2', 'in sync', 'delete Deployment reviews-v1', 'delete Release canary']);
    expect(await get('Deployment', 'reviews-v1')).toBeUndefined();
    expect(routeLine((await get('VirtualService', 'reviews'))!)).toBe('route v2=100');
    expect(subsetsLine((await get('DestinationRule', 'reviews'))!)).toBe('subsets v2');
    expect(first).not.toBe('finished');
  }, 90_000);

  it(t('rollback sends everything to the principal and is recorded with who, before and after'), async () => {
    h.allowReady('v2');
    await h.releases.create(release('canary'), { user: 'alice' });
    const mark = h.timeline().length;
    const rolled = await h.releases.rollback(NS, 'canary', { user: 'dave' });
    expect(rolled.status?.governor).toBe('v1');
    expect(rolled.status?.versions.map((v) => [v.version, v.weight])).toEqual([['v1', 100], ['v2', 0]]);
    expectInOrder(since(mark), ['route [rules] v1=100', 'in sync']);
    const last = rolled.status?.history.at(-1);
    expect(last).toMatchObject({ user: 'dave', operation: 'rollback', before: { governor: '' }, after: { governor: 'v1' }, result: expect.stringMatching(/^enforced/) });
    expect(Number.isNaN(Date.parse(last?.time ?? ''))).toBe(false);
  }, 60_000);

  it(t('delete abandons a release: the principal pinned and enforced, then its new workload, then its rules and the release'), async () => {
    h.allowReady('v2');
    await h.releases.create(release('canary'), { user: 'alice' });
    const mark = h.timeline().length;
    await h.releases.delete(NS, 'canary', { user: 'carol' });
    expectInOrder(since(mark), ['route [pin] v1=100', 'in sync', 'delete Deployment reviews-v2', 'delete VirtualService reviews', 'delete DestinationRule reviews', 'delete Release canary']);
    expect(await get('Release', 'canary')).toBeUndefined();
    expect(await get('VirtualService', 'reviews')).toBeUndefined();
    expect(await get('DestinationRule', 'reviews')).toBeUndefined();
    expect(await get('Deployment', 'reviews-v2')).toBeUndefined();
    expect(await get('Deployment', 'reviews-v1')).toBeDefined();
  }, 60_000);
}
