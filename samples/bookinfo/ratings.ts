/**
 * Bookinfo ratings: stars per reviewer. Behaves like Istio's ratings.js
 * (samples/bookinfo/src/ratings): ratings live in memory, POST replaces a
 * product's ratings, and the fault versions misbehave on purpose so traffic
 * policies (retries, timeouts, outlier detection) have something to handle.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../lib/http-io.js';
import { serve, type RunningServer } from '../lib/serve.js';
import type { ServiceOptions } from './service-options.js';

/** Options for the ratings service. */
export interface RatingsOptions extends ServiceOptions {
  /**
   * The mode: RATINGS_MODE (set by the fault images, examples-bookinfo-ratings-v-faulty and
   * the like), else SERVICE_VERSION. `v-faulty` answers 503 half the time, `v-delayed` waits 7 s
   * half the time, `v-unavailable` flips between up and 503 every minute and
   * `v-unhealthy` also fails /health, flipping every 15 minutes. Anything else
   * (including `v2`, whose database is left out here) serves from memory.
   */
  version?: string;
  /** Random source in [0, 1); injectable so tests can pin the coin flips. */
  random?: () => number;
}

/** A product's ratings document. */
export interface ProductRatings {
  /** Product id. */
  id: number;
  /** Reviewer name → stars. */
  ratings: Record<string, unknown>;
}

const DELAY_MS = 7_000;
const UNAVAILABLE_FLIP_MS = 60_000;
const UNHEALTHY_FLIP_MS = 15 * 60_000;

/** The default ratings of any product. */
export function defaultRatings(id: number): ProductRatings {
  return { id, ratings: { Reviewer1: 5, Reviewer2: 4 } };
}

/** Starts the ratings service. */
export async function startRatings(options: RatingsOptions): Promise<RunningServer> {
  const version = options.version ?? 'v1';
  const random = options.random ?? Math.random;
  const posted = new Map<number, ProductRatings>();
  const state = { unavailable: false, healthy: true };
  const timers: NodeJS.Timeout[] = [];
  if (version === 'v-unavailable') {
    timers.push(setInterval(() => (state.unavailable = !state.unavailable), UNAVAILABLE_FLIP_MS));
  }
  if (version === 'v-unhealthy') {
    timers.push(
      setInterval(() => {
        state.unavailable = !state.unavailable;
        state.healthy = !state.healthy;
      }, UNHEALTHY_FLIP_MS),
    );
  }
  for (const timer of timers) timer.unref();

  const answer = (res: ServerResponse, id: number): void => {
    sendJson(res, 200, posted.get(id) ?? defaultRatings(id));
  };

  const handleGet = (res: ServerResponse, id: number): void => {
    const coin = version === 'v-faulty' || version === 'v-delayed' ? random() : 1;
    if ((version === 'v-faulty' && coin <= 0.5) || state.unavailable) {
      sendJson(res, 503, { error: 'Service unavailable' });
    } else if (version === 'v-delayed' && coin <= 0.5) {
      const timer = setTimeout(() => answer(res, id), DELAY_MS);
      res.on('close', () => clearTimeout(timer));
    } else {
      answer(res, id);
    }
  };

  const handlePost = async (req: IncomingMessage, res: ServerResponse, id: number): Promise<void> => {
    let ratings: unknown;
    try {
      ratings = JSON.parse((await readBody(req)).toString('utf8'));
    } catch {
      sendJson(res, 400, { error: 'please provide valid ratings JSON' });
      return;
    }
    if (typeof ratings !== 'object' || ratings === null || Array.isArray(ratings)) {
      sendJson(res, 400, { error: 'please provide valid ratings JSON' });
      return;
    }
    posted.set(id, { id, ratings: ratings as Record<string, unknown> });
    answer(res, id);
  };

  const server = await serve({
    port: options.port,
    host: options.host,
    log: options.log,
    healthy: () => state.healthy,
    handler: async (req, res, url) => {
      const match = /^\/ratings\/([^/]*)$/.exec(url.pathname);
      if (!match || (req.method !== 'GET' && req.method !== 'POST')) {
        sendJson(res, 404, { error: `no such endpoint: ${req.method ?? ''} ${url.pathname}` });
        return;
      }
      const id = parseProductId(match[1] ?? '');
      if (id === undefined) {
        sendJson(res, 400, { error: 'please provide numeric product ID' });
        return;
      }
      if (req.method === 'POST') await handlePost(req, res, id);
      else handleGet(res, id);
    },
  });
  return {
    ...server,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await server.close();
    },
  };
}

function parseProductId(segment: string): number | undefined {
  return /^\d+$/.test(segment) ? Number.parseInt(segment, 10) : undefined;
}
