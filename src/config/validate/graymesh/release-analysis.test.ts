import { describe, expect, it } from 'vitest';
import { formatIssue } from '../issues.js';
import { validateObject } from '../validate.js';

function errors(type: string, analysis: unknown): string[] {
  const obj = {
    apiVersion: 'graymesh.dev/v1alpha1',
    kind: 'Release',
    metadata: { name: 'r' },
    spec: { type, service: 'reviews', principal: 'v1', newVersion: { version: 'v2', image: 'img' }, analysis },
  };
  return validateObject(obj).errors.map(formatIssue);
}

describe('Release spec.analysis', () => {
  it('accepts a stepWeights plan with metrics, webhooks and a load test, and a blue-green plan of steps', () => {
    expect(
      errors('canary', {
        stepWeights: [10, 25, 50],
        interval: '30s',
        metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }, { name: 'request-duration', thresholdRange: { max: 500 } }],
        minRequests: 20,
        compareToBaseline: { confidence: 0.99 },
        webhooks: [{ name: 'smoke', type: 'pre-rollout', url: 'http://127.0.0.1:9/smoke', timeout: '5s' }],
        loadTest: { url: 'http://productpage.demo.localhost:8080/productpage', rps: 20 },
      }),
    ).toEqual([]);
    expect(errors('bluegreen', { steps: [{ pause: { duration: '10s' } }, { analysis: {} }, { pause: {} }] })).toEqual([]);
  });

  it('names the field and the fix, one line each', () => {
    expect(errors('canary', { stepWeights: [50, 20] })).toEqual(['Release r: spec.analysis.stepWeights[1]: 20 does not grow from 50; list weights in increasing order']);
    expect(errors('canary', {})).toEqual(['Release r: spec.analysis: a canary needs a plan: stepWeights (e.g. [10, 25, 50]) or steps']);
    expect(errors('canary', { steps: [{ setWeight: 10, pause: {} }] })).toEqual(['Release r: spec.analysis.steps[0]: give exactly one of setWeight, pause or analysis']);
    expect(errors('bluegreen', { stepWeights: [10] })).toEqual(['Release r: spec.analysis.stepWeights: a bluegreen release switches all traffic at once; use steps of pause and analysis']);
    expect(errors('canary', { stepWeights: [10], metrics: [{ name: 'request-success-rate' }] })).toEqual([
      'Release r: spec.analysis.metrics[0].thresholdRange.min: the lowest success rate that passes, %; e.g. min: 99',
    ]);
    expect(errors('canary', { stepWeights: [10], metrics: [{ name: 'latency', thresholdRange: { max: 1 } }] })).toEqual([
      'Release r: spec.analysis.metrics[0].name: unknown metric "latency"; use request-success-rate, request-duration, or give a PromQL query',
    ]);
    expect(errors('canary', { stepWeights: [10], webhooks: [{ name: 'x', type: 'pre-rollout', url: 'ftp://x' }] })).toEqual([
      'Release r: spec.analysis.webhooks[0].url: "ftp://x" is not an http or https URL; e.g. http://127.0.0.1:8080/gate',
    ]);
    expect(errors('canary', { stepWeights: [10], compareToBaseline: { confidence: 1 } })[0]).toMatch(/compareToBaseline\.confidence: 1 is out of range/);
    expect(errors('mirror', { steps: [{ analysis: {} }] })[0]).toMatch(/spec\.analysis: a mirror release serves no answers/);
    expect(errors('canary', { stepWeights: [10], interval: 'soon' })[0]).toMatch(/^Release r: spec\.analysis\.interval: "soon" is not a duration/);
    expect(errors('canary', { stepWeights: [10], webhooks: [{ name: 'x', type: 'later', url: 'http://a' }] })[0]).toMatch(/spec\.analysis\.webhooks\[0\]\.type/);
  });
});
