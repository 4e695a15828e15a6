/**
 * Sticky releases, a graymesh extension: a VirtualService annotated
 * `graymesh.dev/sticky: cookie:NAME` or `header:NAME` keeps each user on one of a rule's
 * weighted destinations, while the population still splits by the weights. The user's value
 * (cookie or header) hashes to a bucket 0-99, and the buckets are dealt out along the
 * cumulative weights (v1=20,v2=80: buckets 0-19 to v1, 20-99 to v2), so changing the weights
 * moves only the users whose buckets change hands. Without a value, the rule's smooth
 * weighted round-robin picks, and with a cookie key the proxy answers with a Set-Cookie whose
 * value hashes into the chosen destination's buckets, so the next request stays there.
 *
 * Istio has no such thing (Envoy draws weighted clusters per request; consistentHash picks an
 * endpoint inside one subset), so on Kubernetes + Istio the annotation is ignored and users are
 * split per request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RequestView } from './match.js';

/** Where a user's sticky value is read. */
export type StickyKey = { cookie: string } | { header: string };

/** What a sticky rule decides for one request. */
export interface StickyChoice {
  /** Index of the chosen destination. */
  index: number;
  /** `Set-Cookie` value for a client that had no sticky cookie. */
  setCookie?: string;
}

const BUCKETS = 100;
/** Draws of a fresh cookie value before giving up (a share under 1% owns no bucket). */
const MAX_DRAWS = 1000;

/** The annotation's value parsed: `cookie:NAME` or `header:NAME` (header names lowercased); undefined when absent or malformed. */
export function parseSticky(annotation: string | undefined): StickyKey | undefined {
  const m = /^(cookie|header):(.+)$/.exec(annotation?.trim() ?? '');
  if (!m) return undefined;
  const name = (m[2] as string).trim();
  return m[1] === 'cookie' ? { cookie: name } : { header: name.toLowerCase() };
}

/** A value's bucket, 0-99: the first 32 bits of its MD5, stable across processes and versions. */
export function stickyBucket(value: string): number {
  return createHash('md5').update(value).digest().readUInt32BE(0) % BUCKETS;
}

/** The first bucket of each destination and the end: weights scaled to 100, cumulative. */
function bounds(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = [0];
  let cum = 0;
  for (const w of weights) {
    cum += w;
    out.push(Math.ceil((cum * BUCKETS) / total));
  }
  return out;
}

/** The destination owning `bucket` on the cumulative weights. */
export function destinationOf(bucket: number, weights: readonly number[]): number {
  const b = bounds(weights);
  for (let i = 0; i < weights.length; i++) if (bucket < (b[i + 1] as number)) return i;
  return weights.length - 1;
}

/** A fresh random value whose bucket belongs to destination `index`; undefined when it owns none. */
export function valueFor(index: number, weights: readonly number[], draw: () => string = () => randomBytes(8).toString('hex')): string | undefined {
  const b = bounds(weights);
  const lo = b[index] as number;
  const hi = b[index + 1] as number;
  if (hi <= lo) return undefined;
  for (let i = 0; i < MAX_DRAWS; i++) {
    const v = draw();
    const bucket = stickyBucket(v);
    if (bucket >= lo && bucket < hi) return v;
  }
  return undefined;
}

/** The value of cookie `name` in a Cookie header (`a=1; b=2`). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Chooses among weighted destinations for a sticky rule: by the user's bucket when the request
 * carries a value, else by `fallback` (the rule's round-robin), setting the cookie when the key
 * is one.
 */
export function stickyChooser(key: StickyKey, weights: readonly number[], fallback: () => number): (v: RequestView) => StickyChoice {
  const dealt = Array.from({ length: BUCKETS }, (_, bucket) => destinationOf(bucket, weights));
  return (v) => {
    const value = 'header' in key ? v.header(key.header) : cookieValue(v.header('cookie'), key.cookie);
    if (value !== undefined && value !== '') return { index: dealt[stickyBucket(value)] as number };
    const index = fallback();
    if (!('cookie' in key)) return { index };
    const fresh = valueFor(index, weights);
    return fresh === undefined ? { index } : { index, setCookie: `${key.cookie}=${fresh}; Path=/` };
  };
}
