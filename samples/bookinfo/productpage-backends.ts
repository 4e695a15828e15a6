/**
 * productpage's calls to details, reviews and ratings, with Istio's error
 * handling: a 3 s timeout, the upstream status passed through (500 when there
 * was no response), and a fixed sentence in place of the body on failure.
 */
import { meshRequest } from '../lib/mesh-request.js';
import type { ProxySettings } from '../lib/proxy-config.js';

/** Where the backends live and how to reach them. */
export interface Backends extends ProxySettings {
  /** Base URL of details, e.g. `http://details:9080`. */
  detailsUrl: string;
  /** Base URL of reviews. */
  reviewsUrl: string;
  /** Base URL of ratings. */
  ratingsUrl: string;
}

/** The result of one backend call: a status and a JSON body (or `{error}`). */
export interface BackendResult {
  /** 200 on success; the upstream status, or 500 when there was none. */
  status: number;
  /** Parsed upstream JSON, or `{ error: <sentence> }`. */
  body: Record<string, unknown>;
}

/** Error sentences, word for word as Istio's productpage. */
export const DETAILS_UNAVAILABLE = 'Sorry, product details are currently unavailable for this book.';
export const REVIEWS_UNAVAILABLE = 'Sorry, product reviews are currently unavailable for this book.';
export const RATINGS_UNAVAILABLE_FOR_BOOK = 'Sorry, product ratings are currently unavailable for this book.';

const TIMEOUT_MS = 3_000;

/** GET details/{id}. */
export async function getProductDetails(backends: Backends, id: string, headers: Record<string, string>): Promise<BackendResult> {
  return (await attempt(backends, `${backends.detailsUrl}/details/${encodeURIComponent(id)}`, headers)).result(DETAILS_UNAVAILABLE);
}

/**
 * GET reviews/{id}, tried twice. Istio keeps this double call on purpose ("bug
 * introduced explicitly for illustration in fault injection task"): with a 3 s
 * timeout per try, a 7 s delay rule on ratings shows up as a ~6 s page.
 */
export async function getProductReviews(backends: Backends, id: string, headers: Record<string, string>): Promise<BackendResult> {
  const url = `${backends.reviewsUrl}/reviews/${encodeURIComponent(id)}`;
  let last = await attempt(backends, url, headers);
  if (!last.ok) last = await attempt(backends, url, headers);
  return last.result(REVIEWS_UNAVAILABLE);
}

/** GET ratings/{id}. */
export async function getProductRatings(backends: Backends, id: string, headers: Record<string, string>): Promise<BackendResult> {
  return (await attempt(backends, `${backends.ratingsUrl}/ratings/${encodeURIComponent(id)}`, headers)).result(
    RATINGS_UNAVAILABLE_FOR_BOOK,
  );
}

interface Attempt {
  ok: boolean;
  result(errorText: string): BackendResult;
}

async function attempt(backends: Backends, url: string, headers: Record<string, string>): Promise<Attempt> {
  let res;
  try {
    res = await meshRequest(url, { headers, timeoutMs: TIMEOUT_MS, proxy: backends.proxy, noProxy: backends.noProxy });
  } catch {
    // No response at all (refused, reset, timeout).
    return failed(500);
  }
  if (res.status !== 200) return failed(res.status || 500);
  const body = parseObject(res.body);
  return body ? { ok: true, result: () => ({ status: 200, body }) } : failed(500);
}

function failed(status: number): Attempt {
  return { ok: false, result: (error) => ({ status, body: { error } }) };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
