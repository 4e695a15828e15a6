import { describe, expect, it } from 'vitest';
import type { Release } from '../../config/release/types.js';
import { analysisFromFlags, parseWebhooks } from './release-auto.js';
import { view, weightBar } from './release-watch.js';

describe('automatic release flags', () => {
  it('build spec.analysis from --steps, --interval, thresholds and webhooks', () => {
    expect(
      analysisFromFlags({ steps: '10,25,50', interval: '30s', minSuccessRate: '99', maxP99: '500ms', minRequests: '20', webhook: ['pre-rollout=http://a/x', 'pre-rollout=http://a/y'] }),
    ).toEqual({
      stepWeights: [10, 25, 50],
      interval: '30s',
      metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }, { name: 'request-duration', thresholdRange: { max: 500 } }],
      minRequests: 20,
      webhooks: [{ name: 'pre-rollout', type: 'pre-rollout', url: 'http://a/x' }, { name: 'pre-rollout-2', type: 'pre-rollout', url: 'http://a/y' }],
    });
    expect(analysisFromFlags({})).toBeUndefined();
    expect(analysisFromFlags({ steps: '20', compareToBaseline: true })?.compareToBaseline).toEqual({});
  });

  it('refuses bad values with the flag and the fix', () => {
    expect(() => analysisFromFlags({ steps: '10,abc' })).toThrow('--steps abc: use a whole number from 1 to 99');
    expect(() => analysisFromFlags({ steps: '10', maxP99: 'fast' })).toThrow('--max-p99 fast: a latency such as 500ms or 1s');
    expect(() => parseWebhooks(['later=http://x'])).toThrow(/--webhook later=http:\/\/x: write TYPE=URL with TYPE one of pre-rollout, rollout/);
  });
});

describe('release watch view', () => {
  it('draws the phase, step k of n with a weight bar, and the last checks', () => {
    expect(weightBar(50)).toBe(`[${'#'.repeat(15)}${'-'.repeat(15)}]`);
    const r = {
      metadata: { name: 'r' },
      spec: { type: 'canary', service: 'reviews', principal: 'v1', newVersion: { version: 'v2', image: 'i' }, routes: {}, analysis: {} },
      status: {
        phase: 'Progressing',
        message: 'step 2 of 4: 20% to v2, analysis every 2s',
        versions: [{ version: 'v1', workload: 'reviews-v1', weight: 80, replicas: 1, readyReplicas: 1 }, { version: 'v2', workload: 'reviews-v2', weight: 20, replicas: 1, readyReplicas: 1 }],
        history: [],
        analysis: {
          step: 1, steps: 4, stepStarted: '', windowStart: '', failedChecks: 0, inconclusive: 0, webhooks: [],
          checks: [{ time: '2026-01-01T10:00:02.000Z', metric: 'request-success-rate', version: 'v2', value: 100, threshold: '>= 99 %', requests: 42, verdict: 'pass' }],
        },
      },
    } as unknown as Release;
    expect(view(r)).toEqual([
      'release r (canary of reviews, v1 → v2): Progressing',
      `step 2 of 4    [######------------------------] v2 20%`,
      '  step 2 of 4: 20% to v2, analysis every 2s',
      'last checks:',
      '  10:00:02  request-success-rate   v2           100  >= 99 %            42 req  pass',
    ]);
  });
});
