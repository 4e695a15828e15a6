import { describe, expect, it } from 'vitest';
import type { Release } from '../api/types';
import { buildRelease, describeRouting, emptyForm, principalOf, proposeImage, sliderKey, splitWeights, stepErrors, versionRows, type ReleaseForm } from './release-math';

/** The tutorial's task 3: canary-release of reviews, v2 beside v1 at 50/50. */
function tutorialForm(): ReleaseForm {
  return {
    ...emptyForm('canary'),
    name: 'canary-release',
    service: 'reviews',
    principal: 'v1',
    version: 'v2',
    image: 'kubesphere/examples-bookinfo-reviews-v2:1.13.0',
  };
}

describe('release math', () => {
  it('builds the tutorial canary as the CLI does', () => {
    expect(buildRelease(tutorialForm())).toEqual({
      apiVersion: 'graymesh.dev/v1alpha1',
      kind: 'Release',
      metadata: { name: 'canary-release' },
      spec: {
        type: 'canary',
        service: 'reviews',
        principal: 'v1',
        newVersion: { version: 'v2', image: 'kubesphere/examples-bookinfo-reviews-v2:1.13.0', replicas: 1 },
        policy: 'WaitForWorkloadReady',
        routes: { weights: { v1: 50, v2: 50 } },
      },
    });
  });

  it('builds a request-content canary from the checked conditions only', () => {
    const f = tutorialForm();
    f.strategy = 'content';
    f.cookie = { enabled: true, kind: 'exact', value: 'user=tester' };
    f.header = { enabled: false, name: 'x-ignored', kind: 'exact', value: 'x' };
    f.os = { enabled: true, values: ['android', 'ios'] };
    f.browser = { enabled: true, values: ['firefox'] };
    f.uri = { enabled: true, kind: 'prefix', value: '/productpage' };
    expect(buildRelease(f).spec.routes).toEqual({
      match: { cookie: { exact: 'user=tester' }, uri: { prefix: '/productpage' }, os: ['android', 'ios'], browser: ['firefox'] },
    });
  });

  it('builds blue-green and mirror jobs', () => {
    const bg = { ...tutorialForm(), type: 'bluegreen' as const };
    expect(buildRelease(bg).spec.routes).toEqual({ serve: 'v2' });
    const mirror = { ...tutorialForm(), type: 'mirror' as const, mirrorPercent: 30 };
    expect(buildRelease(mirror).spec.routes).toEqual({ mirrorPercent: 30 });
  });

  it('refuses what the API would refuse, step by step, in plain words', () => {
    const f = tutorialForm();
    expect(stepErrors({ ...f, name: 'Canary Release' }, 0)[0]).toMatch(/lowercase/);
    expect(stepErrors({ ...f, service: '' }, 1)).toEqual(['Choose the service to release']);
    expect(stepErrors({ ...f, version: 'v1' }, 2)[0]).toMatch(/already serving/);
    expect(stepErrors({ ...f, replicas: 0 }, 2)[0]).toMatch(/Replicas/);
    const content = { ...f, strategy: 'content' as const };
    expect(stepErrors(content, 3)[0]).toMatch(/at least one condition/);
    expect(stepErrors({ ...content, header: { enabled: true, name: 'User-Agent', kind: 'exact' as const, value: 'x' } }, 3)[0]).toMatch(/own condition/);
    for (const step of [0, 1, 2, 3]) expect(stepErrors(f, step)).toEqual([]);
  });

  it('proposes the new image by swapping the version, as KubeSphere does', () => {
    expect(proposeImage('kubesphere/examples-bookinfo-reviews-v1:1.13.0', 'v1', 'v2')).toBe('kubesphere/examples-bookinfo-reviews-v2:1.13.0');
    expect(proposeImage('registry/app:v1', 'v1', 'v2')).toBe('registry/app:v2');
    expect(proposeImage('registry/app:latest', 'v1', 'v2')).toBe('registry/app:latest');
    expect(proposeImage('registry/app-v10:1', 'v1', 'v2')).toBe('registry/app-v10:1');
  });

  it('finds the principal as the only other version', () => {
    expect(principalOf(['v1'], 'v2')).toEqual({ principal: 'v1' });
    expect(principalOf(['v1', 'v3'], 'v2').error).toMatch(/v1, v3/);
    expect(principalOf([], 'v2').error).toMatch(/no running version/);
  });

  it('splits traffic to 100 and steps the slider by key', () => {
    expect(splitWeights('v1', 'v2', 30)).toEqual({ v1: 70, v2: 30 });
    expect(splitWeights('v1', 'v2', 130)).toEqual({ v1: 0, v2: 100 });
    expect(sliderKey(50, 'ArrowRight')).toBe(51);
    expect(sliderKey(0, 'ArrowLeft')).toBe(0);
    expect(sliderKey(95, 'PageUp')).toBe(100);
    expect(sliderKey(40, 'Home')).toBe(0);
    expect(sliderKey(40, 'Tab')).toBeUndefined();
  });

  it('lists the versions of a job with their live traffic, principal first', () => {
    const r = {
      apiVersion: 'graymesh.dev/v1alpha1',
      kind: 'Release',
      metadata: { name: 'canary-release' },
      spec: { ...buildRelease(tutorialForm()).spec },
      status: {
        phase: 'Running',
        governor: 'v2',
        history: [],
        versions: [
          { version: 'v2', workload: 'reviews-v2', weight: 100, replicas: 1, readyReplicas: 1 },
          { version: 'v1', workload: 'reviews-v1', weight: 0, replicas: 1, readyReplicas: 1 },
        ],
      },
    } as unknown as Release;
    const rows = versionRows(r, new Map([['reviews-v2', { rps: 2, successRate: 100, p95: 12 }]]));
    expect(rows.map((x) => [x.version, x.weight, x.governor, x.principal])).toEqual([
      ['v1', 0, false, true],
      ['v2', 100, true, false],
    ]);
    expect(rows[1]!.traffic.rps).toBe(2);
    expect(describeRouting(r)).toBe('v2 takes all traffic');
  });
});
