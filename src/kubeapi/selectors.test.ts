import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/objects.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

describe('label selectors', () => {
  const labels = { app: 'reviews', version: 'v2' };
  const m = (s: string): boolean => matchesLabels(labels, parseLabelSelector(s));

  it('reads equality, inequality, set and existence terms', () => {
    expect(m('app=reviews')).toBe(true);
    expect(m('app==reviews,version!=v1')).toBe(true);
    expect(m('version in (v1, v2)')).toBe(true);
    expect(m('version notin (v2)')).toBe(false);
    expect(m('app')).toBe(true);
    expect(m('!canary')).toBe(true);
    expect(m('!app')).toBe(false);
    expect(m('app=ratings')).toBe(false);
  });

  it('refuses what it cannot read', () => {
    expect(() => parseLabelSelector('app=(x')).toThrow(/unable to parse requirement/);
  });
});

describe('field selectors', () => {
  const o: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'demo' } };
  it('selects by metadata.name and metadata.namespace', () => {
    expect(matchesFields(o, parseFieldSelector('metadata.name=p1,metadata.namespace=demo'))).toBe(true);
    expect(matchesFields(o, parseFieldSelector('metadata.name!=p1'))).toBe(false);
    expect(() => parseFieldSelector('status.phase=Running')).toThrow('field label not supported: status.phase');
  });
});
