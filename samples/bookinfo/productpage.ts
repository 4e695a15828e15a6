/**
 * Bookinfo productpage: the HTML page and JSON API in front of details,
 * reviews and ratings. Behaves like Istio's productpage.py: signing in only sets
 * a session whose user travels on as `end-user`, and every outbound call
 * carries the incoming tracing headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forwardHeaders } from '../lib/forward-headers.js';
import { parseCookies, readBody, redirect, safeDecode, sendHtml, sendJson } from '../lib/http-io.js';
import { serve, type RunningServer } from '../lib/serve.js';
import { renderIndex } from './index-html.js';
import {
  getProductDetails,
  getProductRatings,
  getProductReviews,
  type Backends,
} from './productpage-backends.js';
import { renderProductPage } from './productpage-html.js';
import { PRODUCTS } from './products.js';
import { clearedSessionCookie, DEFAULT_SESSION_SECRET, SESSION_COOKIE, sessionCookie, verifySession } from './session.js';
import type { ServiceOptions } from './service-options.js';

/** Options for productpage. */
export interface ProductpageOptions extends ServiceOptions {
  /** Base URL of details; `http://details:9080` when left out. */
  detailsUrl?: string;
  /** Base URL of reviews; `http://reviews:9080` when left out. */
  reviewsUrl?: string;
  /** Base URL of ratings; `http://ratings:9080` when left out. */
  ratingsUrl?: string;
  /** Key that signs session cookies (SESSION_SECRET). */
  sessionSecret?: string;
}

/** Starts productpage. */
export function startProductpage(options: ProductpageOptions): Promise<RunningServer> {
  const backends: Backends = {
    detailsUrl: options.detailsUrl ?? 'http://details:9080',
    reviewsUrl: options.reviewsUrl ?? 'http://reviews:9080',
    ratingsUrl: options.ratingsUrl ?? 'http://ratings:9080',
    proxy: options.proxy,
    noProxy: options.noProxy,
  };
  const secret = options.sessionSecret ?? DEFAULT_SESSION_SECRET;

  const userOf = (req: IncomingMessage): string | undefined =>
    verifySession(parseCookies(req.headers.cookie)[SESSION_COOKIE], secret);

  // The incoming tracing headers, plus end-user from the session (Istio's getForwardHeaders).
  const outbound = (req: IncomingMessage): Record<string, string> => {
    const headers = forwardHeaders(req.headers);
    const user = userOf(req);
    if (user) headers['end-user'] = user;
    return headers;
  };

  const handleLogin = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const user = (form.get('username') ?? '').trim();
    // Any password is accepted: Bookinfo's sign-in is only a way to pick an end-user.
    redirect(res, '/productpage', user ? { 'set-cookie': sessionCookie(user, secret) } : {});
  };

  const handleProductPage = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const product = PRODUCTS[0];
    if (!product) throw new Error('productpage: the catalogue is empty');
    const headers = outbound(req);
    // Sequential like Istio's, so a trace shows details, then reviews.
    const details = await getProductDetails(backends, String(product.id), headers);
    const reviews = await getProductReviews(backends, String(product.id), headers);
    sendHtml(res, 200, renderProductPage({ product, user: userOf(req), details, reviews }));
  };

  return serve({
    port: options.port,
    host: options.host,
    log: options.log,
    handler: async (req, res, url) => {
      const path = url.pathname;
      const method = req.method ?? 'GET';
      if ((path === '/' || path === '/index.html') && method === 'GET') return sendHtml(res, 200, renderIndex(backends));
      if (path === '/productpage' && method === 'GET') return handleProductPage(req, res);
      if (path === '/login' && method === 'POST') return handleLogin(req, res);
      if (path === '/logout' && method === 'GET') return redirect(res, '/productpage', { 'set-cookie': clearedSessionCookie() });
      if (path === '/api/v1/products' && method === 'GET') return sendJson(res, 200, PRODUCTS);
      const api = /^\/api\/v1\/products\/([^/]+)(?:\/(reviews|ratings))?$/.exec(path);
      if (api && method === 'GET') {
        const id = safeDecode(api[1] ?? '');
        const call = api[2] === 'reviews' ? getProductReviews : api[2] === 'ratings' ? getProductRatings : getProductDetails;
        const result = await call(backends, id, outbound(req));
        return sendJson(res, result.status, result.body);
      }
      sendJson(res, 404, { error: `no such endpoint: ${method} ${path}` });
    },
  });
}
