/**
 * graymesh.dev/v1alpha1 Release: the structural table and the release rules
 * (versions are DNS labels, weights name the release's versions and sum to
 * 100, a content rule has at least one condition, header names are not cookie
 * or user-agent, regexes are RE2).
 */
import type { Report } from '../issues.js';
import { re2Error } from '../re2.js';
import type { TypeTable } from '../schema/schema.js';
import { isDns1123Label, rec, str } from '../values.js';
import { ANALYSIS_TYPES, checkAnalysis } from './release-analysis.js';

export const RELEASE_TYPES: TypeTable = {
  ReleaseSpec: {
    type: 'enum:canary|bluegreen|mirror!',
    service: 'string!',
    principal: 'string!',
    newVersion: 'NewVersion!',
    governor: 'string',
    policy: 'enum:WaitForWorkloadReady|Immediately|Paused',
    routes: 'ReleaseRoutes',
    sticky: 'Sticky',
    analysis: 'ReleaseAnalysis',
  },
  NewVersion: { version: 'string!', image: 'string!', replicas: 'integer' },
  ReleaseRoutes: { weights: '{}integer', match: 'ContentMatch', serve: 'string', mirrorPercent: 'number' },
  ContentMatch: { cookie: 'ValueMatch', header: 'HeaderMatch', uri: 'UriMatch', os: '[]enum:windows|linux|macos|android|ios', browser: '[]enum:chrome|firefox|safari|edge' },
  ValueMatch: { exact: 'string', regex: 'string' },
  HeaderMatch: { name: 'string!', exact: 'string', regex: 'string' },
  UriMatch: { prefix: 'string', regex: 'string' },
  Sticky: { cookie: 'string', header: 'string' },
  ...ANALYSIS_TYPES,
};

function checkRegex(value: unknown, path: string, r: Report): void {
  const s = str(value);
  if (s === undefined) return;
  const err = re2Error(s);
  if (err) r.error(path, `invalid RE2 regex: ${err}`);
}

export function checkRelease(obj: Record<string, unknown>, r: Report): void {
  const spec = rec(obj.spec);
  if (!spec) return;
  const type = str(spec.type);
  const principal = str(spec.principal) ?? '';
  const newV = str(rec(spec.newVersion)?.version) ?? '';
  for (const [path, v] of [['spec.principal', principal], ['spec.newVersion.version', newV]] as const) {
    if (v && !isDns1123Label(v)) r.error(path, `"${v}" is not a DNS-1123 label; use lowercase letters, digits and '-', e.g. v2`);
  }
  if (principal && principal === newV) r.error('spec.newVersion.version', `equals the principal version ${principal}; release a different version`);
  const replicas = rec(spec.newVersion)?.replicas;
  if (typeof replicas === 'number' && replicas < 0) r.error('spec.newVersion.replicas', 'must be 0 or more');
  const versions = new Set([principal, newV]);
  const governor = str(spec.governor);
  if (governor && !versions.has(governor)) r.error('spec.governor', `unknown version "${governor}"; use ${[...versions].join(' or ')}`);
  const routes = rec(spec.routes) ?? {};
  const weights = rec(routes.weights);
  const match = rec(routes.match);
  checkAnalysis(spec, r);
  if (type === 'canary' && spec.analysis !== undefined) {
    // An automatic canary moves the weights itself; it starts with the principal serving everything.
    if (match) r.error('spec.routes.match', 'an automatic canary moves traffic by weight; leave out match (or drop spec.analysis)');
  } else if (type === 'canary') {
    if (!weights && !match) r.error('spec.routes', 'a canary needs weights (e.g. v1=50,v2=50) or a request-content match');
    if (weights && match) r.error('spec.routes', 'weights and match are exclusive; give one');
  } else if (weights || match) {
    r.error('spec.routes', `weights and match belong to canary releases, not ${type}`);
  }
  if (weights) {
    let sum = 0;
    for (const [v, w] of Object.entries(weights)) {
      if (!versions.has(v)) r.error(`spec.routes.weights.${v}`, `unknown version "${v}"; this release has ${[...versions].join(' and ')}`);
      if (typeof w === 'number') {
        if (w < 0 || w > 100) r.error(`spec.routes.weights.${v}`, `${w} is out of range; use 0 to 100`);
        sum += w;
      }
    }
    if (sum !== 100) r.error('spec.routes.weights', `weights sum to ${sum}, must be 100`);
  }
  if (match) {
    const keys = ['cookie', 'header', 'uri', 'os', 'browser'].filter((k) => match[k] !== undefined && !(Array.isArray(match[k]) && (match[k] as unknown[]).length === 0));
    if (keys.length === 0) r.error('spec.routes.match', 'no condition; give a cookie, header, uri, os or browser');
    const cookie = rec(match.cookie);
    if (cookie) {
      if ((cookie.exact === undefined) === (cookie.regex === undefined)) r.error('spec.routes.match.cookie', 'give exactly one of exact or regex, e.g. exact: user=jason');
      if (typeof cookie.exact === 'string' && !cookie.exact.includes('=')) r.error('spec.routes.match.cookie.exact', `"${cookie.exact}" is not Key=Value; e.g. user=jason`);
      checkRegex(cookie.regex, 'spec.routes.match.cookie.regex', r);
    }
    const header = rec(match.header);
    if (header) {
      const name = str(header.name) ?? '';
      if (name.toLowerCase() === 'cookie' || name.toLowerCase() === 'user-agent') {
        r.error('spec.routes.match.header.name', `${name} has its own condition; use cookie, os or browser instead`);
      }
      if (name && !/^[A-Za-z0-9-_.]+$/.test(name)) r.error('spec.routes.match.header.name', `"${name}" is not a header name`);
      if ((header.exact === undefined) === (header.regex === undefined)) r.error('spec.routes.match.header', 'give exactly one of exact or regex');
      checkRegex(header.regex, 'spec.routes.match.header.regex', r);
    }
    const uri = rec(match.uri);
    if (uri) {
      if ((uri.prefix === undefined) === (uri.regex === undefined)) r.error('spec.routes.match.uri', 'give exactly one of prefix or regex, e.g. prefix: /api');
      checkRegex(uri.regex, 'spec.routes.match.uri.regex', r);
    }
  }
  const serve = str(routes.serve);
  if (type === 'bluegreen') {
    if (!serve && spec.analysis === undefined) r.error('spec.routes.serve', 'a blue-green release names the version serving 100%; e.g. serve: v2');
    else if (serve && !versions.has(serve)) r.error('spec.routes.serve', `unknown version "${serve}"; use ${[...versions].join(' or ')}`);
  } else if (serve) {
    r.error('spec.routes.serve', `belongs to blue-green releases, not ${type}`);
  }
  const mp = routes.mirrorPercent;
  if (mp !== undefined) {
    if (type !== 'mirror') r.error('spec.routes.mirrorPercent', `belongs to mirror releases, not ${type}`);
    else if (typeof mp === 'number' && (mp < 0 || mp > 100)) r.error('spec.routes.mirrorPercent', `${mp} is out of range; use 0 to 100`);
  }
  const sticky = rec(spec.sticky);
  if (sticky && (sticky.cookie === undefined) === (sticky.header === undefined)) {
    r.error('spec.sticky', 'give exactly one of cookie or header');
  }
  // The sticky key travels in an annotation `cookie:NAME` / `header:NAME` and in Set-Cookie.
  const cookieName = str(sticky?.cookie);
  if (cookieName !== undefined && !COOKIE_NAME.test(cookieName)) {
    r.error('spec.sticky.cookie', `"${cookieName}" is not a cookie name (RFC 6265 token: letters, digits and !#$%&'*+-.^_\`|~); e.g. gm-reviews-version`);
  }
  const headerName = str(sticky?.header);
  if (headerName !== undefined && !HEADER_NAME.test(headerName)) r.error('spec.sticky.header', `"${headerName}" is not a header name; e.g. end-user`);
}

/** RFC 6265 §4.1.1 cookie-name: an RFC 2616 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_NAME = /^[A-Za-z0-9-_.]+$/;
