/**
 * Reads each Bookinfo service's options from its environment: the engine's
 * contract (samples/README.md: PORT, POD_NAME, SERVICE_VERSION, HTTP_PROXY,
 * NO_PROXY) plus the knobs Istio's images read (ENABLE_RATINGS, STAR_COLOR,
 * CLUSTER_NAME, SERVICES_DOMAIN, *_HOSTNAME). Proxy settings are not copied: the
 * HTTP client reads HTTP_PROXY and NO_PROXY itself on every call.
 */
import { hostname } from 'node:os';
import type { ProductpageOptions } from './productpage.js';
import type { RatingsOptions } from './ratings.js';
import type { ReviewsOptions } from './reviews.js';
import type { ServiceOptions } from './service-options.js';

/** An environment, e.g. process.env. */
export type Env = Record<string, string | undefined>;

const DEFAULT_PORT = 9080;

/** PORT and the optional LISTEN_HOST (127.0.0.1 by default; 0.0.0.0 in a pod without a node proxy). */
export function listenOptions(env: Env): ServiceOptions {
  const port = env.PORT === undefined || env.PORT === '' ? DEFAULT_PORT : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT=${env.PORT ?? ''}: not a port number; set PORT to an integer from 0 to 65535`);
  }
  return env.LISTEN_HOST ? { port, host: env.LISTEN_HOST } : { port };
}

/** Base URL of a Bookinfo service, honouring <NAME>_HOSTNAME and SERVICES_DOMAIN as Istio's images do. */
export function serviceUrl(env: Env, name: 'details' | 'reviews' | 'ratings'): string {
  const host = env[`${name.toUpperCase()}_HOSTNAME`] || name;
  const domain = env.SERVICES_DOMAIN ? `.${env.SERVICES_DOMAIN}` : '';
  const port = (name === 'ratings' && env.RATINGS_SERVICE_PORT) || '9080';
  return `http://${host}${domain}:${port}`;
}

/** Pod name: POD_NAME, else HOSTNAME (what Kubernetes sets and Istio's reviews reads), else the OS host name. */
export function podName(env: Env): string {
  return env.POD_NAME || env.HOSTNAME || hostname();
}

/** Options for reviews; ENABLE_RATINGS is read like Java's Boolean.valueOf (case-insensitive "true"). */
export function reviewsOptions(env: Env): ReviewsOptions {
  return {
    ...listenOptions(env),
    enableRatings: (env.ENABLE_RATINGS ?? '').toLowerCase() === 'true',
    starColor: env.STAR_COLOR || 'black',
    pod: podName(env),
    ...(env.CLUSTER_NAME ? { clusterName: env.CLUSTER_NAME } : {}),
    ratingsUrl: serviceUrl(env, 'ratings'),
  };
}

/** Options for ratings. */
export function ratingsOptions(env: Env): RatingsOptions {
  // The fault images (examples-bookinfo-ratings-v-faulty, ...) set RATINGS_MODE, so a canary named v2 still misbehaves.
  return { ...listenOptions(env), version: env.RATINGS_MODE || env.SERVICE_VERSION || 'v1' };
}

/** Options for productpage. */
export function productpageOptions(env: Env): ProductpageOptions {
  return {
    ...listenOptions(env),
    detailsUrl: serviceUrl(env, 'details'),
    reviewsUrl: serviceUrl(env, 'reviews'),
    ratingsUrl: serviceUrl(env, 'ratings'),
    ...(env.SESSION_SECRET ? { sessionSecret: env.SESSION_SECRET } : {}),
  };
}
