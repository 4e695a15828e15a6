import { describe, expect, it } from 'vitest';
import type { ReleaseSpec } from '../api/types';
import { analysisOf, autoErrors, chartThresholds, emptyAuto, parseSteps, planItems } from './analysis';

describe('automatic releases in the console', () => {
  it('builds spec.analysis as the CLI does, and names what is wrong', () => {
    expect(analysisOf({ ...emptyAuto(), steps: '20, 50', interval: '2s' })).toEqual({
      stepWeights: [20, 50],
      interval: '2s',
      metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }, { name: 'request-duration', thresholdRange: { max: 500 } }],
      minRequests: 10,
    });
    expect(parseSteps('50,20')).toBe('Steps: 20 does not grow from 50; list weights in increasing order');
    expect(autoErrors({ ...emptyAuto(), steps: '0', interval: 'soon' })).toEqual(['Steps: 0 is not a whole percent from 1 to 99', 'Interval: a duration such as 30s or 1m']);
  });

  it('lays out the plan with the step under way, and the thresholds to draw', () => {
    const spec = { type: 'canary', service: 'reviews', principal: 'v1', newVersion: { version: 'v2', image: 'i' }, routes: {}, analysis: analysisOf({ ...emptyAuto(), steps: '20,50' }) } as ReleaseSpec;
    expect(planItems(spec, 1, 'Progressing').map((p) => `${p.label}:${p.state}`)).toEqual([
      '20% to v2:done',
      'Analysis:current',
      '50% to v2:next',
      'Analysis:next',
      'Promote: v2 takes all:next',
    ]);
    expect(planItems(spec, 4, 'Succeeded').every((p) => p.state === 'done')).toBe(true);
    expect(chartThresholds(spec)).toEqual({ successRate: 99, p99: 500 });
  });
});
