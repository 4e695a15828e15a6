import { describe, expect, it } from 'vitest';
import { formatIssue } from '../issues.js';
import { validateObject } from '../validate.js';

/** A canary Release with `sticky`; the errors validation reports for it, one line each. */
function stickyErrors(sticky: unknown): string[] {
  const obj = {
    apiVersion: 'graymesh.dev/v1alpha1',
    kind: 'Release',
    metadata: { name: 'r' },
    spec: { type: 'canary', service: 'reviews', principal: 'v1', newVersion: { version: 'v2', image: 'img' }, routes: { weights: { v1: 50, v2: 50 } }, sticky },
  };
  return validateObject(obj).errors.map(formatIssue);
}

describe('Release spec.sticky', () => {
  it('accepts a cookie or a header name', () => {
    expect(stickyErrors({ cookie: 'gm-reviews-version' })).toEqual([]);
    expect(stickyErrors({ header: 'end-user' })).toEqual([]);
  });

  it('refuses both, neither, and names that cannot travel in a cookie or header', () => {
    expect(stickyErrors({ cookie: 'a', header: 'b' })).toEqual(['Release r: spec.sticky: give exactly one of cookie or header']);
    expect(stickyErrors({})).toEqual(['Release r: spec.sticky: give exactly one of cookie or header']);
    expect(stickyErrors({ cookie: 'my cookie;' })[0]).toMatch(/^Release r: spec\.sticky\.cookie: "my cookie;" is not a cookie name/);
    expect(stickyErrors({ header: 'end user' })).toEqual(['Release r: spec.sticky.header: "end user" is not a header name; e.g. end-user']);
  });
});
