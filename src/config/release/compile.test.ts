import { describe, expect, it } from 'vitest';
import { compileRe2, type Re2Matcher } from '../validate/re2.js';
import { compileDestinationRule, compileVirtualService, contentMatch, effectiveWeights } from './compile.js';
import { RELEASE_ANNOTATION, STICKY_ANNOTATION, type Release, type ReleaseSpec } from './types.js';

function release(spec: Partial<ReleaseSpec>): Release {
  return {
    apiVersion: 'graymesh.dev/v1alpha1',
    kind: 'Release',
    metadata: { name: 'rel', namespace: 'demo', uid: 'u1' },
    spec: { type: 'canary', service: 'reviews', principal: 'v1', newVersion: { version: 'v2', image: 'img' }, routes: { weights: { v1: 50, v2: 50 } }, ...spec },
  };
}

/** The regex contentMatch puts on the cookie header, compiled as Envoy would run it. */
const cookieRegex = (m: Parameters<typeof contentMatch>[0]): Re2Matcher => compileRe2((contentMatch(m).headers as Record<string, { regex: string }>)['cookie']!.regex);

type Http = { name: string; match?: { headers?: Record<string, { regex?: string; exact?: string }>; uri?: unknown }[]; route: { destination: { subset: string }; weight?: number }[]; mirror?: { subset: string }; mirrorPercentage?: { value: number } }[];
const httpOf = (r: Release, stage: 'pin' | 'rules' = 'rules'): Http => (compileVirtualService(r, stage).spec as { http: Http }).http;

describe('release compiler', () => {
  it('matches a cookie pair anywhere in the Cookie header, exact or by regex', () => {
    const exact = cookieRegex({ cookie: { exact: 'user=jason' } });
    for (const h of ['user=jason', 'a=1; user=jason', 'a=1;user=jason; b=2']) expect([h, exact.test(h)]).toEqual([h, true]);
    for (const h of ['user=jasonx', 'xuser=jason', 'a=user=jason', 'user=json']) expect([h, exact.test(h)]).toEqual([h, false]);
    const regex = cookieRegex({ cookie: { regex: 'user=.*' } });
    for (const h of ['user=jason', 'a=1; user=', 'session=x; user=kim; theme=dark']) expect([h, regex.test(h)]).toEqual([h, true]);
    expect(regex.test('session=x; theme=dark')).toBe(false);
  });

  it('escapes RE2 metacharacters of an exact cookie', () => {
    const re = cookieRegex({ cookie: { exact: 'v=a.b(c)' } });
    expect(re.test('v=a.b(c)')).toBe(true);
    expect(re.test('v=aXb(c)')).toBe(false);
  });

  it('ANDs every condition in one match: header, cookie, user agent, uri', () => {
    const m = contentMatch({ header: { name: 'X-Canary', regex: '^y.*' }, cookie: { exact: 'user=jason' }, uri: { prefix: '/api' }, os: ['ios'], browser: ['safari'] });
    expect(Object.keys(m.headers as object).sort()).toEqual(['cookie', 'user-agent', 'x-canary']);
    expect(m.uri).toEqual({ prefix: '/api' });
    expect(contentMatch({ uri: { regex: '/reviews/[0-9]+' } }).uri).toEqual({ regex: '/reviews/[0-9]+' });
  });

  it('canary by content: matching requests to the new version, the rest to the principal', () => {
    const http = httpOf(release({ routes: { match: { header: { name: 'end-user', exact: 'jason' } } } }));
    expect(http.map((h) => [h.name, h.route[0]?.destination.subset])).toEqual([['canary-match', 'v2'], ['principal', 'v1']]);
    expect(http[0]?.match?.[0]?.headers).toEqual({ 'end-user': { exact: 'jason' } });
  });

  it('pins everything to the principal, and a governor takes everything', () => {
    expect(httpOf(release({}), 'pin')[0]?.route).toEqual([{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }]);
    expect(httpOf(release({ governor: 'v2' }))[0]?.route).toEqual([{ destination: { host: 'reviews', subset: 'v2' }, weight: 100 }]);
  });

  it('blue-green serves one version 100%; mirror copies to the new one', () => {
    const bg = release({ type: 'bluegreen', routes: { serve: 'v2' } });
    expect(httpOf(bg)[0]?.route.map((d) => [d.destination.subset, d.weight])).toEqual([['v2', 100]]);
    expect(effectiveWeights(bg, 'rules')).toEqual({ v1: 0, v2: 100 });
    const mirror = httpOf(release({ type: 'mirror', routes: { mirrorPercent: 25 } }))[0];
    expect(mirror?.route.map((d) => d.destination.subset)).toEqual(['v1']);
    expect(mirror?.mirror).toEqual({ host: 'reviews', subset: 'v2' });
    expect(mirror?.mirrorPercentage).toEqual({ value: 25 });
  });

  it('names the release and, when sticky, the sticky key in annotations', () => {
    const vs = compileVirtualService(release({ sticky: { header: 'End-User' } }), 'rules');
    expect(vs.metadata.annotations?.[RELEASE_ANNOTATION]).toBe('rel');
    expect(vs.metadata.annotations?.[STICKY_ANNOTATION]).toBe('header:end-user');
    expect(compileVirtualService(release({ sticky: { cookie: 'gm' } }), 'rules').metadata.annotations?.[STICKY_ANNOTATION]).toBe('cookie:gm');
    expect(compileVirtualService(release({}), 'rules').metadata.annotations?.[STICKY_ANNOTATION]).toBeUndefined();
  });

  it('defines one subset per version by the version label', () => {
    expect(compileDestinationRule(release({})).spec).toEqual({ host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] });
  });
});
