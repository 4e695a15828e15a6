/**
 * A Release's `spec.analysis` (src/config/release/analysis.ts): the structural table and
 * the rules a table cannot say: a step is one of setWeight, pause or analysis; weights grow
 * from 1 to 99; a plan is steps or stepWeights, not both; a blue-green release switches
 * all at once, so it has no weights; the built-in metrics and their thresholds; a webhook's
 * URL is http(s); the baseline's confidence lies between 0.5 and 1.
 */
import { WEBHOOK_TYPES } from '../../release/analysis.js';
import type { Report } from '../issues.js';
import type { TypeTable } from '../schema/schema.js';
import { rec, str } from '../values.js';

export const ANALYSIS_TYPES: TypeTable = {
  ReleaseAnalysis: {
    steps: '[]AnalysisStep',
    stepWeights: '[]integer',
    interval: 'duration',
    metrics: '[]AnalysisMetric',
    minRequests: 'integer',
    maxInconclusive: 'integer',
    onInconclusive: 'enum:fail|pause',
    threshold: 'integer',
    compareToBaseline: 'BaselineComparison',
    webhooks: '[]AnalysisWebhook',
    loadTest: 'LoadTest',
  },
  AnalysisStep: { setWeight: 'integer', pause: 'PauseStep', analysis: 'AnalysisNow' },
  PauseStep: { duration: 'duration' },
  AnalysisNow: {},
  AnalysisMetric: { name: 'string!', thresholdRange: 'ThresholdRange', query: 'string' },
  ThresholdRange: { min: 'number', max: 'number' },
  BaselineComparison: { confidence: 'number' },
  AnalysisWebhook: { name: 'string!', type: `enum:${WEBHOOK_TYPES.join('|')}!`, url: 'string!', timeout: 'duration', metadata: '{}string' },
  LoadTest: { url: 'string!', rps: 'number', headers: '{}string' },
};

export const BUILTIN_METRICS = ['request-success-rate', 'request-duration'] as const;

function checkSteps(a: Record<string, unknown>, type: string | undefined, r: Report): void {
  const steps = Array.isArray(a.steps) ? (a.steps as unknown[]) : undefined;
  const weights = Array.isArray(a.stepWeights) ? (a.stepWeights as unknown[]) : undefined;
  if (steps && weights) r.error('spec.analysis', 'steps and stepWeights are exclusive; give one plan');
  if (!steps && !weights && type === 'canary') r.error('spec.analysis', 'a canary needs a plan: stepWeights (e.g. [10, 25, 50]) or steps');
  if (weights && type !== 'canary') r.error('spec.analysis.stepWeights', `a ${type} release switches all traffic at once; use steps of pause and analysis`);
  let last = 0;
  (weights ?? []).forEach((w, i) => {
    if (typeof w !== 'number') return;
    if (w < 1 || w > 99) r.error(`spec.analysis.stepWeights[${i}]`, `${w} is out of range; use 1 to 99 (after the last step the new version takes all traffic)`);
    else if (w <= last) r.error(`spec.analysis.stepWeights[${i}]`, `${w} does not grow from ${last}; list weights in increasing order`);
    last = w;
  });
  (steps ?? []).forEach((s, i) => {
    const step = rec(s);
    if (!step) return;
    const at = `spec.analysis.steps[${i}]`;
    const keys = ['setWeight', 'pause', 'analysis'].filter((k) => step[k] !== undefined);
    if (keys.length !== 1) r.error(at, 'give exactly one of setWeight, pause or analysis');
    const w = step.setWeight;
    if (typeof w !== 'number') return;
    if (type !== 'canary') r.error(`${at}.setWeight`, `a ${type} release switches all traffic at once; use pause and analysis steps`);
    else if (w < 0 || w > 100) r.error(`${at}.setWeight`, `${w} is out of range; use 0 to 100`);
  });
}

function checkMetrics(a: Record<string, unknown>, r: Report): void {
  const metrics = Array.isArray(a.metrics) ? (a.metrics as unknown[]) : [];
  metrics.forEach((m, i) => {
    const metric = rec(m);
    if (!metric) return;
    const at = `spec.analysis.metrics[${i}]`;
    const name = str(metric.name) ?? '';
    const range = rec(metric.thresholdRange);
    const min = range?.min;
    const max = range?.max;
    if (typeof min === 'number' && typeof max === 'number' && min > max) r.error(`${at}.thresholdRange`, `min ${min} is above max ${max}`);
    if (metric.query !== undefined) {
      if ((BUILTIN_METRICS as readonly string[]).includes(name)) r.error(`${at}.name`, `${name} is built in; give a custom query another name`);
      if (min === undefined && max === undefined) r.error(`${at}.thresholdRange`, 'a query needs a thresholdRange with min or max');
      return;
    }
    if (name === 'request-success-rate') {
      if (typeof min !== 'number') r.error(`${at}.thresholdRange.min`, 'the lowest success rate that passes, %; e.g. min: 99');
      else if (min < 0 || min > 100) r.error(`${at}.thresholdRange.min`, `${min} is out of range; use 0 to 100`);
      if (max !== undefined) r.error(`${at}.thresholdRange.max`, 'a success rate has a min only');
    } else if (name === 'request-duration') {
      if (typeof max !== 'number') r.error(`${at}.thresholdRange.max`, 'the highest p99 latency that passes, ms; e.g. max: 500');
      else if (max <= 0) r.error(`${at}.thresholdRange.max`, 'must be more than 0 ms');
      if (min !== undefined) r.error(`${at}.thresholdRange.min`, 'a duration has a max only');
    } else if (name) {
      r.error(`${at}.name`, `unknown metric "${name}"; use request-success-rate, request-duration, or give a PromQL query`);
    }
  });
}

function checkUrl(url: unknown, at: string, r: Report): void {
  const s = str(url);
  if (s === undefined) return;
  let u: URL | undefined;
  try {
    u = new URL(s);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) r.error(at, `"${s}" is not an http or https URL; e.g. http://127.0.0.1:8080/gate`);
}

export function checkAnalysis(spec: Record<string, unknown>, r: Report): void {
  const a = rec(spec.analysis);
  if (!a) return;
  const type = str(spec.type);
  if (type === 'mirror') r.error('spec.analysis', 'a mirror release serves no answers from the new version; use a canary or blue-green release');
  checkSteps(a, type, r);
  checkMetrics(a, r);
  for (const [field, least] of [['minRequests', 0], ['maxInconclusive', 1], ['threshold', 1]] as const) {
    const v = a[field];
    if (typeof v === 'number' && v < least) r.error(`spec.analysis.${field}`, `must be ${least} or more`);
  }
  const confidence = rec(a.compareToBaseline)?.confidence;
  if (typeof confidence === 'number' && (confidence < 0.5 || confidence >= 1)) {
    r.error('spec.analysis.compareToBaseline.confidence', `${confidence} is out of range; use 0.5 to below 1, e.g. 0.95`);
  }
  const hooks = Array.isArray(a.webhooks) ? (a.webhooks as unknown[]) : [];
  const names = new Set<string>();
  hooks.forEach((h, i) => {
    const hook = rec(h);
    if (!hook) return;
    checkUrl(hook.url, `spec.analysis.webhooks[${i}].url`, r);
    const name = str(hook.name);
    if (name !== undefined && names.has(name)) r.error(`spec.analysis.webhooks[${i}].name`, `"${name}" is used twice; give each webhook its own name`);
    if (name !== undefined) names.add(name);
  });
  const load = rec(a.loadTest);
  if (load) {
    checkUrl(load.url, 'spec.analysis.loadTest.url', r);
    const rps = load.rps;
    if (typeof rps === 'number' && (rps <= 0 || rps > 1000)) r.error('spec.analysis.loadTest.rps', `${rps} is out of range; use more than 0 up to 1000 requests per second`);
  }
}
