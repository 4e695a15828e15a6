/**
 * Bookinfo reviews: two fixed reviews, optionally with stars from ratings.
 * Behaves like Istio's reviews image (LibertyRestEndpoint.java): v1 has no
 * ratings, v2 (ENABLE_RATINGS=true) shows black stars, v3 (STAR_COLOR=red) red
 * ones, and a failed ratings call degrades each review instead of failing.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { forwardHeaders } from '../lib/forward-headers.js';
import { sendJson } from '../lib/http-io.js';
import { meshRequest } from '../lib/mesh-request.js';
import { serve, type RunningServer } from '../lib/serve.js';
import type { ServiceOptions } from './service-options.js';

/** Options for the reviews service. */
export interface ReviewsOptions extends ServiceOptions {
  /** ENABLE_RATINGS: call ratings and attach stars. */
  enableRatings: boolean;
  /** STAR_COLOR; `black` when left out. */
  starColor?: string;
  /** Pod name reported as `podname` (POD_NAME). */
  pod: string;
  /** CLUSTER_NAME; reported as the string "null" when unset, as the Java service does. */
  clusterName?: string;
  /** Base URL of ratings; `http://ratings:9080` when left out. */
  ratingsUrl?: string;
}

/** A review's rating: stars and colour, or the reason there are none. */
export type ReviewRating = { stars: number; color: string } | { error: string };

/** One review. */
export interface Review {
  /** Reviewer name; also the key into the ratings document. */
  reviewer: string;
  /** Review text. */
  text: string;
  /** Present only when ratings are enabled. */
  rating?: ReviewRating;
}

/** The reviews document, shaped like Istio's. */
export interface ReviewsDocument {
  /** Product id as a string (the Java service quotes it). */
  id: string;
  /** Pod that served the request. */
  podname: string;
  /** Cluster name or "null". */
  clustername: string;
  /** The reviews. */
  reviews: Review[];
}

/** Text of the error rating, shown by productpage when ratings fail. */
export const RATINGS_UNAVAILABLE = 'Ratings service is currently unavailable';

const REVIEWS: readonly Review[] = [
  { reviewer: 'Reviewer1', text: 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!' },
  {
    reviewer: 'Reviewer2',
    text: 'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.',
  },
];

// Istio gives the black-star version (v2) a generous 10 s and the red one (v3)
// 2.5 s, so fault-injection exercises see different outcomes per version.
const BLACK_TIMEOUT_MS = 10_000;
const OTHER_TIMEOUT_MS = 2_500;

/** Starts the reviews service. */
export function startReviews(options: ReviewsOptions): Promise<RunningServer> {
  const color = options.starColor ?? 'black';
  const ratingsUrl = options.ratingsUrl ?? 'http://ratings:9080';
  return serve({
    port: options.port,
    host: options.host,
    log: options.log,
    handler: async (req, res, url) => {
      const match = /^\/reviews\/([-+]?\d+)$/.exec(url.pathname);
      if (!match || req.method !== 'GET') {
        sendJson(res, 404, { error: `no such endpoint: ${req.method ?? ''} ${url.pathname}` });
        return;
      }
      const id = String(Number.parseInt(match[1] ?? '0', 10));
      const stars = options.enableRatings ? await fetchStars(id, req.headers) : undefined;
      const doc: ReviewsDocument = {
        id,
        podname: options.pod,
        clustername: options.clusterName ?? 'null',
        reviews: REVIEWS.map((review) => (stars ? { ...review, rating: ratingFor(review.reviewer, stars, color) } : { ...review })),
      };
      sendJson(res, 200, doc);
    },
  });

  async function fetchStars(id: string, incoming: IncomingHttpHeaders): Promise<Record<string, unknown>> {
    try {
      const res = await meshRequest(`${ratingsUrl}/ratings/${id}`, {
        headers: forwardHeaders(incoming),
        timeoutMs: color === 'black' ? BLACK_TIMEOUT_MS : OTHER_TIMEOUT_MS,
        proxy: options.proxy,
        noProxy: options.noProxy,
      });
      if (res.status !== 200) return {};
      const body = JSON.parse(res.body) as { ratings?: unknown };
      return typeof body.ratings === 'object' && body.ratings !== null ? (body.ratings as Record<string, unknown>) : {};
    } catch {
      // Timeouts, refused connections and bad JSON all read as "no ratings".
      return {};
    }
  }
}

function ratingFor(reviewer: string, stars: Record<string, unknown>, color: string): ReviewRating {
  const value = stars[reviewer];
  return typeof value === 'number' && Number.isInteger(value) ? { stars: value, color } : { error: RATINGS_UNAVAILABLE };
}
